"""Counting funds by the official rules (docs/modules/rules.md, "Funds"):
the execution rate's base leaves out 捐物折款, and fiscal funds are given by
the level of government that paid. Hand-worked examples on the empty 2023
pairing-year of the demo county pair."""

import datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps

from xiezuo.figures import compute
from xiezuo.funds.models import FundReceipt
from xiezuo.pairings.models import Organisation, Region

from ..checklist import api_checklist, login
from .conftest import new_project, submitted, user

pytestmark = pytest.mark.django_db
WAN = Decimal(10_000)
D = datetime.date


def funds(pairing, year=2023):
    return compute(pairing, [year], ["funds"])["funds"]


def receive(pairing, kind, wan, **extra):
    return FundReceipt.objects.create(pairing=pairing, year=2023, kind=kind, date=D(2023, 3, 1),
                                      amount=Decimal(wan) * WAN, **extra)


def test_in_kind_gifts_are_left_out_of_the_execution_rate(county):
    # 100万 cash + 20万 in kind received, 60万 disbursed → 60%, not 50%.
    receive(county, "fiscal", 100)
    receive(county, "in_kind", 20, note="捐赠物资折款")
    project = new_project(county, coop="600000", status="implementing")
    submitted(project, "600000").confirm(user("liuhe"))
    f = funds(county)
    assert f["received"] == "1200000.00"
    assert f["received_cash"] == "1000000.00" and f["in_kind_received"] == "200000.00"
    assert f["disbursed"] == "600000.00"
    assert f["execution_rate"] == "60.00"


def test_the_rate_is_null_with_only_gifts_in_kind(county):
    receive(county, "in_kind", 20)
    f = funds(county)
    assert f["received"] == "200000.00" and f["received_cash"] == "0.00" and f["execution_rate"] is None


def test_fiscal_by_level_adds_up_to_fiscal_received(county):
    province = Organisation.objects.create(name="江苏省测试财政厅（示例）", kind="gov",
                                           region=Region.objects.get(name="江苏省"))
    city = Organisation.objects.create(name="南京市测试财政局（示例）", kind="gov",
                                       region=Region.objects.get(name="南京市"))
    street = county.children.get(level="township", east_region__name="雄州街道")
    receive(county, "fiscal", 300, payer=province)                       # level from the payer's region
    receive(county, "fiscal", 150, payer=city)
    receive(county, "fiscal", 1000)                                      # no payer: the county pair's east side
    receive(street, "fiscal", 40)                                        # no payer: the street
    receive(county, "fiscal", 5, payer=city, payer_level="county")       # stated level wins
    receive(county, "social", 7)                                         # not fiscal: in no level
    f = funds(county)
    assert f["fiscal_by_level"] == {"province": "3000000.00", "city": "1500000.00", "county": "10050000.00",
                                    "township": "400000.00"}
    assert sum(Decimal(v) for v in f["fiscal_by_level"].values()) == Decimal(f["fiscal_received"]) \
        == Decimal("14950000.00")
    # The township pair alone sees its own street's money.
    assert funds(street)["fiscal_by_level"]["township"] == "400000.00"


def test_demo_years_by_level_add_up(county):
    for year in (2019, 2020, 2021, 2022):
        f = funds(county, year)
        assert sum(Decimal(v) for v in f["fiscal_by_level"].values()) == Decimal(f["fiscal_received"])


def test_level_through_the_api(county):
    street_office = Organisation.objects.create(name="雄州街道测试办事处（示例）", kind="gov",
                                                region=Region.objects.get(name="雄州街道"))
    client = login("liuhe")

    def post(**data):
        return client.post(f"/api/v1/pairings/{county.pk}/fund-receipts",
                           {"year": 2023, "kind": "fiscal", "amount": "100", **data},
                           content_type="application/json")

    r = post(payer=street_office.pk, date="2023-05-01")  # left empty: the payer's region
    assert r.status_code == 201, r.content
    assert r.json()["payer_level"] == "township" and r.json()["payer_level_display"] == "乡镇（街道）级"
    # Money of the province passed on by the district: stated, no province payer needed.
    r = post(payer_level="province", date="2023-05-02")
    assert r.json()["payer_level"] == "province"
    assert post(payer_level="国家级", date="2023-05-03").status_code == 422
    f = api_checklist(f"/api/v1/pairings/{county.pk}/figures?year=2023").json()["funds"]
    assert f["fiscal_by_level"] == {"province": "100.00", "city": "0.00", "county": "0.00", "township": "100.00"}


def test_data_migration_gives_existing_receipts_a_level(county):
    street = county.children.get(level="township", east_region__name="雄州街道")
    city = Organisation.objects.create(name="南京市测试财政局（示例）", kind="gov",
                                       region=Region.objects.get(name="南京市"))
    with_payer = receive(county, "fiscal", 1, payer=city)
    no_payer = receive(county, "fiscal", 2)
    on_street = receive(street, "pairing", 3)
    # As they stood before the migration: no level at all.
    FundReceipt.objects.all().update(payer_level="")
    import_module("xiezuo.funds.migrations.0008_receipt_payer_level").fill_levels(apps, None)
    levels = dict(FundReceipt.objects.values_list("pk", "payer_level"))
    assert (levels[with_payer.pk], levels[no_payer.pk], levels[on_street.pk]) == ("city", "county", "township")
    assert "" not in levels.values()
    # The demo's own receipts: the district's money and the streets'.
    f21 = funds(county, 2021)
    assert f21["fiscal_by_level"]["county"] == "43000000.00" and f21["fiscal_received"] == "43000000.00"
    assert FundReceipt.objects.filter(pairing__parent=county, year=2021, kind="pairing").values_list(
        "payer_level", flat=True).distinct().get() == "township"


def test_the_base_is_a_setting(county, settings):
    receive(county, "fiscal", 100)
    receive(county, "in_kind", 20)
    project = new_project(county, coop="600000", status="implementing")
    submitted(project, "600000").confirm(user("liuhe"))
    settings.XIEZUO_FUNDS_EXECUTION_BASE = "received"
    assert funds(county)["execution_rate"] == "50.00"


def test_the_roll_up_divides_summed_disbursements_by_summed_cash():
    from xiezuo.assessment.services import add_figures, recompute_rates

    a = {"funds": {"received": "1200000.00", "received_cash": "1000000.00", "disbursed": "600000.00",
                   "execution_rate": "60.00"}}
    b = {"funds": {"received": "1000000.00", "received_cash": "1000000.00", "disbursed": "200000.00",
                   "execution_rate": "20.00"}}
    total = recompute_rates(add_figures(add_figures({}, a), b))
    assert total["funds"]["execution_rate"] == "40.00"  # 80万 / 200万, not 80万 / 220万
