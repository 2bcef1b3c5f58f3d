"""The `industry` and `exchanges` figures: each key against our own records,
and the demo pairing's 2022 figures through the API."""

import datetime
import itertools
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.checklist import api_checklist
from xiezuo.figures import compute
from xiezuo.industry import services
from xiezuo.industry.models import (AgreedItem, Donation, Investment, InvestmentArrival, Park, Visit, Workshop,
                                   WorkshopMonth)
from xiezuo.pairings.models import Organisation, Pairing

pytestmark = pytest.mark.django_db
D = datetime.date


def figures(pairing, *years):
    return compute(pairing, list(years), sections=["industry", "exchanges"])


# Every helper row is a project of its own: enterprise + project name is the
# ledger's natural key, unique within a pairing.
SERIAL = itertools.count(1)


def invest(pairing, firm, landed, arrived, jobs=0, poverty=0):
    """An investment whose money arrived in one tranche on its landing day
    (none when it has not landed)."""
    inv = Investment.objects.create(pairing=pairing, enterprise=firm, project_name=f"测试{next(SERIAL)}",
                                    industry="other", landed_on=landed, agreed_amount=Decimal(arrived),
                                    jobs=jobs, jobs_poverty=poverty)
    if landed:
        InvestmentArrival.objects.create(investment=inv, date=landed, amount=Decimal(arrived))
    return inv


def test_demo_pairing_2022_from_the_api(county):
    r = api_checklist(f"/api/v1/pairings/{county.pk}/figures?year=2022")
    assert r.status_code == 200
    exchanges, industry = r.json()["exchanges"], r.json()["industry"]
    assert exchanges["leader_visits"] >= 1 and exchanges["joint_meetings"] >= 1
    assert industry["parks"] >= 2
    assert re.fullmatch(r"\d+\.\d{2}", industry["investment_arrived"])
    assert re.fullmatch(r"\d+\.\d{2}", industry["donations"])
    # The December 2021 experts' visit counts in 2021, not 2022.
    r21 = api_checklist(f"/api/v1/pairings/{county.pk}/figures?year=2021").json()["exchanges"]
    assert r21["leader_visits"] == 0 and r21["visits"] >= 1


def test_enterprises_landed_and_investment_arrived_on_the_landing_day(tree):
    root, child, other, firm = tree["root"], tree["child"], tree["other"], tree["firm"]
    second = Organisation.objects.create(name="第二家测试企业（示例）", kind="enterprise", region=firm.region)
    invest(root, firm, D(2022, 3, 1), "1000000.50", jobs=10, poverty=4)
    invest(child, firm, D(2022, 9, 1), "200000.25", jobs=5, poverty=5)  # same enterprise, second project
    invest(root, second, D(2022, 12, 31), "1.00")
    invest(root, second, D(2023, 1, 1), "999.00")  # another year
    invest(root, second, None, "777.00")  # signed, not landed: not counted
    invest(other, firm, D(2022, 5, 1), "5000.00")  # foreign pairing
    f = figures(root, 2022)["industry"]
    assert f["enterprises_landed"] == 2 and f["enterprises_invested"] == 2
    assert f["investment_arrived"] == "1200001.75"
    assert f["enterprise_jobs"] == 15
    f = figures(root, 2022, 2023)["industry"]
    assert f["investment_arrived"] == "1201000.75" and f["enterprises_landed"] == 2
    assert figures(child, 2022)["industry"]["investment_arrived"] == "200000.25"


