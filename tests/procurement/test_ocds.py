"""OCDS 1.1.5 export: packages validate offline, bids follow the extension,
personal data stays out."""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xiezuo.procurement.models import Amendment, TenderDocument

from ..checklist import api_checklist
from .conftest import D, award, bid, wan
from .ocds_schema import errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_tender(make_tender):
    """A process that reached every stage: tender, award, contract, amendment."""
    t = make_tender(title="示例学校运动场施工（示例）", year=2023, estimated_value=wan(450), agent="示例招标代理（示例）",
                    evaluation_report=D(2023, 4, 3), publicity_start=D(2023, 4, 4), publicity_end=D(2023, 4, 7),
                    award_date=D(2023, 4, 10), contract_signed=D(2023, 4, 20), contract_value=wan(430),
                    contract_number="HT-2023-001", contract_start=D(2023, 5, 1), contract_end=D(2023, 10, 31))
    winner = bid(t, wan(430), contact_phone="13912345678", legal_rep="赵六")
    bid(t, wan(445))
    bid(t, wan(420), valid=False, disqualification_reason="资质不符")
    award(t, winner)
    t.refresh_from_db()
    t.contract_value = wan(430)
    t.save()
    Amendment.objects.create(tender=t, date=D(2023, 8, 1), value_change=wan(20), description="增加看台")
    TenderDocument.objects.create(tender=t, kind="tenderNotice", title="招标公告", date=D(2023, 3, 1),
                                  file=SimpleUploadedFile("notice.pdf", b"%PDF-1.4 test"))
    return t


def fetch(county, kind, year=2023):
    url = f"/api/v1/pairings/{county.pk}/ocds/{kind}-package?year={year}"
    r = api_checklist(url, outsider="outsider")
    assert r.status_code == 200, r.content[:300]
    return json.loads(r.content)


def test_release_package_validates_and_carries_every_stage(county, full_tender, settings):
    settings.XIEZUO_OCID_PREFIX = "ocds-test01"
    pkg = fetch(county, "release")
    assert errors(pkg, "release-package-schema.json") == []
    ocid = f"ocds-test01-{full_tender.pk}"
    mine = [r for r in pkg["releases"] if r["ocid"] == ocid]
    assert [r["tag"] for r in mine] == [["planning"], ["tender"], ["award"], ["contract"], ["implementation"]]
    last = mine[-1]
    assert last["tender"]["procurementMethod"] == "open" and last["tender"]["procurementMethodDetails"] == "公开招标"
    assert last["tender"]["value"] == {"amount": 4500000.0, "currency": "CNY"}
    assert last["tender"]["tenderPeriod"] == {"startDate": "2023-03-01T00:00:00+08:00",
                                              "endDate": "2023-03-31T00:00:00+08:00"}
    assert last["awards"][0]["value"]["amount"] == 4300000.0
    assert last["contracts"][0]["amendments"][0]["rationale"] == "增加看台"
    assert last["contracts"][0]["implementation"]["milestones"][0]["dueDate"].startswith("2023-10-31")
    # Bids as in the bids extension.
    stats = {s["measure"]: s["value"] for s in last["bids"]["statistics"]}
    assert stats == {"bids": 3, "validBids": 2, "disqualifiedBids": 1}
    statuses = sorted(d["status"] for d in last["bids"]["details"])
    assert statuses == ["disqualified", "valid", "valid"]
    party_ids = {p["id"] for p in last["parties"]}
    assert all(d["tenderers"][0]["id"] in party_ids for d in last["bids"]["details"])
    supplier = next(p for p in last["parties"] if "supplier" in p["roles"])
    assert supplier["identifier"]["scheme"] == "CN-USCC" and "tenderer" in supplier["roles"]
    assert any(p["name"] == "示例招标代理（示例）" and p["roles"] == ["procuringEntity"] for p in last["parties"])
    assert pkg["extensions"] and "ocds_bid_extension" in pkg["extensions"][0]


