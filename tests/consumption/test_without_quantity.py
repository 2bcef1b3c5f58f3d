"""Sales of the amount alone (no 数量, no 单价, as amount-only ledgers give
them) wherever sales are entered, shown or summed: the figures, the list
page, the form and the API."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from xiezuo.consumption.figures import from_rows, from_totals
from xiezuo.consumption.models import Sale
from xiezuo.consumption.services import bulk_create_sales
from xiezuo.consumption.totals import differences

from ..checklist import login, token_client

pytestmark = pytest.mark.django_db
D = datetime.date


def test_figures_sum_sales_without_quantity_or_price(county, refs, api_for):
    # 2024: a year of its own, so the figures hold these sales alone.
    buyer, product, channel = refs["buyers"][1], refs["products"][0], refs["channels"][0]
    sales = [Sale(pairing=county, date=D(2024, month, 3), buyer=buyer, product=product, channel=channel,
                  kind=Sale.PURCHASED, amount=Decimal("1000.50")) for month in (1, 2, 2)]
    sales.append(Sale(pairing=county, date=D(2024, 3, 3), buyer=buyer, product=product, channel=channel,
                      kind=Sale.HELPED, quantity=Decimal("4"), unit_price=Decimal("2.50")))
    assert bulk_create_sales(sales) == 4
    stored = Sale.objects.filter(pairing=county, year=2024).order_by("date", "repeat_no")
    assert [(s.quantity, s.unit_price, s.amount, s.repeat_no) for s in stored] == [
        (None, None, Decimal("1000.50"), 1), (None, None, Decimal("1000.50"), 1),
        (None, None, Decimal("1000.50"), 2), (Decimal("4.000"), Decimal("2.50"), Decimal("10.00"), 1)]
    assert differences() == []
    figures = from_totals([county.pk], [2024])
    assert json.dumps(figures) == json.dumps(from_rows([county.pk], [2024]))
    assert (figures["total"], figures["purchased"], figures["helped_sales"], figures["count"]) == (
        "3011.50", "3001.50", "10.00", 4)
    assert figures["by_month"] == [{"month": "2024-01", "amount": "1000.50"}, {"month": "2024-02", "amount": "2001.00"},
                                   {"month": "2024-03", "amount": "10.00"}]
    r = api_for("lingdao").get(f"/api/v1/pairings/{county.pk}/figures?from=2024&to=2024")
    assert r.status_code == 200 and r.json()["consumption"]["total"] == "3011.50"


def test_a_sale_of_the_amount_alone_through_the_form_the_list_and_the_api(county, refs):
    product = refs["products"][0]
    data = {"date": "2024-05-06", "buyer": refs["buyers"][0].pk, "product": product.pk,
            "channel": refs["channels"][0].pk, "kind": "purchased", "quantity": "", "unit_price": "",
            "amount": "880.00", "voucher_no": "", "note": "只有金额"}
    r = login("liuhe").post(reverse("consumption_sale_create", args=[county.pk]), data)
    assert r.status_code == 302
    sale = Sale.objects.get(note="只有金额")
    assert (sale.quantity, sale.unit_price, sale.amount, sale.repeat_no) == (None, None, Decimal("880.00"), 1)
    # The same purchase typed again is the 2nd of its kind, not a duplicate.
    login("liuhe").post(reverse("consumption_sale_create", args=[county.pk]), data)
    assert sorted(Sale.objects.filter(note="只有金额").values_list("repeat_no", flat=True)) == [1, 2]
    # Neither amount nor quantity and price: refused in words.
    r = login("liuhe").post(reverse("consumption_sale_create", args=[county.pk]), {**data, "amount": ""})
    assert r.status_code == 200 and "请填写金额，或同时填写数量和单价" in r.content.decode()

    html = login("liuhe").get(reverse("consumption_sales", args=[county.pk]), {"date_from": "2024-05-06",
                                                                             "date_to": "2024-05-06"}).content.decode()
    row = html[html.index('<tr class="sale-row">'):]
    row = row[:row.index("</tr>")]
    assert ('<td class="amount">—</td><td class="amount">—</td>'
            '<td class="amount" data-row-value="880.00">880.00元</td>') in row

    base = f"/api/v1/pairings/{county.pk}/consumption/sales"
    c = token_client("liuhe")
    got = c.get(f"{base}/{sale.pk}").json()
    assert (got["quantity"], got["unit_price"], got["amount"]) == (None, None, "880.00")
    body = {"date": "2024-05-07", "buyer": refs["buyers"][0].pk, "product": product.pk,
            "channel": refs["channels"][0].pk, "kind": "purchased", "amount": "1250.00"}
    r = c.post(base, body, content_type="application/json")
    assert r.status_code == 201 and (r.json()["quantity"], r.json()["unit_price"]) == (None, None)
    # Quantity and amount: the price follows, to the cent.
    r = c.post(base, {**body, "quantity": "100"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["unit_price"] == "12.50"
    r = c.post(base, {**body, "amount": None, "quantity": "100"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"]["amount"] == ["请填写金额，或同时填写数量和单价"]
    assert differences() == []