def test_tranches_count_in_the_year_they_arrived(tree):
    """Landed in 2021 with 300万 arriving then, 200万 more in 2022: each year
    counts its own tranche, and the enterprise is 引导企业投资 in both."""
    root, firm = tree["root"], tree["firm"]
    inv = Investment.objects.create(pairing=root, enterprise=firm, project_name="分期测试项目", industry="other",
                                    signed_on=D(2021, 3, 1), landed_on=D(2021, 5, 1),
                                    agreed_amount=Decimal("5000000.00"), jobs=20, jobs_poverty=5)
    InvestmentArrival.objects.create(investment=inv, date=D(2021, 5, 1), amount=Decimal("3000000.00"))
    InvestmentArrival.objects.create(investment=inv, date=D(2022, 2, 15), amount=Decimal("2000000.00"))
    f21, f22 = figures(root, 2021)["industry"], figures(root, 2022)["industry"]
    assert (f21["investment_arrived"], f21["enterprises_invested"]) == ("3000000.00", 1)
    assert (f22["investment_arrived"], f22["enterprises_invested"]) == ("2000000.00", 1)
    # Landing (and the jobs it brought) stays a fact of 2021.
    assert (f21["enterprises_landed"], f21["enterprise_jobs"]) == (1, 20)
    assert (f22["enterprises_landed"], f22["enterprise_jobs"]) == (0, 0)
    both = figures(root, 2021, 2022)["industry"]
    assert (both["investment_arrived"], both["enterprises_invested"]) == ("5000000.00", 1)
    inv.refresh_from_db()
    assert inv.arrived_amount == Decimal("5000000.00") and not inv.arrived_exceeds_agreed


def test_the_stored_sum_follows_every_change_of_the_tranches(tree):
    root, firm = tree["root"], tree["firm"]
    inv = Investment.objects.create(pairing=root, enterprise=firm, project_name="求和测试项目", industry="other",
                                    agreed_amount=Decimal("100.00"))
    a = InvestmentArrival.objects.create(investment=inv, date=D(2022, 1, 1), amount=Decimal("60.00"))
    b = InvestmentArrival.objects.create(investment=inv, date=D(2022, 6, 1), amount=Decimal("50.00"))
    inv.refresh_from_db()
    assert inv.arrived_amount == Decimal("110.00") and inv.arrived_exceeds_agreed
    a.amount = Decimal("40.00")
    a.save()
    b.delete()
    inv.refresh_from_db()
    assert inv.arrived_amount == Decimal("40.00")
    # An instance loaded before a tranche was added does not write its stale sum back.
    stale = Investment.objects.get(pk=inv.pk)
    InvestmentArrival.objects.create(investment=inv, date=D(2022, 7, 1), amount=Decimal("5.00"))
    stale.note = "改备注"
    stale.save()
    inv.refresh_from_db()
    assert inv.arrived_amount == Decimal("45.00")


def test_parks_are_a_stock_by_their_first_year(tree):
    root, child = tree["root"], tree["child"]
    Park.objects.create(pairing=root, name="甲园", since_year=2021)
    Park.objects.create(pairing=child, name="乙园", since_year=2022)
    Park.objects.create(pairing=root, name="丙园", since_year=2024)
    Park.objects.create(pairing=tree["other"], name="外园", since_year=2021)
    assert figures(root, 2020)["industry"]["parks"] == 0
    assert figures(root, 2021)["industry"]["parks"] == 1
    assert figures(root, 2022)["industry"]["parks"] == 2
    assert figures(root, 2021, 2023)["industry"]["parks"] == 2


def workshop(pairing, name, opened, closed=None, months=(), **fields):
    """A workshop with monthly rows: months = [(first month, last month, employed, 脱贫, 监测对象)]."""
    ws = Workshop.objects.create(pairing=pairing, name=name, opened_on=opened, closed_on=closed, **fields)
    for first, last, employed, poverty, monitored in months:
        month = first
        while month <= last:
            WorkshopMonth.objects.create(workshop=ws, month=month, employed=employed, poverty=poverty,
                                         monitored=monitored)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
    return ws


