"""Every figure of ../shared/seed/FACTS.md for 2021 and 2022, read from the
dashboard JSON and the indicators API of the demo county pair.

A figure whose module has not landed yet must come out as null (an unknown
actual, never an error); once the module's figures section is registered
the same test asserts the article's figure.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.checklist import login
from xiezuo import figures as registry

pytestmark = pytest.mark.django_db


def landed(section):
    return section in registry.SECTIONS


def indicators(county, year):
    r = login("lingdao").get(f"/api/v1/pairings/{county.pk}/indicators?year={year}")
    assert r.status_code == 200
    return {row["code"]: row for row in r.json()["indicators"]}


def dashboard(county, year):
    r = login("lingdao").get(f"/api/v1/pairings/{county.pk}/dashboard?year={year}")
    assert r.status_code == 200
    return r.json()


def disaggregation(row, name):
    return {d["name"]: d["actual"] for d in row["disaggregations"]}[name]


@pytest.mark.parametrize("year,amount,projects,categories", [
    (2021, "43000000.00", 7, 4),
    (2022, "42200000.00", 12, 5),
])
def test_funds_and_projects(county, year, amount, projects, categories):
    rows = indicators(county, year)
    data = dashboard(county, year)
    dash_rows = {r["code"]: r for r in data["indicators"]}
    if not landed("funds"):
        assert rows["fiscal_funds"]["actual"] is None and rows["projects"]["actual"] is None
        return
    for source in (rows, dash_rows):
        assert source["fiscal_funds"]["actual"] == amount
        assert source["fiscal_funds"]["completion"] == "100.00"
        assert source["projects"]["actual"] == projects
        assert disaggregation(source["projects"], "项目大类") == categories
    assert data["figures"]["funds"]["fiscal_received"] == amount


def test_2022_beneficiaries(county):
    data = dashboard(county, 2022)
    chart = {row[0]: row[1] for row in data["charts"]["beneficiaries"]["rows"]}
    if not landed("funds"):
        assert chart == {}
        return
    assert data["figures"]["funds"]["beneficiaries"]["students"] == 5593
    assert data["figures"]["funds"]["beneficiaries"]["children"] == 707
    # Each kind in its own unit: people, places.
    assert chart["在校学生（人）"] == 5593 and chart["在园幼儿（人）"] == 707
    assert chart["受益学校（所）"] == 10 and chart["受益幼儿园（所）"] == 21


def test_consumption_over_2021_2022_exceeds_ten_million(county):
    values = [indicators(county, y)["consumption"]["actual"] for y in (2021, 2022)]
    if not landed("consumption"):
        assert values == [None, None]
        return
    assert sum(Decimal(v) for v in values) > Decimal("10000000.00")


def test_training_three_classes_150_trainees(county):
    rows = [indicators(county, y)["training"] for y in (2021, 2022)]
    if not landed("labour"):
        assert [r["actual"] for r in rows] == [None, None]
        return
    assert sum(r["actual"] for r in rows) == 150
    assert sum(disaggregation(r, "培训班期数") for r in rows) == 3


def test_sanzhi_31_person_times(county):
    rows = [indicators(county, y)["professionals"] for y in (2021, 2022)]
    values = [disaggregation(r, "其中“三支”人才（人次）") for r in rows]
    if not landed("talent"):
        assert values == [None, None]
        return
    assert sum(values) == 31


def test_2022_leader_visit_and_joint_meeting(county):
    rows = indicators(county, 2022)
    if not landed("exchanges"):
        assert rows["visits"]["actual"] is None and rows["meetings"]["actual"] is None
        return
    assert rows["visits"]["actual"] >= 1 and rows["meetings"]["actual"] >= 1
    assert rows["visits"]["target"] == 1 and rows["visits"]["completion"] is not None


def test_parks_named_in_the_article(county):
    data = dashboard(county, 2022)
    row = {r["code"]: r for r in data["indicators"]}["parks"]
    if not landed("industry"):
        assert row["actual"] is None
        return
    assert row["actual"] >= 2


def test_2021_township_pairing_funds_420_wan(county):
    row = indicators(county, 2021)["social_funds"]
    if not landed("funds"):
        assert row["actual"] is None
        return
    # The four township pairs' 结对帮扶资金 count in the county pair's social funds.
    assert row["actual"] == "4200000.00" and row["actual_display"] == "420万元"


def test_2019_2020_school_works_490_wan(county):
    values = [indicators(county, y)["fiscal_funds"]["actual"] for y in (2019, 2020)]
    if not landed("funds"):
        assert values == [None, None]
        return
    assert sum(Decimal(v) for v in values) == Decimal("4900000.00")


def test_2022_agreed_items_of_the_joint_meeting(county):
    chart = dashboard(county, 2022)["charts"]["agreed_items"]
    if not landed("exchanges"):
        assert chart["rows"] == []
        return
    rows = dict(chart["rows"])
    assert rows["商定合作事项"] >= 1 and rows["已完成"] <= rows["商定合作事项"]
    assert chart["link"] == reverse("industry_items_list", args=[county.pk]) + "?year=2022"


def test_consumption_channels_named_in_the_article(county):
    names = set()
    for year in (2021, 2022):
        names |= {row[0] for row in dashboard(county, year)["charts"]["consumption_by_channel"]["rows"]}
    if not landed("consumption"):
        assert names == set()
        return
    assert {"六合湟源消费扶贫专馆", "湟源臻品馆"} <= names


def test_icu_equipment_project_in_the_2022_iati_export(county, iati_publisher):
    from lxml import etree

    doc = etree.fromstring(login("lingdao").get(f"/api/v1/pairings/{county.pk}/iati?year=2022").content)
    titles = [a.findtext("title/narrative") for a in doc.findall("iati-activity")]
    if not landed("funds"):
        assert titles == []
        return
    assert "湟源县人民医院重症监护室（ICU）设备购置项目" in titles
    icu = [a for a in doc.findall("iati-activity") if "ICU" in a.findtext("title/narrative")][0]
    roles = {o.get("role"): o.findtext("narrative") for o in icu.findall("participating-org")}
    assert roles["4"] == "湟源县人民医院"
