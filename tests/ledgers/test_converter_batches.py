"""The batch converters of the ledger columns, cell by cell: which cells a
converter takes and which it hands back as None (the row path then words
them), the exact and inexact float paths of `_quantized`, the memo of a
column that repeats its values (used across chunks, never holding a zero,
emptied past MEMO_SIZE), and a Lookup's maps, ambiguity and labels over
organisations of the demo county."""

from decimal import Decimal

import pytest

from xiezuo.ledgers.columns import MEMO_SIZE, SAMPLE, Amount, Lookup, Text, _number_batch, _quantized
from xiezuo.ledgers.spec import Context
from xiezuo.ledgers.specs.common import organisations
from xiezuo.pairings.models import Organisation


def shown(values):
    """Values with their exponents: 0.00, -0.00 and 0 tell apart."""
    return None if values is None else [str(v) for v in values]


def convert(converter, cells):
    return converter(cells, set(map(type, cells)))


# ------------------------------------------------------------------- Text
@pytest.mark.parametrize("column,cells,expected", [
    # An optional column without a default: a blank (or spaces) is its empty value "".
    (Text("note", "备注"), ["甲", "  ", ""], ["甲", "", ""]),
    (Text("note", "备注"), [" 甲 ", 17.0, ""], ["甲", "17", ""]),
    # A required column never sees a blank cell; its filled cells are taken.
    (Text("name", "名称", required=True), [" 甲 ", "乙"], ["甲", "乙"]),
    (Text("name", "名称", required=True), ["甲", 18], ["甲", "18"]),
    (Text("name", "名称", required=True), ["甲", "  "], None),
    # A default fills blanks on the row path only; filled cells are still taken.
    (Text("note", "备注", default="无"), ["甲", "乙"], ["甲", "乙"]),
    (Text("note", "备注", default="无"), ["甲", ""], None),
])
def test_text_batch_takes_blanks_only_where_they_read_as_empty_text(column, cells, expected):
    assert convert(column.batch(), cells) == expected


# ----------------------------------------------------------------- Amount
@pytest.mark.parametrize("cells,unit,expected", [
    ([99999999999999.98, 5.0], None, ["99999999999999.98", "5.00"]),
    ([1e14], None, None),  # 金额过大: the limit itself is refused
    ([9999999999.9999], "万元", ["99999999999999.00"]),
    ([1e10], "万元", None),
    ([0.12, 3.0], "万元", ["1200.00", "30000.00"]),
    ([0.0, 2.5], None, ["0.00", "2.50"]),
    ([-0.01, 2.5], None, None),
    # Texts among the numbers are read under the header's unit too.
    (["1,280", 0.12], "万元", ["12800000.00", "1200.00"]),
    (["1,280", 0.12, 3], None, ["1280.00", "0.12", "3.00"]),
    ([1.5, "2", 3], "亿元", ["150000000.00", "200000000.00", "300000000.00"]),
    ([1.5, "x"], None, None),
])
def test_amount_batch_values_and_limits(cells, unit, expected):
    assert shown(convert(Amount("amount", "金额").batch(unit), cells)) == expected


def test_a_positive_amount_batch_refuses_zero():
    convert_positive = Amount("amount", "金额", positive=True).batch()
    assert convert_positive([0.0, 2.5], {float}) is None
    assert shown(convert_positive([0.01, 2.5], {float})) == ["0.01", "2.50"]


def test_an_amount_batch_takes_blanks_only_in_an_optional_column():
    assert convert(Amount("amount", "金额", default=Decimal("1.00")).batch(), ["", 2.5]) == [
        Decimal("1.00"), Decimal("2.50")]
    assert convert(Amount("amount", "金额").batch(), ["", 2.5]) == [None, Decimal("2.50")]
    assert convert(Amount("amount", "金额", required=True).batch(), ["", 2.5]) is None


