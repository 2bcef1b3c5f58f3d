"""The column converters at their limits, without a database: each refusal
with its words, each boundary on both sides, and the quick path of a
plausible cell (the slow `parse` words refusals; a converter that sends
good cells there is right but slow, and one that keeps refusals on the
quick path stores them)."""

import datetime
from decimal import Decimal

import pytest

from xiezuo.funds.models import Project
from xiezuo.ledgers.columns import (
    USCC, Amount, Bool, Choice, Column, Date, IDNumber, Int, Lookup, MultiChoice, Number, Text, Year, clean_text,
    normalize_header, unit_word,
)


def refused(parse, raw):
    with pytest.raises(ValueError) as caught:
        parse(raw)
    return str(caught.value)


def no_slow_path(column):
    """The column's converters with `parse` replaced by a failure: a cell
    they take the quick way never reaches it."""
    def slow(value, unit=None):
        raise AssertionError(f"{value!r} took the slow path")
    column.parse = slow
    return column


def test_clean_text_of_each_cell_type():
    assert clean_text(None) == ""
    assert clean_text("  甲 ") == "甲"
    assert clean_text(12.0) == "12" and clean_text(12.5) == "12.5"
    assert clean_text(datetime.date(2022, 6, 26)) == "2022-06-26"
    assert clean_text(datetime.datetime(2022, 6, 26, 8, 30)) == "2022-06-26T08:30:00"


@pytest.mark.parametrize("cell,unit", [
    ("万元", "万元"), ("（万元）", "万元"), ("( 万元 )", "万元"), (" 万 元 ", "万元"), ("[人]", "人"), ("(人)", "人"),
    ("(亿元)", "亿元"), ("人", "人"),
    # Brackets count only around the whole word, and only as a pair.
    ("x万元)", None), ("(万元x", None), ("x万元x", None), ("万元)", None), ("(万元", None),
    ("", None), (None, None), ("金额", None), ("()", None),
])
def test_unit_word_reads_a_units_row_cell(cell, unit):
    assert unit_word(cell) == unit


def test_normalize_header_drops_both_required_marks():
    assert normalize_header("※到位日期") == ("到位日期", None)
    assert normalize_header("*金额（万元）*") == ("金额", "万元")


def test_a_column_keeps_what_it_is_declared_with():
    column = Column("voucher", "凭证号", synonyms=["记账凭证号"], required=True, help="会计凭证编号",
                    example="记-0001", max_length=20, unit="张", default="无", readonly=True, source="voucher_id")
    assert (column.field, column.header, column.synonyms, column.required, column.help, column.example,
            column.max_length, column.unit, column.default, column.readonly, column.source) == (
        "voucher", "凭证号", ("记账凭证号",), True, "会计凭证编号", "记-0001", 20, "张", "无", True, "voucher_id")
    assert column.title == "凭证号（张）" and not column.stored and column.empty() == "无"
    plain = Column("note", "备注")
    assert (plain.synonyms, plain.required, plain.max_length, plain.unit, plain.readonly, plain.source) == (
        (), False, None, None, False, None)
    assert plain.title == "备注" and plain.stored and plain.empty() == ""


def test_an_amount_column_is_in_yuan_unless_declared_otherwise():
    amount = Amount("amount", "金额", required=True, synonyms=["金额数"])
    assert (amount.unit, amount.title, amount.required, amount.synonyms, amount.positive) == (
        "元", "金额（元）", True, ("金额数",), False)
    assert Amount("amount", "金额", unit="万元").title == "金额（万元）"
    assert Amount("amount", "金额", positive=True).positive is True


def test_text_length_on_both_sides_of_the_limit():
    column = Text("name", "名称", max_length=3)
    for parse in (column.parse, column.fast()):
        assert parse(" 甲乙丙 ") == "甲乙丙"
        assert refused(parse, "甲乙丙丁") == "内容过长：最多3个字，实际4个字"
    assert Column("name", "名称", max_length=3).parse("甲乙丙") == "甲乙丙"
    assert refused(Column("name", "名称", max_length=3).parse, "甲乙丙丁") == "内容过长：最多3个字，实际4个字"
    convert = column.batch()
    assert convert(["甲乙丙", "甲"], {str}) == ["甲乙丙", "甲"]
    assert convert(["甲乙丙丁", "甲"], {str}) is None  # the row path words it


