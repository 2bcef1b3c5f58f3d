"""The home page is a work list: what waits on each person, by role and
pairing, read through the scoping helper; the menu's badge counts it."""

import re

import pytest

from xiezuo.accounts.models import User
from xiezuo.assessment.models import SelfEvaluation
from xiezuo.funds.models import Disbursement
from xiezuo.ledgers.models import ImportJob

pytestmark = pytest.mark.django_db


def kinds(html):
    return re.findall(r'data-kind="(\w+)"', html)


def links(html):
    return re.findall(r'data-kind="\w+">.*?<a href="([^"]+)"', html, re.S)


def badge(html):
    found = re.findall(r'data-waiting aria-label="[^"]*">(\d+)<', html)
    return int(found[0]) if found else 0


def home(client_for, name):
    response = client_for(name).get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_each_role_sees_what_waits_on_it(client_for):
    assert Disbursement.objects.filter(status="submitted").exists()
    east, west, auditor = home(client_for, "liuhe"), home(client_for, "huangyuan"), home(client_for, "shenji")
    # A submitted disbursement waits on the east office, not on the west office that submitted it.
    assert "disbursement" in kinds(east) and "disbursement" not in kinds(west)
    assert any("/disbursements/?status=submitted&amp;year=" in url for url in links(east))
    # Open procurement findings wait on the auditors who review them.
    assert "finding" in kinds(auditor) and "finding" not in kinds(east) + kinds(west)
    # Each side's draft self-evaluation waits on that side's office only.
    assert {"evaluation", "snapshot"} & set(kinds(west)) and {"evaluation", "snapshot"} & set(kinds(east))
    assert "2022年度西部自评" in west and "2022年度西部自评" not in east
    assert "2022年度东部自评" in east and "2022年度东部自评" not in west
    # Overdue agreed items wait on both offices.
    assert "overdue_item" in kinds(east) and "overdue_item" in kinds(west)
    # A leader reads everything and has nothing to do.
    leader = home(client_for, "lingdao")
    assert kinds(leader) == [] and "暂无待办事项" in leader


def test_badge_counts_the_records_waiting(client_for):
    html = home(client_for, "shenji")
    shown = int(re.search(r"data-waiting-total>(\d+)<", html).group(1))
    findings = sum(int(n) for n in re.findall(r"(\d+)条招投标预警线索待复核", html))
    assert shown == findings == badge(html) > 0
    # The badge is on every page, not only home.
    other = client_for("shenji").get("/organisations/").content.decode()
    assert badge(other) == shown


def test_the_submitter_is_not_asked_to_confirm(client_for, users):
    before = kinds(home(client_for, "liuhe")).count("disbursement")
    Disbursement.objects.filter(status="submitted").update(submitted_by=users["liuhe"])
    assert kinds(home(client_for, "liuhe")).count("disbursement") == before - 1
    assert "disbursement" in kinds(home(client_for, "admin"))


def test_a_previewed_import_waits_on_the_person_who_uploaded_it(client_for, county, users):
    job = ImportJob.objects.create(pairing=county, user=users["huangyuan"], ledger="funds", filename="项目台账.xlsx",
                                   status=ImportJob.PREVIEWED)
    west = home(client_for, "huangyuan")
    assert "import" in kinds(west) and f"/ledger-imports/{job.pk}/" in links(west)
    assert "import" not in kinds(home(client_for, "liuhe"))


def test_a_stale_snapshot_is_named(client_for, county):
    evaluation = SelfEvaluation.objects.filter(pairing=county, status="draft", side="west").first() or \
        __import__("xiezuo.assessment.workflow", fromlist=["x"]).get_or_draft(county, 2022)
    rows = evaluation.snapshot["indicators"]
    rows[0]["actual_display"] = "—"  # the snapshot no longer says what the ledgers say
    SelfEvaluation.objects.filter(pk=evaluation.pk).update(snapshot={**evaluation.snapshot, "indicators": rows})
    west = home(client_for, "huangyuan")
    assert "snapshot" in kinds(west)
    assert f"/assessment/pairings/{county.pk}/self-evaluation/{evaluation.year}/west/" in links(west)


def test_unit_and_sibling_see_no_item_of_others(client_for, county, users):
    ImportJob.objects.create(pairing=county, user=users["huangyuan"], ledger="funds", filename="x.xlsx",
                             status=ImportJob.PREVIEWED)
    for name in ("yiyuan", "sibling", "outsider"):
        html = home(client_for, name)
        assert kinds(html) == [] and badge(html) == 0, name


def test_home_keeps_the_pairings_and_shows_the_working_years_figures(client_for, county):
    html = home(client_for, "huangyuan")
    assert 'id="pairings"' in html and f'href="/pairings/{county.pk}/"' in html
    figures = dict(re.findall(r'data-code="(\w+)">([^<]+)<', html))
    assert figures["fiscal_funds"] == "4220万元" and figures["consumption"] == "583.48万元"
    county.working_year = 2021
    county.save()
    figures = dict(re.findall(r'data-code="(\w+)">([^<]+)<', home(client_for, "huangyuan")))
    assert figures["fiscal_funds"] == "4300万元"


def test_menu_says_nothing_to_an_anonymous_visitor(client):
    assert client.get("/").status_code == 302
    assert User.objects.filter(username="lingdao").exists()


def test_a_submitted_report_waits_on_the_other_sides_views_then_on_its_own_side(client_for, county, users):
    west_report = SelfEvaluation.objects.get(pairing=county, year=2022, side="west")
    west_report.submit(users["huangyuan"], west_report.version)
    east, west = home(client_for, "liuhe"), home(client_for, "huangyuan")
    assert "2022年度西部自评报告征求意见中" in east and "2022年度西部自评报告征求意见中" not in west
    west_report.record_opinion(users["liuhe"], "同意，建议补充劳务协作数据。", west_report.version)
    east, west = home(client_for, "liuhe"), home(client_for, "huangyuan")
    assert "2022年度西部自评报告征求意见中" not in east
    # The submitter may not finalise (two-person rule): nothing waits on them.
    assert "2022年度西部自评报告已收到意见" not in west