def test_amount_export_and_display():
    column = Amount("amount", "金额")
    assert column.export(None) == "" and column.display(None) == ""
    assert column.export(Decimal("1234.56")) == 1234.56 and column.export(Decimal("0")) == 0.0
    assert column.display(Decimal("1234.5")) == "1,234.50元" and column.display(Decimal("0")) == "0.00元"


# ------------------------------------------------------------- _quantized
@pytest.mark.parametrize("numbers,places,factor,values,exact", [
    # Whole and cent amounts below 2**52 / 100: made from round(x * 100).
    ([12.5, 0.01, 1.0, 3.0], 2, 1, ["12.50", "0.01", "1.00", "3.00"], True),
    ([-12.5, 7.25], 2, 1, ["-12.50", "7.25"], True),
    ([12.5, 0.001], 3, 1, ["12.500", "0.001"], True),
    # A zero goes through repr: -0.0 reads as -0.00, as the row path has it.
    ([-0.0, 12.5], 2, 1, ["-0.00", "12.50"], False),
    ([0.0, 12.5], 2, 1, ["0.00", "12.50"], False),
    # More decimals than kept, or too big for the check to hold.
    ([2.675, 1.0], 2, 1, ["2.68", "1.00"], False),
    ([2.0 ** 52 / 100], 2, 1, ["45035996273704.96"], False),
    ([5e13 + 0.25], 2, 1, ["50000000000000.25"], False),
    ([-5e13 - 0.25, 1.0], 2, 1, ["-50000000000000.25", "1.00"], False),
    # A unit scales the written number.
    ([0.12, 1.0], 2, Decimal(10_000), ["1200.00", "10000.00"], False),
    ([1.5], 2, Decimal(100_000_000), ["150000000.00"], False),
])
def test_quantized_values_and_whether_they_are_exact(numbers, places, factor, values, exact):
    got, got_exact = _quantized(numbers, places, factor)
    assert (shown(got), got_exact) == (values, exact)


@pytest.mark.parametrize("numbers", [[1e15], [-1e15], [5.0, -1e300], [float("inf")], [float("nan")], [-1e15, 2.0]])
def test_quantized_refuses_what_is_not_a_plausible_number(numbers):
    assert _quantized(numbers, 2) is None


# ----------------------------------------------------------- _number_batch
@pytest.mark.parametrize("cells,types", [
    ([0.0, -0.0] + [5.0] * 6, {float}),
    ([-0.0, 0.0] + [5.0] * 6, {float}),
    ([0.0, -0.0, "1,280"], {float, str}),
])
def test_a_repeating_column_keeps_the_sign_of_each_zero(cells, types):
    # 0.0 and -0.0 are one key of a memo but read as 0.00 and -0.00.
    converter = Amount("amount", "金额").batch()
    expected = [Amount("amount", "金额").fast()(cell) for cell in cells]
    assert shown(converter(cells, types)) == shown(expected)
    assert shown(converter(cells, types)) == shown(expected)  # the second chunk, after the memo


def recording():
    """A numeric converter that keeps the floats each call converts."""
    calls = []

    def convert_floats(values):
        calls.append(list(values))
        return _quantized(values, 2)[0]

    return _number_batch(convert_floats, Amount("amount", "金额").fast(), False, None), calls


def test_a_mostly_distinct_chunk_is_converted_whole():
    converter, calls = recording()
    cells = [1.0, 2.0, 3.0, 1.0]
    assert shown(converter(cells, {float})) == ["1.00", "2.00", "3.00", "1.00"]
    assert calls == [cells]


