"""The column converters at their limits, without a database: each refusal
with its words, each boundary on both sides, and the quick path of a
plausible cell (the slow `parse` words refusals; a converter that sends
good cells there is right but slow, and one that keeps refusals on the
quick path stores them)."""

import datetime
from decimal import Decimal

import pytest

from xiezuo.ledgers.columns import Amount, Bool, Column, Text, clean_text, normalize_header, unit_word


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