def test_workshops_count_by_month_during_the_years(tree):
    root, child = tree["root"], tree["child"]
    workshop(root, "甲", D(2021, 5, 1), D(2021, 12, 1), [(D(2021, 5, 1), D(2021, 12, 1), 10, 5, 0)])
    workshop(child, "乙", D(2022, 5, 1), None, [(D(2022, 5, 1), D(2022, 12, 1), 20, 8, 0)])
    workshop(root, "丙", D(2021, 1, 1), None, [(D(2021, 1, 1), D(2022, 12, 1), 7, 5, 2)])
    workshop(tree["other"], "外", D(2021, 1, 1), None, [(D(2021, 1, 1), D(2022, 12, 1), 99, 9, 0)])
    f = figures(root, 2022)["industry"]
    assert (f["workshops"], f["workshop_months"], f["workshop_jobs"], f["workshop_jobs_poverty"]) == (2, 20, 27, 15)
    assert f["jobs_poverty"] == 15
    f = figures(root, 2021)["industry"]
    assert (f["workshops"], f["workshop_months"], f["workshop_jobs"], f["workshop_jobs_poverty"]) == (2, 20, 17, 12)
    # Over two years a workshop is one workshop; its jobs are those of its last counted month.
    f = figures(root, 2021, 2022)["industry"]
    assert (f["workshops"], f["workshop_months"], f["workshop_jobs"]) == (3, 40, 37)


def test_jobs_poverty_adds_enterprises_and_workshops(tree):
    root = tree["root"]
    invest(root, tree["firm"], D(2022, 3, 1), "1.00", jobs=12, poverty=6)
    workshop(root, "甲", D(2022, 5, 1), None, [(D(2022, 5, 1), D(2022, 5, 1), 20, 8, 0)])
    assert figures(root, 2022)["industry"]["jobs_poverty"] == 14


def test_donations_cash_and_in_kind_by_date(tree):
    root, child = tree["root"], tree["child"]
    common = {"donor_name": "某商会", "donor_kind": "association", "purpose": "助学", "receiver": "某校"}
    Donation.objects.create(pairing=root, date=D(2022, 1, 1), form="cash", amount=Decimal("100.10"), **common)
    Donation.objects.create(pairing=child, date=D(2022, 12, 31), form="in_kind", amount=Decimal("50.05"),
                            items="棉被10床", **common)
    Donation.objects.create(pairing=root, date=D(2023, 1, 1), form="cash", amount=Decimal("7.00"), **common)
    Donation.objects.create(pairing=tree["other"], date=D(2022, 6, 1), form="cash", amount=Decimal("9.00"), **common)
    f = figures(root, 2022)["industry"]
    assert (f["donations"], f["donations_cash"], f["donations_in_kind"]) == ("150.15", "100.10", "50.05")
    assert figures(root, 2024)["industry"]["donations"] == "0.00"


def village_counts(pairing, year):
    f = figures(pairing, year)["industry"]
    return f["village_pair_enterprises"], f["village_pair_social_orgs"], f["paired_villages"]


def test_village_pairs_come_from_enterprise_and_social_village_pairings(tree):
    root, child = tree["root"], tree["child"]
    assert village_counts(root, 2021) == (0, 0, 0)  # formed 2022-03-01
    assert village_counts(root, 2022) == (1, 0, 1)
    org = Organisation.objects.create(name="测试基金会（示例）", kind="social", region=tree["firm"].region)
    Pairing.objects.create(level="social_village", parent=root, east_region=root.east_region, east_org=org,
                           west_region=root.west_region)  # no date: counted in every year
    Pairing.objects.create(level="school", parent=root, east_region=root.east_region,
                           west_region=root.west_region)  # not a village pair
    assert village_counts(root, 2021) == (0, 1, 1)
    # The foundation pairs the enterprise's village: one village, two parties.
    assert village_counts(root, 2022) == (1, 1, 1)
    assert village_counts(child, 2022) == (1, 0, 1)
    assert village_counts(tree["other"], 2022) == (0, 0, 0)
    assert "village_pairs" not in figures(root, 2022)["industry"]  # pairing rows are no longer a figure


