"""The 832 reserved share counted by the official rule (docs/modules/rules.md,
"832 reserved share"): products of ANY 832 脱贫县 count, decided by the
product's origin county; declarations are due by 20 February. Hand-worked
examples in 2023 (empty in the demo) with a budget of 100,000 元."""

import datetime
import io
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from xiezuo.audit.models import AuditEvent
from xiezuo.consumption.models import Buyer, CanteenBudget, Channel, Product
from xiezuo.consumption.services import share832_report
from xiezuo.pairings.models import Region
from xiezuo.pairings.services import load_regions_csv

from ..checklist import login, token_client

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def counties(db):
    """Two counties beside 湟源县: one of the 832 脱贫县 (not the pairing's),
    one that is not. Codes and names are illustrative."""
    province = Region.objects.get(name="青海省")
    city = Region.objects.create(code="639900000000", name="示例州（示例）", level="city", parent=province)
    poor = Region.objects.create(code="639901000000", name="示例脱贫县（示例）", level="county", parent=city,
                                 is_832=True)
    rich = Region.objects.create(code="639902000000", name="示例非脱贫县（示例）", level="county", parent=city)
    return poor, rich


@pytest.fixture
def unit(county):
    buyer = Buyer.objects.create(pairing=county, name="测试预算单位丙（示例）", kind="gov", is_budget_unit=True)
    CanteenBudget.objects.create(buyer=buyer, year=2023, amount=Decimal("100000"))
    return buyer


def product_from(county, refs, origin, name):
    return Product.objects.create(pairing=county, supplier=refs["products"][0].supplier, name=name,
                                  category="grain", unit="公斤", origin_region=origin)


def p832():
    return Channel.objects.get(pairing=None, code="p832")


def row_of(report, buyer):
    return next(r for r in report["rows"] if r["buyer"] == buyer)


def test_demo_products_come_from_huangyuan_a_832_county(county, refs):
    huangyuan = Region.objects.get(name="湟源县")
    assert huangyuan.is_832
    assert {p.origin_region for p in refs["products"]} == {huangyuan}


def test_buying_only_from_another_832_county_meets_the_line(county, refs, make_sale, counties, unit):
    poor, _ = counties
    barley = product_from(county, refs, poor, "示例脱贫县青稞（示例）")
    make_sale(buyer=unit, product=barley, channel=p832(), quantity="1000", unit_price="10.00",
              day=D(2023, 3, 1))  # 10,000 元 of 100,000: 10%
    row = row_of(share832_report(county, 2023), unit)
    assert row["amount"] == Decimal("10000.00") and row["share"] == Decimal("10.00") and row["status"] == "met"


def test_a_product_from_a_county_not_on_the_list_does_not_count(county, refs, make_sale, counties, unit):
    poor, rich = counties
    make_sale(buyer=unit, product=product_from(county, refs, rich, "示例非脱贫县大米（示例）"), channel=p832(),
              quantity="2000", unit_price="10.00", day=D(2023, 3, 1))
    make_sale(buyer=unit, product=product_from(county, refs, poor, "示例脱贫县青稞（示例）"), channel=p832(),
              quantity="500", unit_price="10.00", day=D(2023, 4, 1))
    row = row_of(share832_report(county, 2023), unit)
    assert row["amount"] == Decimal("5000.00") and row["amount_other"] == Decimal("20000.00")
    assert row["share"] == Decimal("5.00") and row["status"] == "below"


def test_a_product_without_origin_takes_its_suppliers_county(county, refs, make_sale, unit):
    product = refs["products"][0]
    Product.objects.filter(pk=product.pk).update(origin_region=None)  # as an import might leave it
    make_sale(buyer=unit, product=product, channel=p832(), quantity="1000", unit_price="15.00", day=D(2023, 3, 1))
    assert row_of(share832_report(county, 2023), unit)["share"] == Decimal("15.00")
    product.refresh_from_db()
    product.save()
    assert product.origin_region.name == "湟源县"