@pytest.mark.parametrize("distinct", [4, 5])  # of 10: at most half distinct is "repeating"
def test_a_repeating_chunk_converts_each_value_once_per_import(distinct):
    converter, calls = recording()
    values = [float(k) for k in range(1, distinct + 1)]
    cells = (values * 10)[:10]
    assert converter(cells, {float}) == [Decimal(int(v)).quantize(Decimal("0.01")) for v in cells]
    assert len(calls) == 1 and sorted(calls[0]) == values
    assert converter(cells[::-1], {float}) == [Decimal(int(v)).quantize(Decimal("0.01")) for v in cells[::-1]]
    assert len(calls) == 1  # all known: nothing converted again
    assert shown(converter(cells * 2 + [99.5], {float}))[-1] == "99.50"
    assert calls[1:] == [[99.5]]


def test_the_memo_is_emptied_past_its_size():
    converter, calls = recording()

    def chunk(first, last):
        """SAMPLE repeated cells (so the memo is used), then the cents first..last."""
        return [0.5] * SAMPLE + [k / 100 for k in range(first, last + 1)]

    def expected(cells):
        return [Decimal(repr(x)).quantize(Decimal("0.01")) for x in cells]

    known = MEMO_SIZE * 3 // 5  # 0.5 (k = 50) among them
    cells = chunk(1, known)
    assert converter(cells, {float}) == expected(cells) and len(calls[-1]) == known
    # Filled up to MEMO_SIZE exactly: only the new values are converted.
    cells = chunk(known + 1, MEMO_SIZE)
    assert converter(cells, {float}) == expected(cells)
    assert sorted(calls[-1]) == [k / 100 for k in range(known + 1, MEMO_SIZE + 1)]
    # One more: the memo is emptied, and the chunk's values all converted afresh.
    cells = chunk(MEMO_SIZE + 1, MEMO_SIZE + 1)
    assert converter(cells, {float}) == expected(cells)
    assert sorted(calls[-1]) == [0.5, (MEMO_SIZE + 1) / 100]


# ----------------------------------------------------------------- Lookup
NAME, ALIKE, ALONE, USCC = "变异测试甲单位", "变异测试乙单位", "变异测试丙单位", "91320116MA1TEST01A"


@pytest.fixture
def ctx(county, users):
    return Context(pairing=county, user=users["liuhe"])


@pytest.fixture
def orgs(county):
    """Two units of one name (one in each region of the pairing), two whose
    names differ by a space only, and one of its own name."""
    east, west = county.east_region, county.west_region
    made = {
        "east": Organisation.objects.create(name=NAME, kind="gov", region=east, uscc=USCC),
        "west": Organisation.objects.create(name=NAME, kind="gov", region=west),
        "alike": Organisation.objects.create(name=ALIKE, kind="coop", region=west),
        "spaced": Organisation.objects.create(name="变异测试乙 单位", kind="coop", region=west),
        "alone": Organisation.objects.create(name=ALONE, kind="farm", region=east),
    }
    return {key: org.pk for key, org in made.items()}


def units(ctx):
    return organisations(ctx).filter(name__startswith="变异测试")


def lookup(ctx, **kwargs):
    kwargs = {"queryset": units, "keys": ("name", "uscc"), "what": "单位", **kwargs}
    column = Lookup("organisation", "对应单位", **kwargs)
    column.prepare(ctx)
    return column


def refused(parse, raw):
    with pytest.raises(ValueError) as caught:
        parse(raw)
    return str(caught.value)


@pytest.mark.django_db
@pytest.mark.parametrize("qualifier,hint", [("region__name", f"“{NAME}（所在区划）”"), (None, "代码")])
def test_a_shared_name_is_refused_with_the_way_to_write_it(ctx, orgs, qualifier, hint):
    column = lookup(ctx, qualifier=qualifier)
    assert column.ambiguous == {NAME}
    for parse in (column.parse, column.fast()):
        assert refused(parse, NAME) == f"有多个单位名为“{NAME}”，请写成{hint}"
        assert refused(parse, "变异测试丁单位") == "找不到单位“变异测试丁单位”，请先在系统中登记或检查名称"
    assert column.batch()([NAME], {str}) is None