def test_visits_by_start_year_and_kind(tree):
    root, child = tree["root"], tree["child"]

    def visit(pairing, kind, start, end=None):
        Visit.objects.create(pairing=pairing, kind=kind, title="测试", start_on=start, end_on=end or start)

    visit(root, Visit.LEADER, D(2022, 12, 30), D(2023, 1, 2))  # counts in its start year
    visit(child, Visit.LEADER, D(2022, 6, 1))
    visit(root, Visit.JOINT_MEETING, D(2022, 6, 2))
    visit(root, Visit.DEPARTMENT, D(2022, 7, 1))
    visit(root, Visit.INSPECTION, D(2023, 1, 5))
    visit(tree["other"], Visit.LEADER, D(2022, 6, 1))
    e = figures(root, 2022)["exchanges"]
    assert (e["leader_visits"], e["joint_meetings"], e["visits"]) == (2, 1, 4)
    e = figures(root, 2023)["exchanges"]
    assert (e["leader_visits"], e["joint_meetings"], e["visits"]) == (0, 0, 1)


def test_agreed_items_done_and_overdue_against_today(tree):
    root, child = tree["root"], tree["child"]

    def item(pairing, year, deadline):
        return AgreedItem.objects.create(pairing=pairing, year=year, title=f"事项{next(SERIAL)}", east_owner="甲", west_owner="乙",
                                         deadline=deadline)

    late = item(root, 2022, D(2022, 12, 31))
    done = item(child, 2022, D(2022, 12, 31))
    shelved = item(root, 2022, D(2022, 12, 31))
    item(root, 2022, None)
    item(root, 2023, D(2022, 12, 31))  # another year's item
    item(tree["other"], 2022, D(2022, 12, 31))
    with time_machine.travel("2022-11-01 10:00 +0800", tick=False):
        services.change_status(done, AgreedItem.IN_PROGRESS)
        services.change_status(done, AgreedItem.DONE)
        services.change_status(shelved, AgreedItem.SHELVED, text="暂缓")
        services.change_status(late, AgreedItem.IN_PROGRESS)
    with time_machine.travel("2022-12-31 18:00 +0800", tick=False):
        e = figures(root, 2022)["exchanges"]
        assert (e["agreed_items"], e["agreed_items_done"], e["agreed_items_overdue"]) == (4, 1, 0)
    with time_machine.travel("2023-01-01 08:00 +0800", tick=False):
        e = figures(root, 2022)["exchanges"]
        assert (e["agreed_items"], e["agreed_items_done"], e["agreed_items_overdue"]) == (4, 1, 1)
        assert figures(root, 2022, 2023)["exchanges"]["agreed_items_overdue"] == 2


def test_overdue_through_the_api_follows_frozen_time(county):
    item = AgreedItem.objects.create(pairing=county, year=2022, title="测试事项", east_owner="甲", west_owner="乙",
                                     deadline=D(2022, 8, 31))
    url = f"/api/v1/pairings/{county.pk}/figures?year=2022"
    with time_machine.travel("2022-08-31 12:00 +0800", tick=False):
        before = api_checklist(url).json()["exchanges"]["agreed_items_overdue"]
        assert api_checklist(f"/api/v1/industry/items/{item.pk}").json()["overdue"] is False
    with time_machine.travel("2022-09-01 12:00 +0800", tick=False):
        after = api_checklist(url).json()["exchanges"]["agreed_items_overdue"]
        assert api_checklist(f"/api/v1/industry/items/{item.pk}").json()["overdue"] is True
    assert after == before + 1


def test_sections_take_a_fixed_number_of_queries(tree, county):
    from xiezuo.industry.figures import exchanges_section, industry_section

    ids = [county.pk, *county.subtree().exclude(pk=county.pk).values_list("pk", flat=True)]
    with CaptureQueriesContext(connection) as small:
        industry_section(ids, [2022])
        exchanges_section(ids, [2022])
    for i in range(30):
        workshop(county, f"车间{i}", D(2022, 1, 1), None, [(D(2022, 1, 1), D(2022, 3, 1), 6, 5, 1)])
    with CaptureQueriesContext(connection) as big:
        industry_section(ids, [2021, 2022])
        exchanges_section(ids, [2021, 2022])
    assert len(small) == len(big) == 10