def test_a_text_column_of_numbers_and_texts_is_converted_as_a_column():
    convert = Text("voucher", "凭证号", max_length=10).batch()
    cells = ["记-1", 17.0, 18, " 记-2 "]
    assert convert(cells, {str, float, int}) == ["记-1", "17", "18", "记-2"]
    assert convert([datetime.date(2022, 1, 1)], {datetime.date}) is None


def test_column_export_and_empty():
    column = Column("note", "备注")
    assert column.export(None) == "" and column.export("甲") == "甲" and column.export(0) == 0
    assert Column("note", "备注", default="无").empty() == "无"


def test_the_preview_of_a_cell_that_reads_as_the_empty_value():
    # "否" in an optional yes/no column is the column's empty value (False),
    # and the preview still shows what the cell says.
    column = Bool("budget", "预算单位")
    assert column.empty() is False
    assert column.preview("否", False) == "否"
    assert column.preview("", False) == ""
    assert Text("note", "备注").preview("", "") == ""


@pytest.mark.parametrize("raw,message", [("-5", "金额不能为负数"), (-5.0, "金额不能为负数"),
                                         ("100000000000000", "金额过大"), (1e14, "金额过大"),
                                         ("100万亿", "金额过大")])
def test_amount_refusals_are_worded(raw, message):
    column = Amount("amount", "金额")
    for parse in (column.parse, column.fast()):
        assert refused(parse, raw) == message


def test_amount_limits_on_both_sides():
    column = Amount("amount", "金额")
    for parse in (column.parse, column.fast()):
        assert parse("0") == Decimal("0") and parse(0.0) == Decimal("0")
        assert parse("99999999999999.99") == Decimal("99999999999999.99")
        assert parse(99999999999999.98) == Decimal("99999999999999.98")
    positive = Amount("amount", "金额", positive=True)
    for parse in (positive.parse, positive.fast()):
        assert refused(parse, "0") == "金额应大于0"
        assert refused(parse, 0.0) == "金额应大于0"
        assert refused(parse, -3.0) == "金额应大于0"
        assert parse("1") == Decimal("1") and parse(1.0) == Decimal("1") and parse(0.01) == Decimal("0.01")


def test_plausible_amount_cells_take_the_quick_path():
    quick = no_slow_path(Amount("amount", "金额")).fast()
    assert [quick(v) for v in (12.5, 0.0, 0.5, 1.0, 99999999999999.98, 1e13)] == [
        Decimal("12.50"), Decimal("0.00"), Decimal("0.50"), Decimal("1.00"), Decimal("99999999999999.98"),
        Decimal("10000000000000.00")]
    assert no_slow_path(Amount("amount", "金额")).fast("万元")(0.12) == Decimal("1200.00")
    positive = no_slow_path(Amount("amount", "金额", positive=True)).fast()
    assert [positive(v) for v in (1.0, 0.5, 0.01)] == [Decimal("1.00"), Decimal("0.50"), Decimal("0.01")]


@pytest.mark.parametrize("unit", ["人", "个", "%", None, "元"])
def test_an_amount_under_a_unit_that_is_not_money_is_in_yuan(unit):
    # A header such as 金额（个） names a unit the amount does not scale by.
    column = Amount("amount", "金额")
    assert column.parse(12.5, unit) == column.fast(unit)(12.5) == Decimal("12.50")
    assert column.batch(unit)([12.5, 3.0], {float}) == [Decimal("12.50"), Decimal("3.00")]


def test_brackets_must_be_the_units_own():
    assert unit_word("X万元)") is None and unit_word("(万元X") is None
    assert normalize_header("X射线机") == ("X射线机", None)


def test_the_preview_of_a_blank_cell_filled_by_a_rule():
    column = Amount("amount", "金额")
    assert column.preview("", Decimal("5")) == "（空） → 5.00元"


def test_a_text_cell_of_exactly_the_limit_takes_the_quick_path():
    assert no_slow_path(Text("name", "名称", max_length=3)).fast()(" 甲乙丙 ") == "甲乙丙"


# --- dates ---------------------------------------------------------------------