def test_unflagging_a_county_takes_its_products_out(county, refs, make_sale, unit):
    make_sale(buyer=unit, product=refs["products"][0], channel=p832(), quantity="1000", unit_price="12.00",
              day=D(2023, 3, 1))
    assert row_of(share832_report(county, 2023), unit)["share"] == Decimal("12.00")
    Region.objects.filter(name="湟源县").update(is_832=False)
    row = row_of(share832_report(county, 2023), unit)
    assert row["share"] == Decimal("0.00") and row["amount_other"] == Decimal("12000.00")


def test_declaration_dates(county, unit):
    budget = unit.budgets.get(year=2023)
    budget.reserved_amount, budget.declared_on = Decimal("12000"), D(2023, 2, 21)
    budget.full_clean()
    budget.save()
    report = share832_report(county, 2023)
    row = row_of(report, unit)
    assert row["declared_late"] is True and row["reserved_share"] == Decimal("12.00")
    assert [r["buyer"] for r in report["late"]] == [unit]
    budget.declared_on = D(2023, 2, 20)  # on the day is in time
    budget.save()
    assert row_of(share832_report(county, 2023), unit)["declared_late"] is False
    assert unit in [r["buyer"] for r in share832_report(county, 2023)["rows"]]


def test_deadline_is_a_setting(county, unit, settings):
    settings.XIEZUO_SHARE832_DECLARE_BY = "03-31"
    budget = unit.budgets.get(year=2023)
    budget.declared_on = D(2023, 3, 5)
    budget.save()
    assert row_of(share832_report(county, 2023), unit)["declared_late"] is False


def test_declaration_rules(unit):
    budget = unit.budgets.get(year=2023)
    for field, value, message in (("reserved_amount", Decimal("100001"), "预留份额不能超过食堂食材采购预算"),
                                  ("reserved_amount", Decimal("-1"), "预留份额不能为负数"),
                                  ("declared_on", D(2021, 12, 31), "预留份额申报日期应在2022年或2023年内")):
        setattr(budget, field, value)
        with pytest.raises(Exception) as e:
            budget.full_clean()
        assert message in str(e.value)
        budget.refresh_from_db()


def test_declaration_on_the_buyer_page_and_late_on_the_share_page(county, unit):
    budget = unit.budgets.get(year=2023)
    url = reverse("consumption_buyer_edit", args=[county.pk, unit.pk])
    data = {"name": unit.name, "kind": unit.kind, "is_budget_unit": "on", "loaded_version": unit.version,
            "budgets-TOTAL_FORMS": "1", "budgets-INITIAL_FORMS": "1", "budgets-0-id": budget.pk,
            "budgets-0-buyer": unit.pk, "budgets-0-year": "2023", "budgets-0-amount": "100000",
            "budgets-0-reserved_amount": "10000", "budgets-0-declared_on": "2023-02-21"}
    r = login("liuhe").post(url, data)
    assert r.status_code == 302, r.content.decode()[-1500:]
    budget.refresh_from_db()
    assert (budget.reserved_amount, budget.declared_on) == (Decimal("10000.00"), D(2023, 2, 21))
    assert AuditEvent.objects.filter(model="consumption.CanteenBudget", object_id=str(budget.pk),
                                     action="update").exists()
    html = login("lingdao").get(reverse("consumption_share832", args=[county.pk]) + "?year=2023").content.decode()
    late = html[html.index('id="declared-late"'):html.index("</ul>", html.index('id="declared-late"'))]
    assert unit.name in late and "2023年2月21日" in late
    data = token_client("lingdao").get(f"/api/v1/pairings/{county.pk}/consumption/share832?year=2023").json()
    assert data["declared_late"] == [unit.name]
    row = next(x for x in data["rows"] if x["name"] == unit.name)
    assert (row["reserved_amount"], row["reserved_share"], row["declared_on"]) == ("10000.00", "10.00",
                                                                                    "2023-02-21")


