"""Column types and header normalisation, without a database."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xiezuo.funds.models import Project
from xiezuo.ledgers.columns import Amount, Bool, Choice, Date, Int, MultiChoice, Number, Text, normalize_header


@pytest.mark.parametrize("written,expected", [
    ("金额（万元）", ("金额", "万元")),
    (" 金 额 (元) ", ("金额", "元")),
    ("*到位日期", ("到位日期", None)),
    ("来源地（补充）", ("来源地(补充)", None)),
    ("带动就业（人）", ("带动就业", "人")),
])
def test_normalize_header(written, expected):
    assert normalize_header(written) == expected


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2))
def test_amount_export_reads_back_exactly(value):
    col = Amount("amount", "金额")
    assert col.parse(col.export(value)) == value
    assert col.fast()(col.export(value)) == value


@pytest.mark.parametrize("raw,unit,expected", [
    ("4,300万元", None, Decimal("43000000.00")),
    ("4,300", "万元", Decimal("43000000.00")),
    (12.5, "万元", Decimal("125000.00")),
    ("1.68亿", "万元", Decimal("168000000.00")),
    ("肆仟叁佰万元整", None, Decimal("43000000.00")),
])
def test_amount_units(raw, unit, expected):
    col = Amount("amount", "金额")
    assert col.parse(raw, unit) == expected
    assert col.fast(unit)(raw) == expected


def test_other_columns():
    assert Int("jobs", "就业").parse("１２人") == 12
    with pytest.raises(ValueError, match="应为整数"):
        Int("jobs", "就业").parse(1.5)
    assert Number("q", "数量", places=3).parse("12.5斤") == Decimal("12.500")
    assert Bool("b", "预算单位").parse("是") is True and Bool("b", "预算单位").parse("否") is False
    assert Date("d", "日期").parse("2022.6.26") == datetime.date(2022, 6, 26)
    with pytest.raises(ValueError, match="不在合理范围内"):
        Date("d", "日期").parse("1899-12-31")
    linkage = MultiChoice("linkage", "联农带农方式", Project.LINKAGES)
    assert linkage.parse("资产性，工资性、资产性") == "asset,wage"
    assert linkage.export("asset,wage") == "资产性、工资性"


@pytest.mark.parametrize("raw,expected", [("一千二", 1200), ("一千二百人", 1200), ("1.2万", 12000), ("１，２００", 1200),
                                          ("两万零一百六", 20160), (1200.0, 1200)])
def test_int_reads_numerals_exactly(raw, expected):
    col = Int("jobs", "就业")
    assert col.parse(raw) == expected and col.fast()(raw) == expected


@pytest.mark.parametrize("raw,message", [
    ("一千二三", "数字“一千二三”无法识别：“二三”是连写的数字，无法确定各自的位数"),
    ("1.23456万", "应为整数，实际为“1.23456万”"),
    (1e300, "不能大于2147483647"),  # a column without its own maximum stops where the database does
    ("99999999999", "不能大于2147483647"),
])
def test_int_refuses_with_a_message(raw, message):
    col = Int("jobs", "就业")
    for parse in (col.parse, col.fast()):
        with pytest.raises(ValueError) as refused:
            parse(raw)
        assert str(refused.value) == message


def test_number_reads_numerals_and_keeps_the_measure_word_off():
    col = Number("q", "数量", places=3)
    # 1.2万斤 was once read as 1.2: the trailing unit was cut together with 万.
    assert [col.parse(v) for v in ("一千二百斤", "1.2万斤", "十二点五", "(1,200)")] == [
        Decimal("1200.000"), Decimal("12000.000"), Decimal("12.500"), Decimal("-1200.000")]
    with pytest.raises(ValueError, match="^数字“一千二三”无法识别"):
        col.parse("一千二三斤")
    with pytest.raises(ValueError, match="^数值“1e\\+300”不在合理范围内$"):
        col.parse(1e300)


def test_preview_shows_the_stored_value_beside_the_text():
    amount = Amount("amount", "金额")
    assert amount.preview("一千二", amount.parse("一千二", "万元")) == "一千二 → 12,000,000.00元"
    assert amount.preview("1,200.00元", Decimal("1200")) == "1,200.00元"  # reads the same: shown once
    assert amount.preview("", None) == ""
    assert Date("d", "日期").preview("2022/6/26", datetime.date(2022, 6, 26)) == "2022/6/26 → 2022年6月26日"
    assert Bool("b", "预算单位").preview("√", True) == "√ → 是"
    assert Number("q", "数量", places=3).preview(100.0, Decimal("100.000")) == "100"


# ------------------------------------------------------------ batch converters
# A column's batch converter (the importer's column path) must give each
# cell exactly what the row path gives it — `fast(cell)`, or the column's
# empty value for a blank cell of an optional column — down to the Decimal's
# exponent; where one cell would be refused it gives None (the row path then
# words the error).

def row_path(col, cells, unit=None):
    """What the row path gives for the cells, or None when it refuses one."""
    parse, values = col.fast(unit), []
    for cell in cells:
        if cell == "":
            if col.required:
                return None
            values.append(col.empty())
            continue
        try:
            values.append(parse(cell))
        except ValueError:
            return None
    return values


def shown(values):
    return [(type(v).__name__, str(v)) for v in values]


def same_as_row_path(col, cells, unit=None, *, sure=False):
    got = col.batch(unit)(list(cells), set(map(type, cells)))
    expected = row_path(col, cells, unit)
    if expected is None:
        assert got is None
    elif got is not None or sure:
        assert shown(got) == shown(expected)
    return got


CENTS = st.integers(min_value=-10 ** 12, max_value=10 ** 15).map(lambda k: k / 100)
THOUSANDTHS = st.integers(min_value=-10 ** 12, max_value=10 ** 15).map(lambda k: k / 1000)
NUMBERS = st.one_of(CENTS, THOUSANDTHS, st.floats(allow_nan=False, min_value=-1e16, max_value=1e16),
                    st.sampled_from([0.0, -0.0, 0.005, 1.005, 2.675, 1e15, 4.5e13, 123456789012.345, float("nan"),
                                     float("inf")]))
NUMBER_CELLS = st.lists(st.one_of(NUMBERS, st.sampled_from(["", "1,280.00", "12.5斤", "x", "  "])), min_size=1,
                        max_size=30)
NUMBER_COLUMNS = [Amount("amount", "金额"), Amount("amount", "金额", positive=True, required=True),
                  Amount("price", "单价", default=Decimal("1.00")), Number("q", "数量", places=3, positive=True),
                  Number("q", "数量", places=2), Number("q", "数量", places=0, required=True)]


@given(NUMBER_CELLS, st.sampled_from([None, "万元"]))
def test_a_number_column_converts_as_the_row_path(cells, unit):
    for col in NUMBER_COLUMNS:
        same_as_row_path(col, cells, unit if isinstance(col, Amount) else None)
        same_as_row_path(col, cells * 3, unit if isinstance(col, Amount) else None)  # repeated: through the memo


@given(st.lists(st.one_of(CENTS.filter(lambda x: 0 < x < 1e13), st.just("")), min_size=1, max_size=30),
       st.lists(st.one_of(THOUSANDTHS.filter(lambda x: 0 < x < 1e11), st.just("")), min_size=1, max_size=30))
def test_spreadsheet_numbers_are_taken_as_columns(amounts, quantities):
    """Amounts with cents and quantities with up to three decimals (and
    blanks of an optional column) never need the row path."""
    assert same_as_row_path(Amount("amount", "金额", positive=True), amounts, sure=True) is not None
    assert same_as_row_path(Number("q", "数量", places=3, positive=True), quantities, sure=True) is not None


def test_number_converters_keep_the_exponent_the_row_path_gives():
    amount = Amount("amount", "金额").batch()
    assert shown(amount([12.0, 0.1, 1234.5, 2.675, -0.0], {float})) == [
        ("Decimal", "12.00"), ("Decimal", "0.10"), ("Decimal", "1234.50"), ("Decimal", "2.68"), ("Decimal", "-0.00")]
    quantity = Number("q", "数量", places=3).batch()
    assert shown(quantity([12.0, 0.5, 12.3456, ""], {float, str})) == [
        ("Decimal", "12.000"), ("Decimal", "0.500"), ("Decimal", "12.346"), ("NoneType", "None")]


DATES = st.dates(min_value=datetime.date(1980, 1, 1), max_value=datetime.date(2110, 12, 31))
DATE_CELLS = st.lists(st.one_of(
    DATES, DATES.map(lambda d: datetime.datetime.combine(d, datetime.time())),
    DATES.map(lambda d: f"{d.year}年{d.month}月{d.day}日"), DATES.map(lambda d: f"{d.year}/{d.month}/{d.day}"),
    DATES.map(lambda d: f"{d.year}.{d.month}.{d.day}"), DATES.map(lambda d: d.strftime("%Y%m%d")),
    DATES.map(lambda d: d.isoformat()), DATES.map(lambda d: float((d - datetime.date(1899, 12, 30)).days)),
    st.sampled_from(["", "  ", "六月底", "2022年2月30日", True])), min_size=1, max_size=30)


@given(DATE_CELLS)
def test_a_date_column_converts_as_the_row_path(cells):
    for col in (Date("date", "日期"), Date("date", "日期", required=True)):
        same_as_row_path(col, cells)


def test_dates_typed_as_text_among_date_cells_are_taken_as_columns():
    cells = [datetime.date(2022, 6, 26), "2022年6月27日", "2022/6/28", "2022.6.29", "20220630", "2022-07-01", "",
             datetime.date(2022, 6, 26)]
    assert same_as_row_path(Date("date", "日期"), cells, sure=True) == [
        datetime.date(2022, 6, 26), datetime.date(2022, 6, 27), datetime.date(2022, 6, 28), datetime.date(2022, 6, 29),
        datetime.date(2022, 6, 30), datetime.date(2022, 7, 1), None, datetime.date(2022, 6, 26)]


@given(st.lists(st.one_of(st.sampled_from(["", "  ", " 凭证-1 ", "x" * 61, "备注"]), CENTS), min_size=1, max_size=20))
def test_a_text_column_converts_as_the_row_path(cells):
    for col in (Text("voucher_no", "凭证号", max_length=60), Text("name", "名称", required=True),
                Text("note", "备注", default="无")):
        same_as_row_path(col, cells)


@given(st.lists(st.sampled_from(["直接采购", "帮助销售", "purchased", "直采", "", " 直接采购", "其他"]), min_size=1,
                max_size=20))
def test_a_choice_column_converts_as_the_row_path(cells):
    kinds = [("purchased", "直接采购"), ("helped", "帮助销售")]
    for col in (Choice("kind", "类型", kinds, aliases={"直采": "purchased"}),
                Choice("kind", "类型", kinds, required=True)):
        got = same_as_row_path(col, cells)
        if all(c in ("直接采购", "帮助销售", "purchased", "") for c in cells) and not (col.required and "" in cells):
            assert got is not None  # the names as written: no doubt
