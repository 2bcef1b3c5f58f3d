"""OCDS 1.1.5 export: packages pass libcoveocds (offline) and validate against
the schemas, bids follow the extension and its codelists, parties are
identified by CN-USCI, each release holds only what was known at its date,
personal data stays out."""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xiezuo.procurement.models import Amendment, TenderDocument

from ..checklist import api_checklist
from lib.ids import normalize_uscc

from .conftest import D, award, bid, wan
from .ocds_check import BID_STATISTICS, facts_after_the_release, problems, releases_of
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


def assert_parties_identified_by_usci(package):
    text = json.dumps(package, ensure_ascii=False)
    assert "XZ-" not in text and "CN-USCC" not in text
    identified = 0
    for r in releases_of(package):
        for party in r["parties"]:
            if "identifier" in party:
                ident = party["identifier"]
                assert ident["scheme"] == "CN-USCI", party
                assert normalize_uscc(ident["id"]) == ident["id"]
                assert party["id"] == f"CN-USCI-{ident['id']}"
                identified += 1
            else:
                # No code known: a local id, no scheme claimed.
                assert not party["id"].startswith("CN-"), party
    assert identified


def assert_nothing_later_than_its_release(package):
    for r in releases_of(package):
        assert facts_after_the_release(r) == [], (r["id"], r["date"])


def test_release_package_passes_libcoveocds_and_carries_every_stage(county, full_tender, settings):
    settings.XIEZUO_OCID_PREFIX = "ocds-test01"
    pkg = fetch(county, "release")
    assert problems(pkg) == []
    assert errors(pkg, "release-package-schema.json") == []
    ocid = f"ocds-test01-{full_tender.pk}"
    mine = {r["tag"][0]: r for r in pkg["releases"] if r["ocid"] == ocid}
    assert list(mine) == ["planning", "tender", "tenderUpdate", "award", "contract", "implementation",
                          "contractTermination"]
    last = mine["contractTermination"]
    assert last["tender"]["procurementMethod"] == "open" and last["tender"]["procurementMethodDetails"] == "公开招标"
    assert last["tender"]["value"] == {"amount": 4500000.0, "currency": "CNY"}
    assert last["tender"]["tenderPeriod"] == {"startDate": "2023-03-01T00:00:00+08:00",
                                              "endDate": "2023-03-31T00:00:00+08:00"}
    assert last["awards"][0]["value"]["amount"] == 4300000.0
    assert last["contracts"][0]["amendments"][0]["rationale"] == "增加看台"
    assert last["contracts"][0]["implementation"]["milestones"][0]["dueDate"].startswith("2023-10-31")
    # Bids as in the bids extension, with its codelist's measures.
    stats = {s["measure"]: s["value"] for s in last["bids"]["statistics"]}
    assert stats == {"bids": 3, "bidders": 3, "validBids": 2, "disqualifiedBidders": 1}
    assert set(stats) <= BID_STATISTICS
    statuses = sorted(d["status"] for d in last["bids"]["details"])
    assert statuses == ["disqualified", "valid", "valid"]
    party_ids = {p["id"] for p in last["parties"]}
    assert all(d["tenderers"][0]["id"] in party_ids for d in last["bids"]["details"])
    supplier = next(p for p in last["parties"] if "supplier" in p["roles"])
    winner = full_tender.winning_bid.supplier_uscc
    assert supplier["identifier"] == {"scheme": "CN-USCI", "id": winner, "legalName": supplier["name"]}
    assert supplier["id"] == f"CN-USCI-{winner}" and "tenderer" in supplier["roles"]
    assert any(p["name"] == "示例招标代理（示例）" and p["roles"] == ["procuringEntity"] for p in last["parties"])
    assert pkg["extensions"] and "ocds_bid_extension" in pkg["extensions"][0]
    assert_parties_identified_by_usci(pkg)
    # Each release holds what was known on its date, and nothing later.
    assert_nothing_later_than_its_release(pkg)
    tender = mine["tender"]
    assert tender["date"].startswith("2023-03-01")
    assert "bids" not in tender and "tenderers" not in tender["tender"] and "awardPeriod" not in tender["tender"]
    assert [p["roles"] for p in tender["parties"]] == [["buyer"], ["procuringEntity"]]
    assert [d["title"] for d in tender["tender"]["documents"]] == ["招标公告"]
    update = mine["tenderUpdate"]
    assert update["date"].startswith("2023-04-03")  # the evaluation report
    assert len(update["bids"]["details"]) == 3 and update["tender"]["numberOfTenderers"] == 3
    assert "awards" not in update
    assert "awards" not in mine["tenderUpdate"] and "contracts" not in mine["award"]
    contract = mine["contract"]["contracts"][0]
    assert contract["status"] == "active" and "amendments" not in contract
    implementation = mine["implementation"]
    assert implementation["date"].startswith("2023-08-01")
    milestone = implementation["contracts"][0]["implementation"]["milestones"][0]
    assert implementation["contracts"][0]["status"] == "active" and milestone["status"] == "scheduled"
    assert last["date"].startswith("2023-10-31") and last["contracts"][0]["status"] == "terminated"
    assert last["contracts"][0]["implementation"]["milestones"][0]["status"] == "met"


