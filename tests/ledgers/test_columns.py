"""Column types and header normalisation, without a database."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xiezuo.funds.models import Project
from xiezuo.ledgers.columns import Amount, Bool, Date, Int, MultiChoice, Number, normalize_header


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
