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
