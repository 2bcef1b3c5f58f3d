"""The consumption section read whole on sales of a year no demo sale has:
the channels in order of amount (ties by id), the top buyers and products
with every key, the suppliers with sales, and a deleted sale's emptied
totals left out; the totals path and the rows path agree."""

import datetime

import pytest

from xiezuo.consumption.figures import from_rows, from_totals
from xiezuo.consumption.models import Sale

pytestmark = pytest.mark.django_db

DAY = datetime.date(2031, 3, 9)


def test_the_section_read_whole_on_both_paths(county, refs, make_sale):
    (b0, b1, b2), (p0, p1), (c0, c1, c2) = refs["buyers"][:3], refs["products"][:2], refs["channels"][:3]
    make_sale(day=DAY, buyer=b0, product=p0, channel=c0, quantity="10", unit_price="12.55")      # 125.50
    make_sale(day=DAY, buyer=b1, product=p1, channel=c1, kind=Sale.HELPED, quantity="1", unit_price="125.50")
    make_sale(day=DAY.replace(month=4), buyer=b0, product=p0, channel=c2, quantity="2", unit_price="150.00")
    make_sale(day=DAY, buyer=b2, product=p1, channel=c2, quantity="1", unit_price="9.99").delete()

    figures = from_totals([county.pk], [2031])
    assert figures == from_rows([county.pk], [2031])
    assert (figures["total"], figures["purchased"], figures["helped_sales"], figures["count"]) == (
        "551.00", "425.50", "125.50", 3)
    assert figures["by_channel"] == [
        {"id": c.pk, "code": c.code, "name": c.name, "kind": c.kind, "amount": amount}
        for c, amount in ((c2, "300.00"), (c0, "125.50"), (c1, "125.50"))]
    assert figures["by_month"] == [{"month": "2031-03", "amount": "251.00"}, {"month": "2031-04", "amount": "300.00"}]
    assert figures["top_buyers"] == [{"id": b0.pk, "name": b0.name, "kind": b0.kind, "amount": "425.50"},
                                     {"id": b1.pk, "name": b1.name, "kind": b1.kind, "amount": "125.50"}]
    assert figures["top_products"] == [
        {"id": p0.pk, "name": p0.name, "supplier": p0.supplier.organisation.name, "amount": "425.50"},
        {"id": p1.pk, "name": p1.name, "supplier": p1.supplier.organisation.name, "amount": "125.50"}]
    assert figures["suppliers"]["with_sales"] == len({p0.supplier_id, p1.supplier_id})