@pytest.mark.parametrize("raw,day", [("1990-01-01", datetime.date(1990, 1, 1)), ("2100-12-31", datetime.date(2100, 12, 31)),
                                     (datetime.date(1990, 1, 1), datetime.date(1990, 1, 1)),
                                     (datetime.date(2100, 12, 31), datetime.date(2100, 12, 31))])
def test_dates_at_both_ends_of_the_range(raw, day):
    column = Date("day", "日期")
    assert column.parse(raw) == column.fast()(raw) == day


@pytest.mark.parametrize("raw", ["1989-12-31", "2101-01-01", datetime.date(1989, 12, 31), datetime.date(2101, 1, 1)])
def test_dates_outside_the_range_are_refused(raw):
    column = Date("day", "日期")
    for parse in (column.parse, column.fast()):
        assert refused(parse, raw) == f"日期“{raw}”不在合理范围内"


def test_date_cells_in_range_take_the_quick_path():
    quick = no_slow_path(Date("day", "日期")).fast()
    assert quick(datetime.date(1990, 1, 1)) == datetime.date(1990, 1, 1)
    assert quick(datetime.date(2100, 12, 31)) == datetime.date(2100, 12, 31)


@pytest.mark.parametrize("cells,taken", [
    ([datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)], True),
    ([datetime.date(1989, 12, 31), datetime.date(2000, 1, 1)], False),
    ([datetime.date(2000, 1, 1), datetime.date(2101, 1, 1)], False),
])
def test_a_column_of_date_cells_is_taken_whole_only_inside_the_range(cells, taken):
    convert = Date("day", "日期").batch()
    assert convert(cells, {datetime.date}) == (cells if taken else None)


def test_a_date_column_of_every_cell_type_is_converted_as_a_column():
    convert = Date("day", "日期", default=datetime.date(2000, 1, 1)).batch()
    cells = [datetime.date(2022, 1, 1), datetime.datetime(2022, 1, 2, 0, 0), "2022-01-03", 44562.0, 20220104, ""]
    assert convert(cells, {datetime.date, datetime.datetime, str, float, int}) == [
        datetime.date(2022, 1, 1), datetime.date(2022, 1, 2), datetime.date(2022, 1, 3), datetime.date(2022, 1, 1),
        datetime.date(2022, 1, 4), datetime.date(2000, 1, 1)]
    assert Date("day", "日期", required=True).batch()(["2022-01-03", ""], {str}) is None


def test_a_date_column_past_the_memo_size_starts_it_again():
    convert = Date("day", "日期").batch()
    days = [datetime.date(1990, 1, 1) + datetime.timedelta(days=n) for n in range(40_000)]
    first = [d.isoformat() for d in days]
    assert convert(first, {str}) == days
    # 40,000 remembered and 20,000 new ones: more than the memo keeps.
    second = [f"{d.year}/{d.month}/{d.day}" for d in days[:20_000]]
    assert convert(second, {str}) == days[:20_000]
    assert convert(first[:5], {str}) == days[:5]


def test_dates_are_shown_as_the_offices_write_them():
    column = Date("day", "日期")
    assert column.display(datetime.date(2022, 6, 26)) == "2022年6月26日"
    assert column.display("待定") == "待定"


# --- whole numbers ---------------------------------------------------------------

def test_int_limits_and_their_words():
    column = Int("jobs", "就业", required=True)
    assert column.required and column.minimum == 0
    assert column.parse(7) == 7 and column.parse(0) == 0 and column.parse(2_147_483_647) == 2_147_483_647
    assert refused(column.parse, -1) == "不能小于0"
    assert refused(column.parse, True) == "数字“True”无法识别，请填写数字，如1200或一千二百"
    capped = Int("months", "月数", maximum=10)
    for parse in (capped.parse, capped.fast()):
        assert parse(10.0) == 10 and parse("10") == 10
        assert refused(parse, 11.0) == "不能大于10"
    for parse in (column.parse, column.fast()):
        assert refused(parse, -1.0) == "不能小于0"
    assert Int("change", "增减", minimum=None).parse(-5) == -5


def test_whole_number_cells_in_range_take_the_quick_path():
    quick = no_slow_path(Int("months", "月数", maximum=10)).fast()
    assert [quick(v) for v in (0.0, 1.0, 10.0)] == [0, 1, 10]


