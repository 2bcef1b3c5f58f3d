"""The consumption section where the demo does not reach: agreement targets
written in each unit and another pairing's, suppliers registered without
sales, ties in every ordering, another pairing's sales in the same year on
both paths, and the trend's yearly totals."""

import datetime
from decimal import Decimal

import pytest

from xiezuo.consumption.figures import _assemble, consumption_by_year, from_rows, from_totals, target_yuan
from xiezuo.consumption.models import Supplier
from xiezuo.pairings.models import Agreement, AgreementTarget, Pairing

pytestmark = pytest.mark.django_db


def target(pairing, year, value, unit):
    agreement = Agreement.objects.create(pairing=pairing, year=year, title=f"{year}年度协议")
    AgreementTarget.objects.create(agreement=agreement, indicator="consumption", value=Decimal(value), unit=unit)


def test_targets_are_summed_in_their_own_units_for_this_pairing_only(county, foreign):
    target(county, 2031, "5000", "元")
    target(county, 2032, "2", "万")  # not a listed unit: read as 万元, the agreements' unit
    target(county, 2033, "3", " ")  # no unit written: 万元
    target(county, 2034, "1.5", "亿元")
    target(foreign, 2031, "999", "万元")
    assert target_yuan(county.pk, [2031]) == Decimal("5000")
    assert target_yuan(county.pk, [2032]) == Decimal("20000")
    assert target_yuan(county.pk, [2033]) == Decimal("30000")
    assert target_yuan(county.pk, [2034]) == Decimal("150000000")
    assert target_yuan(county.pk, [2031, 2032, 2033, 2034]) == Decimal("150055000")
    assert target_yuan(county.pk, [2035]) is None


def test_suppliers_registered_count_those_without_sales(county):
    registered = Supplier.objects.filter(pairing=county).count()
    assert registered > 0
    figures = from_totals([county.pk], [2030])
    assert figures["suppliers"] == {"registered": registered, "with_sales": 0} == from_rows([county.pk], [2030])["suppliers"]


def test_channels_of_equal_amounts_are_in_id_order_whatever_order_the_database_gives():
    cells = [(9, "c9", "渠道九", "online", "purchased", 2031, 3, 500, 1),
             (4, "c4", "渠道四", "offline", "purchased", 2031, 3, 500, 1),
             (7, "c7", "渠道七", "online", "helped", 2031, 4, 800, 2)]
    figures = _assemble([0], [2031], cells, [], [], (0, 0))
    assert [c["id"] for c in figures["by_channel"]] == [7, 4, 9]
    assert (figures["total"], figures["purchased"], figures["helped_sales"], figures["count"]) == (
        "18.00", "10.00", "8.00", 4)


def test_another_pairings_sales_of_the_year_count_on_neither_path(county, refs, make_sale):
    day = datetime.date(2031, 5, 6)
    sub = Pairing.objects.filter(parent=county).order_by("pk").first()
    (b0, b1), (p0, p1) = refs["buyers"][:2], refs["products"][:2]
    # Two buyers and two products of the same amount: the ties go by id.
    make_sale(day=day, buyer=b1, product=p1, quantity="1", unit_price="100.00")
    make_sale(day=day, buyer=b0, product=p0, quantity="1", unit_price="100.00")
    make_sale(pairing=sub, day=day, buyer=b1, product=p1, quantity="1", unit_price="7777.00")
    figures = from_totals([county.pk], [2031])
    assert figures == from_rows([county.pk], [2031])
    assert figures["total"] == "200.00"
    assert [b["id"] for b in figures["top_buyers"]] == sorted([b0.pk, b1.pk])
    assert [p["id"] for p in figures["top_products"]] == sorted([p0.pk, p1.pk])
    both = from_totals([county.pk, sub.pk], [2031])
    assert both == from_rows([county.pk, sub.pk], [2031]) and both["total"] == "7977.00"


def test_the_trend_gives_each_years_total_of_the_section(county, make_sale):
    sub = Pairing.objects.filter(parent=county).order_by("pk").first()
    make_sale(day=datetime.date(2031, 5, 6), quantity="1", unit_price="100.00")
    make_sale(day=datetime.date(2031, 7, 1), quantity="2", unit_price="0.50")
    make_sale(day=datetime.date(2033, 1, 1), quantity="1", unit_price="3.00")
    make_sale(day=datetime.date(2032, 2, 1), quantity="1", unit_price="8.00").delete()  # its key left empty
    make_sale(pairing=sub, day=datetime.date(2031, 5, 6), quantity="1", unit_price="5000.00")
    years = [2031, 2032, 2033]
    assert consumption_by_year([county.pk], years) == {y: {"total": from_totals([county.pk], [y])["total"]}
                                                       for y in years}
    assert consumption_by_year([county.pk], years) == {2031: {"total": "101.00"}, 2032: {"total": "0.00"},
                                                       2033: {"total": "3.00"}}