def test_product_origin_through_the_form_and_api(county, refs, counties):
    poor, _ = counties
    supplier = refs["products"][0].supplier
    r = token_client("liuhe").post(f"/api/v1/pairings/{county.pk}/consumption/products",
                                   {"name": "接口脱贫县产品（示例）", "supplier": supplier.pk, "category": "grain",
                                    "unit": "袋", "origin_region": poor.pk}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert Product.objects.get(pk=r.json()["id"]).origin_region == poor
    r = token_client("liuhe").post(f"/api/v1/pairings/{county.pk}/consumption/products",
                                   {"name": "接口乡镇产地（示例）", "supplier": supplier.pk, "category": "grain",
                                    "unit": "袋", "origin_region": Region.objects.get(name="大华镇").pk},
                                   content_type="application/json")
    assert r.status_code == 422 and "origin_region" in r.json()["errors"]
    listed = token_client("lingdao").get(f"/api/v1/pairings/{county.pk}/consumption/products").json()
    mine = next(p for p in listed if p["name"] == "接口脱贫县产品（示例）")
    assert mine["origin_is_832"] is True and mine["origin_region"] == poor.pk
    r = login("liuhe").post(reverse("consumption_product_create", args=[county.pk]),
                            {"name": "页面产品（示例）", "supplier": supplier.pk, "category": "grain", "unit": "袋"})
    assert r.status_code == 302
    assert Product.objects.get(name="页面产品（示例）").origin_region.name == "湟源县"  # the supplier's county


def test_products_data_migration_takes_the_suppliers_county(county, refs):
    Product.objects.filter(pairing=county).update(origin_region=None)
    import_module("xiezuo.consumption.migrations.0005_share832_origin_and_declaration").fill_origins(apps, None)
    huangyuan = Region.objects.get(name="湟源县")
    # The demo's suppliers sit in 湟源县 and in three of its townships: all map to the county.
    assert set(Product.objects.filter(pairing=county).values_list("origin_region", flat=True)) == {huangyuan.pk}


def csv_rows(text):
    import csv

    return csv.DictReader(io.StringIO(text))


def test_load_regions_reads_the_832_column(counties):
    poor, rich = counties
    seq = AuditEvent.objects.first().seq
    load_regions_csv(csv_rows("code,name,level,parent_code,is_832\n"
                              "639900000000,示例州（示例）,city,630000000000,\n"
                              f"{poor.code},{poor.name},county,639900000000,0\n"
                              f"{rich.code},{rich.name},county,639900000000,是\n"))
    poor.refresh_from_db()
    rich.refresh_from_db()
    assert (poor.is_832, rich.is_832) == (False, True)
    event = AuditEvent.objects.get(seq__gt=seq)
    assert event.action == "admin" and event.after == {"flagged_832": [rich.code], "unflagged_832": [poor.code]}
    # A file without the column leaves the flags alone.
    load_regions_csv(csv_rows(f"code,name,level,parent_code\n{rich.code},{rich.name},county,639900000000\n"))
    rich.refresh_from_db()
    assert rich.is_832


def test_load_regions_refuses_bad_flags_and_loads_nothing(counties, tmp_path):
    poor, rich = counties
    bad = tmp_path / "regions.csv"
    bad.write_text("code,name,level,parent_code,is_832\n"
                   f"{rich.code},{rich.name},county,639900000000,1\n"
                   "639900000000,示例州（示例）,city,630000000000,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第3行：只有县级区划可以标记为脱贫县（832）"):
        call_command("load_regions", str(bad))
    bad.write_text(f"code,name,level,parent_code,is_832\n{rich.code},{rich.name},county,639900000000,也许\n",
                   encoding="utf-8")
    with pytest.raises(CommandError, match="第2行：脱贫县（832）标记“也许”无效"):
        call_command("load_regions", str(bad))
    rich.refresh_from_db()
    assert not rich.is_832
