"""The 832 reserved share of budget units' canteen food procurement."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from xiezuo.consumption.models import Buyer, CanteenBudget, Channel, ShareSetting
from xiezuo.consumption.services import share832_report

from ..checklist import api_checklist, login, page_checklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(county, make_sale, refs):
    """Two budget units in 2023: one above the 10% line (12%), one below it (8%)."""
    p832 = Channel.objects.get(pairing=None, code="p832")
    above = Buyer.objects.create(pairing=county, name="测试预算单位甲（示例）", kind="gov", is_budget_unit=True)
    below = Buyer.objects.create(pairing=county, name="测试预算单位乙（示例）", kind="public", is_budget_unit=True)
    CanteenBudget.objects.create(buyer=above, year=2023, amount=Decimal("100000"))
    CanteenBudget.objects.create(buyer=below, year=2023, amount=Decimal("100000"))
    make_sale(buyer=above, channel=p832, quantity="1000", unit_price="12.00", day=datetime.date(2023, 4, 1))
    make_sale(buyer=below, channel=p832, quantity="800", unit_price="10.00", day=datetime.date(2023, 4, 1))
    # Not counted: another channel, and a help-sale on 832.
    make_sale(buyer=below, channel=refs["channels"][0], quantity="1000", unit_price="10.00")
    make_sale(buyer=below, channel=p832, kind="helped", quantity="1000", unit_price="10.00")
    return above, below


def test_report_lists_the_unit_below_the_line(county, units):
    above, below = units
    report = share832_report(county, 2023)
    by_name = {r["buyer"].name: r for r in report["rows"]}
    assert by_name[above.name]["share"] == Decimal("12.00") and by_name[above.name]["status"] == "met"
    assert by_name[below.name]["share"] == Decimal("8.00") and by_name[below.name]["status"] == "below"
    assert [r["buyer"] for r in report["below"]] == [below]


def test_line_is_editable_and_encouraged_share_shown(county, units):
    above, below = units
    ShareSetting.objects.update_or_create(pairing=county, defaults={"line": Decimal("8.00"),
                                                                    "encouraged": Decimal("12.00")})
    report = share832_report(county, 2023)
    status = {r["buyer"].name: r["status"] for r in report["rows"]}
    assert status[above.name] == "encouraged" and status[below.name] == "met" and report["below"] == []


def test_share_page_and_api(county, units):
    above, below = units
    r = page_checklist(reverse("consumption_share832", args=[county.pk]) + "?year=2023")
    html = r.content.decode()
    below_list = html[html.index('id="below-line"'):html.index("</ul>", html.index('id="below-line"'))]
    assert below.name in below_list and above.name not in below_list
    r = api_checklist(f"/api/v1/pairings/{county.pk}/consumption/share832?year=2023")
    data = r.json()
    assert data["below"] == [below.name] and data["line"] == "10.00"
    row = next(x for x in data["rows"] if x["name"] == above.name)
    assert row == {"buyer": above.pk, "name": above.name, "budget": "100000.00", "reserved_amount": None,
                   "reserved_share": None, "declared_on": None, "declared_late": False, "amount_832": "12000.00",
                   "amount_not_counted": "0.00", "share": "12.00", "status": "met"}
    assert data["declare_by"] == "2023-02-20"


def test_demo_share_report_2022_has_one_unit_below(county):
    report = share832_report(county, 2022)
    assert [r["buyer"].name for r in report["below"]] == ["六合区示例中学（示例）"]
    assert {r["status"] for r in report["rows"]} == {"below", "met", "encouraged"}
    # The street office declared its reserved share after 20 February.
    assert [r["buyer"].name for r in report["late"]] == ["六合区示例街道办事处（示例）"]


def test_editing_the_line(county):
    url = reverse("consumption_share832_setting", args=[county.pk])
    version = ShareSetting.for_pairing(county).version
    r = page_checklist(url, write=True, data={"line": "12", "encouraged": "15", "loaded_version": version})
    assert r.status_code == 302
    assert ShareSetting.objects.get(pairing=county).line == Decimal("12.00")
    r = login("liuhe").post(url, {"line": "12", "encouraged": "10", "loaded_version": 2})
    assert "鼓励比例不能低于预留比例底线" in r.content.decode()