# --- code lists ------------------------------------------------------------------

def test_a_choice_column_reads_labels_and_codes_however_spaced():
    column = Choice("linkage", "联农带农方式", Project.LINKAGES, required=True)
    assert (column.field, column.header, column.required) == ("linkage", "联农带农方式", True)
    assert column.parse(" ASSET ") == "asset" and column.parse("资产 性") == "asset" and column.parse("资产性") == "asset"
    assert refused(column.parse, "其他") == "不是有效的选项，应为：工资性、资产性、经营性"
    assert column.export("asset") == "资产性" and column.export("zzz") == "zzz"
    assert column.export(None) == "" and column.export("") == ""


def test_choice_cells_written_as_labels_or_codes_take_the_quick_path():
    quick = no_slow_path(Choice("linkage", "联农带农方式", Project.LINKAGES)).fast()
    assert [quick(v) for v in ("资产性", "asset", "工资性")] == ["asset", "asset", "wage"]


def test_a_multiple_choice_names_the_part_it_does_not_know():
    column = MultiChoice("linkage", "联农带农方式", Project.LINKAGES)
    assert refused(column.parse, "资产性、其他") == "“其他”不是有效的选项，应为：工资性、资产性、经营性（可多选，以顿号分隔）"
    assert column.export("asset,zzz") == "资产性、zzz" and column.export(None) == ""


# --- quantities ------------------------------------------------------------------

def test_number_limits_rounding_and_words():
    column = Number("q", "数量", required=True)
    assert column.required
    assert Number("q", "数量", places=3).parse("1.2345") == Decimal("1.235")
    assert column.parse("0.125") == Decimal("0.13")  # half up, as offices round
    assert column.parse("99999999999.99") == Decimal("99999999999.99")
    assert refused(column.parse, "100000000000") == "数值“100000000000”不在合理范围内"
    assert refused(column.parse, "斤") == "应为数字，实际为“斤”"
    for parse in (column.parse, column.fast()):
        assert refused(parse, "abc") == "应为数字，实际为“abc”"
        assert refused(parse, 1e11) == "数值“100000000000.0”不在合理范围内"
        assert refused(parse, 1e12) == "数值“1000000000000.0”不在合理范围内"
        assert parse(0.0) == Decimal("0.00") and parse(-2.0) == Decimal("-2.00")
    positive = Number("q", "数量", positive=True)
    assert positive.positive is True
    for parse in (positive.parse, positive.fast()):
        assert refused(parse, "0") == "应大于0"
        assert refused(parse, 0.0) == "应大于0"
        assert refused(parse, -2.0) == "应大于0"
        assert parse("1") == Decimal("1.00") and parse(1.0) == Decimal("1.00")


def test_plausible_quantities_take_the_quick_path():
    quick = no_slow_path(Number("q", "数量")).fast()
    assert [quick(v) for v in (5.0, 0.0, -2.5)] == [Decimal("5.00"), Decimal("0.00"), Decimal("-2.50")]
    positive = no_slow_path(Number("q", "数量", positive=True)).fast()
    assert [positive(v) for v in (1.0, 0.5)] == [Decimal("1.00"), Decimal("0.50")]


def test_a_quantity_column_as_a_column():
    convert = Number("q", "数量").batch()
    assert convert([0.0, -1.5, 2.0], {float}) == [Decimal("0.00"), Decimal("-1.50"), Decimal("2.00")]
    assert convert([1e11, 2.0], {float}) is None
    # 0.004 rounds to 0.00, which a positive column refuses: the row path words it.
    assert Number("q", "数量", positive=True).batch()([0.004, 5.0], {float}) is None
    with_default = Number("q", "数量", default=Decimal("0")).batch()
    assert with_default(["", 2.5], {str, float}) == [Decimal("0"), Decimal("2.50")]


def test_quantities_are_shown_without_trailing_zeros():
    column = Number("q", "数量")
    assert column.display(None) == "" and column.display(Decimal("12.50")) == "12.5"


# --- yes / no --------------------------------------------------------------------

def test_yes_and_no_in_any_case_and_the_words_of_a_refusal():
    column = Bool("budget", "预算单位")
    for parse in (column.parse, column.fast()):
        assert parse("Yes") is True and parse("N") is False and parse("否") is False
        assert refused(parse, "maybe") == "应填写“是”或“否”"
    assert Bool("budget", "预算单位", default=True).empty() is True


