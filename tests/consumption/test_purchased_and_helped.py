"""The national indicator counts purchases (直接采购) and helped sales
(帮助销售) separately: each figure is checked against hand-worked sums of a
year the demo leaves empty."""

import datetime

from xiezuo.consumption.models import Sale
from xiezuo.figures import compute

YEAR = 2031


def test_purchased_and_helped_are_each_their_own_sum(county, make_sale):
    day = datetime.date(YEAR, 4, 2)
    for quantity, price in (("10", "12.50"), ("3", "99.99"), ("1", "0.01")):  # 125.00 + 299.97 + 0.01
        make_sale(day=day, quantity=quantity, unit_price=price)
    for quantity, price in (("7", "20.00"), ("2", "333.33")):  # 140.00 + 666.66
        make_sale(day=day, kind=Sale.HELPED, quantity=quantity, unit_price=price)

    f = compute(county, [YEAR], ["consumption"])["consumption"]

    assert (f["purchased"], f["helped_sales"], f["total"], f["count"]) == ("424.98", "806.66", "1231.64", 5)


def test_a_sale_changed_to_helped_moves_between_the_two(county, make_sale):
    sale = make_sale(day=datetime.date(YEAR, 6, 1), quantity="4", unit_price="25.00")
    before = compute(county, [YEAR], ["consumption"])["consumption"]
    sale.kind = Sale.HELPED
    sale.save()
    after = compute(county, [YEAR], ["consumption"])["consumption"]
    assert (before["purchased"], before["helped_sales"]) == ("100.00", "0.00")
    assert (after["purchased"], after["helped_sales"], after["total"]) == ("0.00", "100.00", "100.00")
