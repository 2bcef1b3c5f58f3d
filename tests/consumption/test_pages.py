"""Pages and endpoints: the permission checklist, the list, keyset paging, CRUD."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from xiezuo.audit.models import AuditEvent
from xiezuo.consumption import listing
from xiezuo.consumption.models import Buyer, Channel, Product, Sale, Supplier
from xiezuo.consumption.totals import differences
from xiezuo.pairings.models import Organisation, Pairing, Region

from ..checklist import api_checklist, login, page_checklist

pytestmark = pytest.mark.django_db


def url(name, county, *args):
    return reverse(name, args=[county.pk, *args])


@pytest.mark.parametrize("name", ["consumption_sales", "consumption_suppliers", "consumption_products",
                                  "consumption_buyers", "consumption_channels", "consumption_share832"])
def test_read_pages_checklist(county, name):
    r = page_checklist(url(name, county))
    assert "消费帮扶" in r.content.decode()


def test_sales_list_shows_rows_and_totals_row_from_totals(county):
    r = page_checklist(url("consumption_sales", county))
    html = r.content.decode()
    total = sum(Sale.objects.filter(pairing=county).values_list("amount", flat=True))
    assert f"{Sale.objects.filter(pairing=county).count()} 条" in html
    assert f">{total:,}元</td>" in html and f"{total:.2f}" == str(total)
    assert html.count("sale-row") == listing.PAGE_SIZE
    assert "（按明细汇总）" not in html
    assert 'rel="next"' in html


def test_totals_row_uses_totals_when_it_can_and_rows_otherwise(county, refs):
    buyer, product = refs["buyers"][6], refs["products"][0]
    cases = [
        {},
        {"date_from": datetime.date(2022, 1, 1), "date_to": datetime.date(2022, 3, 31), "channel": refs["channels"][0].pk},
        {"buyer": buyer.pk, "date_from": datetime.date(2022, 1, 1), "date_to": datetime.date(2022, 12, 31)},
        {"product": product.pk, "kind": "helped"},
        {"supplier": product.supplier_id},
        {"buyer": buyer.pk, "product": product.pk},
        {"date_from": datetime.date(2022, 1, 15)},
    ]
    sources = []
    for f in cases:
        page = listing.sales_page(county.pk, f, limit=5)
        rows = listing.filtered(county.pk, f)
        assert page["total_count"] == rows.count(), f
        assert Decimal(page["total_fen"]) / 100 == sum(rows.values_list("amount", flat=True)), f
        sources.append(page["total_source"])
    assert sources == ["totals"] * 5 + ["rows"] * 2


def test_keyset_pages_have_no_duplicates_or_gaps_with_equal_dates(county, make_sale):
    hospital = Pairing.objects.get(level="hospital", parent=county)
    day = datetime.date(2023, 7, 1)
    made = [make_sale(pairing=hospital, day=day) for _ in range(7)]
    made += [make_sale(pairing=hospital, day=datetime.date(2023, 6, 30)) for _ in range(2)]
    made.append(make_sale(pairing=hospital, day=datetime.date(2023, 7, 2)))
    seen, cursor = [], None
    while True:
        page = listing.sales_page(hospital.pk, {}, cursor, limit=3)
        seen += [s.pk for s in page["rows"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    expected = [s.pk for s in sorted(made, key=lambda s: (s.date, s.pk), reverse=True)]
    assert seen == expected
    # Walking back from the last page gives the same pages in reverse.
    pages, before = [], make_cursor_of(Sale.objects.get(pk=expected[-1]))
    back = listing.sales_page(hospital.pk, {}, limit=3, before=before)
    while True:
        pages.insert(0, [s.pk for s in back["rows"]])
        if back["prev_cursor"] is None:
            break
        back = listing.sales_page(hospital.pk, {}, limit=3, before=back["prev_cursor"])
    assert sum(pages, []) == expected[:-1]
    assert pages[0] == expected[:3]
    # The API walks the same way.
    c = login("liuhe")
    api_seen, cursor = [], ""
    while True:
        data = c.get(f"/api/v1/pairings/{hospital.pk}/consumption/sales?limit=4&cursor={cursor}").json()
        api_seen += [item["id"] for item in data["items"]]
        cursor = data["next_cursor"]
        if not cursor:
            break
    assert api_seen == expected
    # And the page's "next" link carries the cursor.
    html = c.get(url("consumption_sales", hospital)).content.decode()
    assert f"cursor={made[-1].date.isoformat()}" not in html  # fewer than a page: no next link
    assert "下一页" not in html


def make_cursor_of(sale):
    return listing.make_cursor(sale)


def test_list_page_links_next_and_previous(county):
    c = login("liuhe")
    first = c.get(url("consumption_sales", county)).content.decode()
    assert "上一页" not in first and 'rel="next"' in first
    newest = Sale.objects.filter(pairing=county).order_by("-date", "-id")
    cursor = listing.make_cursor(newest[listing.PAGE_SIZE - 1])
    assert f"cursor={cursor}" in first
    second = c.get(url("consumption_sales", county), {"cursor": cursor}).content.decode()
    assert 'rel="prev"' in second and f"before={listing.make_cursor(newest[listing.PAGE_SIZE])}" in second
    assert newest[listing.PAGE_SIZE].voucher_no in second and newest[0].voucher_no not in second


def test_list_filters_and_bad_filter_message(county, refs):
    buyer = refs["buyers"][0]
    r = login("liuhe").get(url("consumption_sales", county), {"buyer": buyer.pk})
    html = r.content.decode()
    assert html.count("sale-row") == min(listing.PAGE_SIZE, Sale.objects.filter(buyer=buyer).count())
    r = login("liuhe").get(url("consumption_sales", county), {"date_from": "2022年13月1日"})
    assert "起始日期：日期“2022年13月1日”不存在" in r.content.decode()


def test_sale_create_edit_delete_pages(county, refs):
    product = refs["products"][2]
    data = {"date": "2023-08-08", "buyer": refs["buyers"][3].pk, "product": product.pk,
            "channel": refs["channels"][0].pk, "kind": "helped", "quantity": "2.5", "unit_price": "118.00",
            "amount": "295.00", "voucher_no": "测试-001"}
    r = page_checklist(url("consumption_sale_create", county), write=True, data=data)
    assert r.status_code == 302
    sale = Sale.objects.get(voucher_no="测试-001")
    assert sale.amount == Decimal("295.00") and sale.supplier_id == product.supplier_id
    assert AuditEvent.objects.filter(model="consumption.Sale", object_id=str(sale.pk), action="create").exists()

    edit = url("consumption_sale_edit", county, sale.pk)
    page_checklist(edit, read_only=None)
    data.update(quantity="3", amount="354.00", loaded_version=1)
    r = page_checklist(edit, write=True, data=data)
    sale.refresh_from_db()
    assert sale.amount == Decimal("354.00") and sale.version == 2
    r = login("huangyuan").post(edit, {**data, "note": "晚到的修改", "loaded_version": 1})
    assert "此记录已被他人修改" in r.content.decode()

    delete = url("consumption_sale_delete", county, sale.pk)
    page_checklist(delete, read_only=None)
    r = page_checklist(delete, write=True)
    assert r.status_code == 302 and not Sale.objects.filter(pk=sale.pk).exists()
    assert AuditEvent.objects.filter(model="consumption.Sale", object_id=str(sale.pk), action="delete").exists()
    assert differences() == []


def test_foreign_sale_is_404_even_inside_own_pairing_url(county, foreign, make_sale):
    sale = make_sale()
    r = login("outsider").get(reverse("consumption_sale_edit", args=[foreign.pk, sale.pk]))
    assert r.status_code == 404


def test_supplier_product_buyer_channel_pages(county, refs):
    region = Region.objects.get(name="日月藏族乡")
    org = Organisation.objects.create(name="湟源县示例树莓家庭农场（示例）", kind="farm", region=region, is_demo=True)
    page_checklist(url("consumption_supplier_create", county), read_only=None)
    r = page_checklist(url("consumption_supplier_create", county), write=True, data={"organisation": org.pk})
    assert r.status_code == 302
    supplier = Supplier.objects.get(organisation=org)
    page_checklist(url("consumption_supplier_edit", county, supplier.pk), write=True,
                   data={"organisation": org.pk, "contact": "示例联系人", "loaded_version": supplier.version})
    supplier.refresh_from_db()
    assert supplier.contact == "示例联系人"

    r = page_checklist(url("consumption_product_create", county), write=True,
                       data={"name": "树莓", "supplier": supplier.pk, "category": "fruit", "unit": "公斤",
                             "certificate_no": "示例认定-2023-0001", "certified_until": "2024-12-31"})
    product = Product.objects.get(name="树莓")
    assert product.certified_until == datetime.date(2024, 12, 31)
    page_checklist(url("consumption_product_edit", county, product.pk), write=True,
                   data={"name": "树莓（冻果）", "supplier": supplier.pk, "category": "fruit", "unit": "公斤",
                         "loaded_version": product.version})
    assert Product.objects.get(pk=product.pk).name == "树莓（冻果）"

    data = {"name": "测试机关（示例）", "kind": "gov", "is_budget_unit": "on", "budgets-TOTAL_FORMS": 1,
            "budgets-INITIAL_FORMS": 0, "budgets-0-year": 2023, "budgets-0-amount": "500000"}
    r = page_checklist(url("consumption_buyer_create", county), write=True, data=data)
    buyer = Buyer.objects.get(name="测试机关（示例）")
    assert buyer.is_budget_unit and buyer.budgets.get(year=2023).amount == Decimal("500000.00")
    page_checklist(url("consumption_buyer_edit", county, buyer.pk), read_only=None)
    r = login("liuhe").post(url("consumption_buyer_create", county), {**data, "name": "测试个人（示例）",
                                                                      "kind": "individuals"})
    assert "个人汇总不是预算单位" in r.content.decode()

    r = page_checklist(url("consumption_channel_create", county), write=True,
                       data={"name": "六合区示例消费帮扶专柜（示例）", "code": "lh_counter", "kind": "counter", "order": 5,
                             "active": "on"})
    channel = Channel.objects.get(code="lh_counter")
    assert channel.pairing_id == county.pk
    page_checklist(url("consumption_channel_edit", county, channel.pk), write=True,
                   data={"name": "六合区示例专柜（示例）", "code": "lh_counter", "kind": "counter", "order": 5,
                         "loaded_version": channel.version})
    assert Channel.objects.get(pk=channel.pk).active is False


def test_shared_channels_only_by_administrators(county):
    shared = Channel.objects.get(pairing=None, code="fair")
    edit = url("consumption_channel_edit", county, shared.pk)
    assert login("liuhe").get(edit).status_code == 403
    r = login("admin").post(edit, {"name": "展销会", "code": "fair", "kind": "fair", "order": 70, "active": "on",
                               "loaded_version": shared.version})
    assert r.status_code == 302


def test_api_lists_checklist(county):
    base = f"/api/v1/pairings/{county.pk}/consumption"
    for name in ("sales", "suppliers", "products", "buyers", "channels"):
        r = api_checklist(f"{base}/{name}")
        assert r.status_code == 200, name
    data = api_checklist(f"{base}/sales?limit=5").json()
    assert len(data["items"]) == 5 and data["total"]["source"] == "totals"
    assert Decimal(data["total"]["amount"]) > Decimal("10000000")


def test_api_sale_crud_checklist_and_rules(county, refs):
    base = f"/api/v1/pairings/{county.pk}/consumption/sales"
    body = {"date": "2023-09-01", "buyer": refs["buyers"][0].pk, "product": refs["products"][0].pk,
            "channel": refs["channels"][0].pk, "kind": "purchased", "quantity": "100", "unit_price": "12.80"}
    r = api_checklist(base, method="post", json=body)
    assert r.status_code == 201, r.content
    sale = r.json()
    assert sale["amount"] == "1280.00" and sale["supplier"] == refs["products"][0].supplier_id
    one = f"{base}/{sale['id']}"
    read = api_checklist(one)
    assert read.json()["id"] == sale["id"]
    etag = read["ETag"]
    # Updates must name the version they change (If-Match with the ETag).
    assert api_checklist(one, method="put", json={**body, "quantity": "200"}).status_code == 428
    from ..checklist import token_client

    c = token_client("liuhe")
    r = c.put(one, {**body, "quantity": "200"}, content_type="application/json", headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["amount"] == "2560.00" and r.json()["version"] == 2
    assert r["ETag"] != etag
    stale = c.put(one, body, content_type="application/json", headers={"If-Match": etag})
    assert stale.status_code == 412 and "已被他人修改" in stale.json()["detail"]
    assert Sale.objects.get(pk=sale["id"]).amount == Decimal("2560.00")
    bad = token_client("liuhe").post(base, {**body, "amount": "999.00"}, content_type="application/json")
    assert bad.status_code == 422 and "不符" in bad.json()["errors"]["amount"][0]
    r = api_checklist(one, method="delete")
    assert r.status_code == 204 and not Sale.objects.filter(pk=sale["id"]).exists()
    assert differences() == []


def test_api_reference_creation_checklist(county, refs):
    base = f"/api/v1/pairings/{county.pk}/consumption"
    r = api_checklist(f"{base}/buyers", method="post", json={"name": "接口测试单位（示例）", "kind": "soe"})
    assert r.status_code == 201 and Buyer.objects.filter(name="接口测试单位（示例）", pairing=county).exists()
    supplier = refs["products"][0].supplier
    r = api_checklist(f"{base}/products", method="post",
                      json={"name": "接口测试产品", "supplier": supplier.pk, "category": "other", "unit": "箱"})
    assert r.status_code == 201 and Product.objects.get(name="接口测试产品").supplier == supplier
    east = Organisation.objects.create(name="六合示例合作社（示例）", kind="coop", region=Region.objects.get(name="程桥街道"))
    r = api_checklist(f"{base}/suppliers", method="post", json={"organisation": east.pk})
    assert r.status_code == 422 and "不在本结对西部地区" in r.json()["errors"]["organisation"][0]


def test_api_sales_go_through_the_pages_form(county, foreign, refs):
    """The API binds the page's SaleForm: a buyer registered by another
    pairing is an invalid choice (nothing saved), and the form's two-of-three
    rule fills the price of an amount-and-quantity sale as the page does."""
    from ..checklist import token_client

    base = f"/api/v1/pairings/{county.pk}/consumption/sales"
    stranger = Buyer.objects.create(pairing=foreign, name="外部结对采购单位（示例）", kind="soe")
    body = {"date": "2023-09-02", "buyer": stranger.pk, "product": refs["products"][0].pk,
            "channel": refs["channels"][0].pk, "kind": "purchased", "amount": "1000.00", "quantity": "8"}
    before = Sale.objects.count()
    c = token_client("liuhe")
    r = c.post(base, body, content_type="application/json")
    assert r.status_code == 422 and "buyer" in r.json()["errors"]
    assert Sale.objects.count() == before
    r = c.post(base, {**body, "buyer": refs["buyers"][0].pk}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert (r.json()["amount"], r.json()["unit_price"], Decimal(r.json()["quantity"])) == ("1000.00", "125.00", 8)