@pytest.mark.django_db
def test_lookup_parse_finds_a_name_or_code_however_spaced_or_cased(ctx, orgs):
    column = lookup(ctx, qualifier="region__name")
    assert column.parse(f" {ALONE} ") == column.parse("变异测试 丙单位") == orgs["alone"]
    assert column.parse(USCC.lower()) == column.parse(f" {USCC} ") == orgs["east"]
    # The qualified label, with ASCII brackets or spaces as well.
    assert column.parse(f"{NAME}(六合区)") == column.parse(f"{NAME} （六合区）") == orgs["east"]
    assert column.parse(f"{NAME}（湟源县）") == orgs["west"]
    assert refused(column.parse, f"{NAME}（None）") == f"找不到单位“{NAME}（None）”，请先在系统中登记或检查名称"


@pytest.mark.django_db
def test_a_name_as_written_wins_over_one_spaced_alike(ctx, orgs):
    # "变异测试乙单位" and "变异测试乙 单位" share the spaceless key; each
    # written exactly is its own unit, on the quick path and as a column.
    column = lookup(ctx)
    fast = column.fast()
    assert (fast(ALIKE), fast("变异测试乙 单位")) == (orgs["alike"], orgs["spaced"])
    assert column.batch()([ALIKE, "变异测试乙 单位"], {str}) == [orgs["alike"], orgs["spaced"]]


@pytest.mark.django_db
def test_lookup_batch_takes_the_names_as_written(ctx, orgs):
    column = lookup(ctx, qualifier="region__name")
    convert_names = column.batch()
    assert convert_names([f"{NAME}（六合区）", f"{NAME}（湟源县）", USCC, ALONE, ""], {str}) == [
        orgs["east"], orgs["west"], orgs["east"], orgs["alone"], None]
    assert convert_names([f"{NAME}(六合区)"], {str}) is None  # not as written: the row path reads it
    assert convert_names.longest == len(USCC)


@pytest.mark.django_db
def test_lookup_batch_blanks_follow_required_and_default(ctx, orgs):
    assert lookup(ctx, required=True).batch()([ALONE, ""], {str}) is None
    assert lookup(ctx, required=True).batch()([ALONE], {str}) == [orgs["alone"]]
    assert lookup(ctx, default=orgs["alone"]).batch()(["", USCC], {str}) == [orgs["alone"], orgs["east"]]


@pytest.mark.django_db
@pytest.mark.parametrize("required", [True, False])
def test_a_lookup_over_no_rows_takes_no_long_cell(ctx, required):
    column = lookup(ctx, required=required)
    assert column.batch().longest == 0
    assert column.batch()(["变异测试甲单位"], {str}) is None


@pytest.mark.django_db
def test_lookup_export_labels(ctx, orgs):
    column = lookup(ctx, qualifier="region__name")
    assert column.export(orgs["east"]) == f"{NAME}（六合区）" and column.export(orgs["alone"]) == ALONE
    assert column.options() == sorted({f"{NAME}（六合区）", f"{NAME}（湟源县）", ALIKE, "变异测试乙 单位", ALONE})
    assert column.export(None) == ""
    unknown = max(orgs.values()) + 1000
    assert column.export(unknown) == str(unknown)
    assert Lookup("organisation", "对应单位", queryset=units).export(7) == "7"  # not prepared: no labels


@pytest.mark.django_db
def test_a_blank_qualifier_leaves_the_label_alone(ctx, orgs):
    # The west unit has no USCC: it is not known as "甲单位（None）", and keeps its plain label.
    column = lookup(ctx, keys=("name",), qualifier="uscc")
    assert column.export(orgs["west"]) == NAME and column.export(orgs["east"]) == f"{NAME}（{USCC}）"
    assert column.batch()([f"{NAME}（{USCC}）"], {str}) == [orgs["east"]]
    assert column.batch()([f"{NAME}（None）"], {str}) is None
    assert column.batch()([f"{NAME}（）"], {str}) is None