def test_bids_before_their_evaluation_are_pending_and_counted_only(county, make_tender):
    t = make_tender(title="评标中的采购（示例）", bid_deadline=D(2023, 3, 31), opening_date=D(2023, 4, 1))
    bid(t, wan(290))
    bid(t, wan(295), valid=False)
    pkg = fetch(county, "release")
    assert problems(pkg) == []
    mine = [r for r in pkg["releases"] if r["ocid"].endswith(f"-{t.pk}")]
    assert [r["tag"] for r in mine] == [["planning"], ["tender"], ["tenderUpdate"]]
    update = mine[-1]
    assert update["date"].startswith("2023-04-01")
    assert {d["status"] for d in update["bids"]["details"]} == {"pending"}
    assert {s["measure"]: s["value"] for s in update["bids"]["statistics"]} == {"bids": 2, "bidders": 2}
    assert_nothing_later_than_its_release(pkg)


def test_record_package_passes_libcoveocds_with_compiled_release(county, full_tender):
    pkg = fetch(county, "record")
    assert problems(pkg) == []
    assert errors(pkg, "record-package-schema.json") == []
    record = next(r for r in pkg["records"] if r["ocid"].endswith(f"-{full_tender.pk}"))
    assert record["compiledRelease"]["tag"] == ["compiled"]
    assert len(record["releases"]) == 7
    assert record["compiledRelease"]["date"] == record["releases"][-1]["date"]
    assert_parties_identified_by_usci(pkg)
    assert_nothing_later_than_its_release(pkg)
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
    # libcoveocds reports the same kind of mistakes, and codes outside the codelists.
    assert any("tag" in p for p in problems(broken))
    assert any("date" in p for p in problems(bad_date))
    odd = copy.deepcopy(pkg)
    release = next(r for r in odd["releases"] if "bids" in r and "awards" in r)
    release["tender"]["procurementMethod"] = "auction"
    release["awards"][0]["documents"] = [{"id": "x", "documentType": "madeUpType", "title": "x"}]
    release["bids"]["statistics"].append({"id": "9", "measure": "disqualifiedBids", "value": 1})
    found = problems(odd)
    assert any("procurementMethod" in p for p in found), found
    assert any("documentType" in p and "madeUpType" in p for p in found), found
    assert any("disqualifiedBids" in p for p in found), found
    # And a release holding a bid dated after it is caught.
    early = copy.deepcopy(release)
    early["date"] = "2000-01-01T00:00:00+08:00"
    assert facts_after_the_release(early)


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
        assert problems(pkg) == [], kind
        assert errors(pkg, schema) == [], kind
        assert_parties_identified_by_usci(pkg)
        assert_nothing_later_than_its_release(pkg)
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