def test_record_package_validates_with_compiled_release(county, full_tender):
    pkg = fetch(county, "record")
    assert errors(pkg, "record-package-schema.json") == []
    record = next(r for r in pkg["records"] if r["ocid"].endswith(f"-{full_tender.pk}"))
    assert record["compiledRelease"]["tag"] == ["compiled"]
    assert len(record["releases"]) == 5
    assert [r["date"] for r in record["releases"]] == sorted(r["date"] for r in record["releases"])


def test_export_leaves_out_contact_phones_and_other_personal_particulars(county, full_tender):
    text = json.dumps(fetch(county, "release"), ensure_ascii=False)
    b = full_tender.bids.first()
    for secret in ("13912345678", "139****5678", "赵六", b.bond_account, b.project_manager, "contactPoint"):
        assert secret not in text


def test_the_validation_is_real_a_broken_package_fails(county, full_tender):
    pkg = fetch(county, "release")
    broken = copy.deepcopy(pkg)
    broken["releases"][0]["tag"] = ["not-a-tag"]
    assert errors(broken, "release-package-schema.json")
    missing = copy.deepcopy(pkg)
    del missing["releases"][1]["ocid"]
    assert errors(missing, "release-package-schema.json")
    bad_date = copy.deepcopy(pkg)
    bad_date["releases"][0]["date"] = "2023-03-01"
    assert errors(bad_date, "release-package-schema.json")


def test_bids_extension_fields_are_additional_properties_the_core_schema_allows(county, full_tender):
    pkg = fetch(county, "release")
    release_schema = json.loads((__import__("tests.procurement.ocds_schema", fromlist=["folder"]).folder()
                                 / "release-schema.json").read_text())
    assert "bids" not in release_schema["properties"]
    assert release_schema.get("additionalProperties", True) is not False
    assert any("bids" in r for r in pkg["releases"])


def test_year_selects_processes_and_download_names_the_file(county, full_tender, api_for):
    r = api_for("liuhe").get(f"/api/v1/pairings/{county.pk}/ocds/release-package?year=2030")
    assert r.status_code == 404 and "2030年没有招标采购事项" in r.json()["detail"]
    from xiezuo.procurement.models import Tender

    pkg = fetch(county, "release")
    expected = {f"ocds-xiezuo-{pk}" for pk in Tender.objects.filter(
        pairing__path__startswith=county.path, year=2023).values_list("pk", flat=True)}
    assert {r["ocid"] for r in pkg["releases"]} == expected and f"ocds-xiezuo-{full_tender.pk}" in expected
    r = api_for("liuhe").get(f"/api/v1/pairings/{county.pk}/ocds/record-package?year=2023&download=1")
    assert r["Content-Disposition"] == f'attachment; filename="ocds-record-package-{county.pk}-2023.json"'
    assert api_for("liuhe").get(f"/api/v1/pairings/{county.pk}/ocds/record-package?year=1999").status_code == 422


@pytest.mark.parametrize("year", [2021, 2022])
def test_demo_packages_of_every_kind_of_process_validate(county, year):
    from xiezuo.procurement.models import Tender

    for kind, schema in (("release", "release-package-schema.json"), ("record", "record-package-schema.json")):
        pkg = fetch(county, kind, year=year)
        assert errors(pkg, schema) == [], kind
    demo = Tender.objects.filter(pairing=county, year=year, is_demo=True).count()
    assert len(pkg["records"]) == demo > 0
    direct = [r for r in pkg["records"] if r["compiledRelease"]["tender"]["procurementMethodDetails"] == "直接发包/小额采购"]
    if year == 2022:
        # Bought directly without bids: an award to a supplier who is not a tenderer.
        compiled = direct[0]["compiledRelease"]
        assert "bids" not in compiled and compiled["tender"]["procurementMethod"] == "direct"
        assert compiled["parties"][-1]["roles"] == ["supplier"]


def test_openapi_documents_the_ocds_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    for kind in ("release", "record"):
        op = schema["paths"][f"/api/v1/pairings/{{pairing_id}}/ocds/{kind}-package"]["get"]
        assert {p["name"] for p in op["parameters"]} >= {"pairing_id", "year", "download"}