def test_yes_and_no_as_written_take_the_quick_path():
    quick = no_slow_path(Bool("budget", "预算单位")).fast()
    assert [quick(v) for v in ("是", "否", "yes", "0")] == [True, False, True, False]


def test_a_yes_no_column_as_a_column():
    assert Bool("budget", "预算单位").batch()(["是", "否", ""], {str}) == [True, False, False]
    assert Bool("budget", "预算单位", required=True).batch()(["是", ""], {str}) is None


# --- what the instructions sheet says of each column ----------------------------

@pytest.mark.parametrize("column,said", [
    (Amount("amount", "金额"), "金额，单位见表头（元/万元/亿元），也可写4,300万元、1.68亿、一千二百、肆仟叁佰万元整"),
    (Date("day", "日期"), "日期，如2022年6月26日、2022-06-26、2022/6/26、2022.6.26、20220626"),
    (Choice("linkage", "方式", Project.LINKAGES), "下拉选项：工资性、资产性、经营性"),
    (MultiChoice("linkage", "方式", Project.LINKAGES), "可多选，以顿号分隔：工资性、资产性、经营性"),
    (Number("q", "数量"), "数字"),
    (Number("q", "数量", positive=True), "数字，应大于0"),
    (Bool("b", "是否"), "填写“是”或“否”"),
    (Int("n", "人数"), "整数"),
    (Year("year", "年度"), "年度，四位数字，如2022"),
    (USCC("uscc", "统一社会信用代码"), "18位统一社会信用代码（校验位检查）"),
    (IDNumber("id_number", "身份证号"), "18位公民身份号码（校验位检查），请以文本格式填写"),
    (Text("note", "备注"), "文本"),
])
def test_each_column_says_what_it_takes(column, said):
    assert column.describe() == said


def test_a_column_names_its_type_field_and_header():
    assert repr(Text("name", "名称")) == "<Text name 名称>"


# --- years, codes and identity numbers --------------------------------------------

def test_a_year_column_takes_the_years_of_the_platform_only():
    column = Year("year", "年度", required=True)
    assert column.required and (column.minimum, column.maximum) == (2000, 2100)
    for parse in (column.parse, column.fast()):
        assert parse(2000.0) == 2000 and parse("2100") == 2100 and parse("2022年") == 2022
        for wrong in (1999.0, "2101", "明年"):
            assert refused(parse, wrong) == "年度应为2000至2100之间的四位数字，如2022"


def test_codes_and_identity_numbers_are_checked_on_every_path():
    uscc = USCC("uscc", "统一社会信用代码")
    for parse in (uscc.parse, uscc.fast()):
        assert parse(" 91350100M000100Y43 ") == "91350100M000100Y43"
        assert refused(parse, "91320116MA1TEST01A") == "统一社会信用代码含有不允许的字符“S”（不使用I、O、Z、S、V）"
    person = IDNumber("id_number", "身份证号")
    for parse in (person.parse, person.fast()):
        assert parse("110101199003074514") == "110101199003074514"
        assert refused(parse, "110101199003074515") == "身份证号校验位错误：应为“4”，实际为“5”"


def test_identity_numbers_are_masked_wherever_they_are_shown():
    person = IDNumber("id_number", "身份证号")
    assert person.shown("110101199003074514") == "1101**********4514"
    assert person.shown(" 123456789 ") == "1234*6789"
    assert person.shown("12345678") == "********" and person.shown("") == ""


def test_quantities_are_exported_as_numbers():
    column = Number("q", "数量")
    assert column.export(None) == "" and column.export(Decimal("12.50")) == 12.5


def test_a_lookup_keeps_what_it_is_declared_with_and_lists_no_option_before_it_is_prepared():
    column = Lookup("organisation", "对应单位", queryset=None, keys=("name", "uscc"), what="单位")
    assert (column.field, column.header, column.attname) == ("organisation", "对应单位", "organisation_id")
    assert column.options() == []
    assert column.describe() == "单位名称或代码，须已在系统中登记"
    assert Lookup("buyer", "购买单位", queryset=None, what="购买单位").describe() == "购买单位名称，须已在系统中登记"
