"""Single-record rules: amount tolerance, western suppliers, references, certificates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lib.ids import make_uscc
from xiezuo.consumption.models import Product, Sale, Supplier, check_amount
from xiezuo.consumption.services import register_supplier
from xiezuo.pairings.models import Organisation, Pairing, Region

from ..checklist import login

pytestmark = pytest.mark.django_db


def test_amount_tolerance_is_one_fen_whatever_the_size():
    assert check_amount(Decimal("3"), Decimal("33.33"), Decimal("100.00")) is None  # 99.99: one 分, rounding
    assert check_amount(Decimal("3"), Decimal("33.33"), Decimal("99.98")) is None
    msg = check_amount(Decimal("3"), Decimal("33.33"), Decimal("100.01"))  # two 分 off
    assert msg == "金额100.01元与数量3×单价33.33元=99.99元不符（允许误差0.01元）"
    # No percentage any more: 0.5 % of 100,000 元 (500 元) once passed.
    assert check_amount(Decimal("1000"), Decimal("100.00"), Decimal("100000.01")) is None
    assert check_amount(Decimal("1000"), Decimal("100.00"), Decimal("100500.00")) == (
        "金额100,500.00元与数量1000×单价100.00元=100,000.00元不符（允许误差0.01元）")
    # A missing one of the three: nothing to compare.
    assert check_amount(None, Decimal("100.00"), Decimal("100500.00")) is None


def test_sale_with_wrong_amount_refused_on_the_page_and_nothing_saved(county, refs):
    product = refs["products"][0]
    data = {"date": "2023-05-01", "buyer": refs["buyers"][0].pk, "product": product.pk,
            "channel": refs["channels"][0].pk, "kind": "purchased", "quantity": "10", "unit_price": "12.80",
            "amount": "200"}
    before = Sale.objects.count()
    r = login("liuhe").post(reverse("consumption_sale_create", args=[county.pk]), data)
    html = r.content.decode()
    assert r.status_code == 200
    assert "金额200.00元与数量10×单价12.80元=128.00元不符" in html
    assert Sale.objects.count() == before
    data["amount"] = ""
    r = login("liuhe").post(reverse("consumption_sale_create", args=[county.pk]), data)
    assert r.status_code == 302
    sale = Sale.objects.latest("pk")
    assert (sale.amount, sale.supplier_id, sale.year, sale.month) == (Decimal("128.00"), product.supplier_id, 2023, 5)


def test_supplier_outside_the_western_region_is_refused(county):
    east_firm = Organisation.objects.create(name="南京示例食品有限公司（示例）", kind="enterprise",
                                            region=Region.objects.get(name="雄州街道"), is_demo=True)
    supplier = Supplier(pairing=county, organisation=east_firm)
    with pytest.raises(ValidationError) as exc:
        supplier.full_clean()
    assert exc.value.message_dict["organisation"] == [
        "“南京示例食品有限公司（示例）”的注册地六合区雄州街道不在本结对西部地区西宁市湟源县之内，不能登记为消费帮扶供应商"]
    # Through the page too: the form offers it, the rule refuses it, nothing saved.
    r = login("liuhe").post(reverse("consumption_supplier_create", args=[county.pk]), {"organisation": east_firm.pk})
    assert "不在本结对西部地区西宁市湟源县之内" in r.content.decode()
    assert not Supplier.objects.filter(organisation=east_firm).exists()


def test_supplier_must_be_a_producer_and_inside_a_township_is_fine(county):
    hospital = Organisation.objects.get(name="湟源县人民医院")
    with pytest.raises(ValidationError, match="供应商应为企业、合作社或家庭农场"):
        Supplier(pairing=county, organisation=hospital).full_clean()
    supplier = register_supplier(county, name="湟源县示例种植专业合作社（示例）", kind="coop",
                                 region=Region.objects.get(name="大华镇"), uscc=make_uscc("93630123MA7TE5T01"))
    assert supplier.organisation.region.name == "大华镇" and supplier.pk


def test_sale_refuses_references_of_another_pairing(county, foreign, refs):
    sale = Sale(pairing=foreign, date=datetime.date(2023, 1, 1), buyer=refs["buyers"][0], product=refs["products"][0],
                channel=refs["channels"][-1], kind="purchased", quantity=Decimal(1), unit_price=Decimal("12.80"))
    with pytest.raises(ValidationError) as exc:
        sale.full_clean()
    errors = exc.value.message_dict
    assert errors["buyer"] == ["采购单位不属于本结对"] and errors["product"] == ["产品不属于本结对"]
    assert errors["channel"] == ["销售渠道不属于本结对"]


def test_sub_pairing_may_use_the_county_reference_data(county, make_sale, refs):
    school = Pairing.objects.get(level="school", parent=county)
    sale = make_sale(pairing=school)
    assert sale.buyer.pairing_id == county.pk and sale.pk


def test_product_rules(county, refs):
    supplier = refs["products"][0].supplier
    p = Product(pairing=county, supplier=supplier, name="示例产品", category="other", unit="斤",
                certified_until=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="请同时填写消费帮扶产品认定编号"):
        p.full_clean()
    sold = refs["products"][1]
    sold.supplier = refs["products"][0].supplier
    with pytest.raises(ValidationError, match="该产品已有销售记录，不能更换供应商"):
        sold.full_clean()
