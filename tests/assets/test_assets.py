"""The asset ledger (资产后续管理): a project is handed over only with a
registered asset (model, page, API); income only for operating assets and
its shares never above it, whole or nothing; the two-person disposal with
stale screens refused; the figures by class and year; scoping; an audit
event for every change; the handover document through the one upload
check; the demo."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiezuo.accounts.models import User
from xiezuo.assets.figures import assets_section
from xiezuo.assets.forms import IncomeForm
from xiezuo.assets.models import (DISPOSED, OPERATING, PUBLIC, REGISTERED, REQUESTED, Asset, AssetCare, AssetIncome,
                                  AssetIncomeShare, suggested_value)
from xiezuo.audit.context import acting_as
from xiezuo.audit.models import AuditEvent
from xiezuo.figures import compute
from xiezuo.front.worklist import waiting_items
from xiezuo.funds.models import FundReceipt, Project, ProjectCategory
from xiezuo.pairings.models import Organisation

from ..checklist import api_checklist, login, page_checklist, token_client
from ..funds.conftest import RECEIVED, new_project

pytestmark = pytest.mark.django_db
D = datetime.date


def user(name):
    return User.objects.get(username=name)


def org(name="湟源县教育局"):
    return Organisation.objects.get(name=name)


@pytest.fixture
def receipt(county):
    """Money received in 2023 (empty in the demo), for the test projects to be approved."""
    return FundReceipt.objects.create(pairing=county, year=2023, kind="fiscal", date=D(2023, 3, 1), amount=RECEIVED,
                                      doc_number="六协〔2023〕1号")


@pytest.fixture
def accepted(county, receipt):
    """A 2023 project of the county pair, accepted (验收) and not yet handed over."""
    return new_project(county, code="A-2023-01", status=Project.ACCEPTED, unit=org())


def asset(project, **fields):
    values = {"name": "测试资产", "kind": PUBLIC, "value": Decimal("600000"), "owner": org(),
              "handed_over_on": D(2023, 6, 1)}
    values.update(fields)
    a = Asset(pairing=project.pairing, project=project, **values)
    a.full_clean()
    a.save()
    return a


def events(obj, action=None):
    qs = AuditEvent.objects.filter(model=obj._meta.label, object_id=str(obj.pk)).order_by("seq")
    return list(qs.filter(action=action) if action else qs)


# -- the handover rule ---------------------------------------------------------

def test_handover_is_refused_without_an_asset_and_allowed_with_one(accepted):
    with pytest.raises(ValidationError, match="项目移交前须登记资产"):
        accepted.transition(user("huangyuan"), Project.HANDED_OVER, D(2023, 6, 2))
    accepted.refresh_from_db()
    assert accepted.status == Project.ACCEPTED
    asset(accepted)
    accepted.transition(user("huangyuan"), Project.HANDED_OVER, D(2023, 6, 2))
    assert Project.objects.get(pk=accepted.pk).status == Project.HANDED_OVER


def test_a_disposed_asset_does_not_count_for_the_handover(accepted):
    a = asset(accepted)
    Asset.objects.filter(pk=a.pk).update(status=DISPOSED, disposed_on=D(2023, 6, 1))
    with pytest.raises(ValidationError, match="项目移交前须登记资产"):
        accepted.transition(user("huangyuan"), Project.HANDED_OVER, D(2023, 6, 2))


def test_handover_page_and_api_refuse_then_accept(accepted):
    url = reverse("project_transition", args=[accepted.pk])
    r = login("huangyuan").post(url, {"to": "handed_over", "date": "2023-06-02", "loaded_version": accepted.version},
                                follow=True)
    assert "项目移交前须登记资产" in r.content.decode()
    api = f"/api/v1/projects/{accepted.pk}/transitions"
    etag = token_client("huangyuan").get(f"/api/v1/projects/{accepted.pk}")["ETag"]
    r = token_client("huangyuan").post(api, {"to": "handed_over", "date": "2023-06-02"},
                                       content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 422 and "项目移交前须登记资产" in r.json()["errors"]["status"][0]
    # Registered through the API, from the project.
    body = {"name": "接口登记资产", "kind": "public", "value": "550000.00", "owner": org().pk,
            "handed_over_on": "2023-06-01", "handover_ref": "移交清单（测试）"}
    r = api_checklist(f"/api/v1/projects/{accepted.pk}/assets", method="post", json=body)
    assert r.status_code == 201, r.content
    assert r.json()["status"] == REGISTERED and r.json()["year"] == 2023 and r.json()["project_code"] == "A-2023-01"
    r = token_client("huangyuan").post(api, {"to": "handed_over", "date": "2023-06-02"},
                                       content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200 and r.json()["status"] == "handed_over"


def test_an_asset_needs_an_accepted_project_of_the_pairing(county, receipt):
    building = new_project(county, code="B-2023-01", status=Project.IMPLEMENTING)
    with pytest.raises(ValidationError, match="项目验收后方可登记资产"):
        asset(building)


def test_the_project_page_offers_registration_prefilled(accepted):
    from xiezuo.funds.models import Disbursement

    detail = login("liuhe").get(reverse("project_detail", args=[accepted.pk])).content.decode()
    create = reverse("asset_create", args=[accepted.pk])
    assert create in detail and "尚未登记资产" in detail
    assert create not in login("lingdao").get(reverse("project_detail", args=[accepted.pk])).content.decode()
    r = page_checklist(create, refuse_read_only=True)
    form = r.context["form"]
    assert form.initial["name"] == accepted.name and form.initial["owner"] == org().pk
    # No confirmed disbursement yet: the budget; then confirmed money plus other funds.
    assert form.initial["value"] == Decimal("600000")
    Disbursement.objects.create(project=accepted, date=D(2023, 5, 1), amount=Decimal("500000"), purpose="测试",
                                status=Disbursement.CONFIRMED)
    Project.objects.filter(pk=accepted.pk).update(other_funds=Decimal("30000"))
    accepted.refresh_from_db()
    assert suggested_value(accepted) == Decimal("530000")
    data = {"name": "页面登记资产", "kind": "operating", "value": "530000", "owner": org().pk,
            "handed_over_on": "2023-06-01", "location": "大华镇"}
    r = page_checklist(create, write=True, data=data)
    made = Asset.objects.get(project=accepted, name="页面登记资产")
    assert r.status_code == 302 and made.value == Decimal("530000") and made.year == 2023
    html = login("liuhe").get(reverse("project_detail", args=[accepted.pk])).content.decode()
    assert reverse("asset_detail", args=[made.pk]) in html
    # The same name twice for one project is refused in words.
    r = login("liuhe").post(create, data)
    assert r.status_code == 200 and "该项目已登记同名资产" in r.content.decode()


def test_a_project_before_acceptance_offers_no_registration(county, receipt):
    building = new_project(county, code="B-2023-02", status=Project.COMPLETED)
    html = login("liuhe").get(reverse("project_detail", args=[building.pk])).content.decode()
    assert reverse("asset_create", args=[building.pk]) not in html


# -- income and shares ---------------------------------------------------------

def test_income_is_refused_on_a_public_asset(accepted):
    a = asset(accepted, kind=PUBLIC)
    income = AssetIncome(asset=a, year=2023, date=D(2023, 12, 1), amount=Decimal("1000"))
    with pytest.raises(ValidationError, match="只有经营性资产登记收益"):
        income.full_clean()
    r = login("liuhe").get(reverse("asset_income_create", args=[a.pk]), follow=True)
    assert "只有经营性资产登记收益" in r.content.decode()
    r = token_client("liuhe").post(f"/api/v1/assets/{a.pk}/incomes", {
        "year": 2023, "date": "2023-12-01", "amount": "1000", "shares": [{"kind": "poor", "amount": "1000"}]},
        content_type="application/json")
    assert r.status_code == 422 and "只有经营性资产登记收益" in str(r.json()["errors"])
    assert not AssetIncome.objects.filter(asset=a).exists()


def shares_post(amount, shares):
    data = {"year": "2023", "date": "2023-12-01", "amount": amount, "note": "",
            "shares-TOTAL_FORMS": str(len(shares)), "shares-INITIAL_FORMS": "0", "shares-MIN_NUM_FORMS": "1",
            "shares-MAX_NUM_FORMS": "1000"}
    for n, (kind, value, households, poor) in enumerate(shares):
        data.update({f"shares-{n}-kind": kind, f"shares-{n}-amount": value, f"shares-{n}-households": households,
                     f"shares-{n}-poor_households": poor, f"shares-{n}-description": ""})
    return data


def test_shares_above_the_income_are_refused_and_nothing_is_saved(accepted):
    a = asset(accepted, kind=OPERATING)
    url = reverse("asset_income_create", args=[a.pk])
    n = AuditEvent.objects.count()
    # One fen above: refused, neither the income nor any share written.
    r = login("liuhe").post(url, shares_post("10000", [("poor", "6000", 30, 30), ("collective", "4000.01", 0, 0)]))
    assert r.status_code == 200 and "超过收益金额" in r.content.decode()
    assert not AssetIncome.objects.filter(asset=a).exists()
    assert not AssetIncomeShare.objects.filter(income__asset=a).exists()
    assert AuditEvent.objects.count() == n
    r = token_client("liuhe").post(f"/api/v1/assets/{a.pk}/incomes", {
        "year": 2023, "date": "2023-12-01", "amount": "10000",
        "shares": [{"kind": "poor", "amount": "6000", "households": 30, "poor_households": 30},
                   {"kind": "collective", "amount": "4000.01"}]}, content_type="application/json")
    assert r.status_code == 422 and "超过收益金额" in str(r.json()["errors"])
    assert not AssetIncome.objects.filter(asset=a).exists()
    # More 脱贫户 than households: refused too.
    r = login("liuhe").post(url, shares_post("10000", [("poor", "6000", 3, 30)]))
    assert "脱贫户户数不能多于受益户数" in r.content.decode() and not AssetIncome.objects.filter(asset=a).exists()
    # Exactly the income: saved, with an audit event for the income and each share.
    r = login("liuhe").post(url, shares_post("10000", [("poor", "6000", 30, 30), ("collective", "4000", 0, 0)]))
    assert r.status_code == 302
    income = AssetIncome.objects.get(asset=a)
    assert income.shares_total() == Decimal("10000") and income.shares.count() == 2
    assert len(events(income, "create")) == 1
    assert all(len(events(s, "create")) == 1 for s in income.shares.all())
    page_checklist(url, refuse_read_only=True)


def test_the_income_form_checks_the_shares_whole(accepted):
    a = asset(accepted, kind=OPERATING)
    form = IncomeForm(shares_post("100", [("poor", "60", 1, 1), ("other", "50", 1, 0)]),
                      instance=AssetIncome(asset=a))
    assert not form.is_valid() and "超过收益金额" in str(form.non_field_errors())


# -- care records --------------------------------------------------------------

def test_care_records_each_leave_an_audit_event(accepted):
    a = asset(accepted)
    url = reverse("asset_care_create", args=[a.pk])
    data = {"date": "2023-12-01", "unit": "湟源县教育局", "person": "", "content": "年度检查维护（测试）", "cost": "12000"}
    r = page_checklist(url, write=True, data=data)
    assert r.status_code == 302
    care = AssetCare.objects.get(asset=a)
    assert care.year == 2023 and care.cost == Decimal("12000") and len(events(care, "create")) == 1
    r = login("liuhe").post(url, {**data, "date": "2023-01-01"})
    assert "管护日期不能早于资产移交日期" in r.content.decode()
    r = token_client("liuhe").post(f"/api/v1/assets/{a.pk}/care", {"date": "2023-12-02", "unit": "县教育局",
                                                                   "content": "接口登记（测试）", "cost": "500"},
                                   content_type="application/json")
    assert r.status_code == 201 and r.json()["year"] == 2023


# -- disposal ------------------------------------------------------------------

def test_disposal_needs_a_second_person_each_step_one_event_and_a_history_row(accepted):
    a = asset(accepted)
    with pytest.raises(ValidationError) as e:
        a.request_disposal(user("huangyuan"), "", "scrap")
    assert "disposal_reason" in e.value.message_dict
    with acting_as(user("huangyuan")):
        a.request_disposal(user("huangyuan"), "设备报废（测试）", "scrap", Decimal("1000"))
    assert a.status == REQUESTED and a.version == 2 and a.disposal_value == Decimal("1000.00")
    with pytest.raises(ValidationError, match="两名不同的人员"):
        a.approve_disposal(user("huangyuan"))
    with pytest.raises(ValidationError, match="两名不同的人员"):
        a.reject_disposal(user("huangyuan"), "自己退回")
    # The request waits on another office user, not on the asker nor on readers.
    href = reverse("asset_detail", args=[a.pk]) + "#disposal"
    assert [i.label for i in waiting_items(user("liuhe")) if i.href == href] == ["待批准资产处置"]
    for name in ("huangyuan", "lingdao", "shenji", "yiyuan", "sibling", "outsider"):
        assert not [i for i in waiting_items(user(name)) if i.href == href], name
    with acting_as(user("liuhe")):
        a.approve_disposal(user("liuhe"), day=D(2024, 3, 1))
    assert not [i for i in waiting_items(user("liuhe")) if i.href == href]
    a.refresh_from_db()
    assert (a.status, a.disposal_approved_by, a.disposed_on, a.version) == (DISPOSED, user("liuhe"), D(2024, 3, 1), 3)
    workflow = events(a, "workflow")
    assert [e.summary.split("：")[0] for e in workflow] == ["申请处置", "批准处置"]
    assert [e.actor_name for e in workflow] == ["huangyuan", "liuhe"]
    assert workflow[1].before["status"] == REQUESTED and workflow[1].after["status"] == DISPOSED
    assert len(events(a)) == 3  # the registration and one event per step
    assert [(s.step, s.from_status, s.to_status, s.user.username) for s in a.steps.all()] == [
        ("request", REGISTERED, REQUESTED, "huangyuan"), ("approve", REQUESTED, DISPOSED, "liuhe")]
    with pytest.raises(ValidationError, match="已处置"):
        a.request_disposal(user("huangyuan"), "再次", "scrap")
    with pytest.raises(ValidationError, match="资产已处置"):
        AssetCare(asset=a, date=D(2024, 4, 1), unit="x", content="x").full_clean()


def test_a_rejected_request_returns_the_asset_to_care(accepted):
    a = asset(accepted)
    a.request_disposal(user("liuhe"), "拟转让（测试）", "transfer")
    with pytest.raises(ValidationError, match="退回须填写原因"):
        a.reject_disposal(user("huangyuan"), " ")
    a.reject_disposal(user("huangyuan"), "评估报告缺失")
    a.refresh_from_db()
    assert a.status == REGISTERED and a.reject_reason == "评估报告缺失"
    assert a.allowed_steps(user("liuhe")) == ["request"]


def test_a_step_from_a_stale_screen_is_refused(accepted):
    a = asset(accepted)
    seen = a.version
    Asset.objects.filter(pk=a.pk).update(version=seen + 1)
    with pytest.raises(ValidationError, match="已被他人修改"):
        a.request_disposal(user("huangyuan"), "原因", "scrap", loaded_version=seen)
    with pytest.raises(ValidationError, match="缺少所读取的版本号"):
        a.request_disposal(user("huangyuan"), "原因", "scrap", loaded_version=None)
    assert Asset.objects.get(pk=a.pk).status == REGISTERED


@pytest.mark.parametrize("name", ["lingdao", "shenji", "yiyuan"])
def test_roles_without_write_take_no_step(accepted, name):
    a = asset(accepted)
    with pytest.raises(PermissionDenied):
        a.request_disposal(user(name), "原因", "scrap")
    assert a.allowed_steps(user(name)) == []


def test_pages_and_api_take_the_steps(accepted):
    a = asset(accepted)
    detail = reverse("asset_detail", args=[a.pk])
    assert 'value="request"' in page_checklist(detail).content.decode()
    assert 'value="request"' not in login("lingdao").get(detail).content.decode()
    step = reverse("asset_step", args=[a.pk])
    page_checklist(step, write=True, allowed="huangyuan",
                   data={"step": "request", "method": "scrap", "reason": "损坏（测试）", "loaded_version": a.version})
    a.refresh_from_db()
    assert a.status == REQUESTED and a.disposal_requested_by == user("huangyuan")
    html = login("huangyuan").get(detail).content.decode()
    assert 'value="approve"' not in html and "须由另一名人员批准或退回" in html
    login("liuhe").post(step, {"step": "approve", "loaded_version": a.version - 1})
    assert Asset.objects.get(pk=a.pk).status == REQUESTED  # stale: refused
    etag = token_client("liuhe").get(f"/api/v1/assets/{a.pk}")["ETag"]
    r = token_client("huangyuan").post(f"/api/v1/assets/{a.pk}/steps", {"step": "approve"},
                                       content_type="application/json", headers={"If-Match": etag})
    assert r.status_code == 422 and "两名不同的人员" in str(r.json()["errors"])
    r = token_client("liuhe").post(f"/api/v1/assets/{a.pk}/steps", {"step": "approve"},
                                   content_type="application/json")
    assert r.status_code == 428
    r = token_client("liuhe").post(f"/api/v1/assets/{a.pk}/steps", {"step": "approve"},
                                   content_type="application/json", headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["status"] == DISPOSED and r.json()["disposal_approved_by"]


def test_edit_keeps_the_version_and_a_disposed_asset_is_not_edited(accepted):
    a = asset(accepted)
    edit = reverse("asset_edit", args=[a.pk])
    data = {"name": "改名资产", "kind": "public", "value": "60", "owner": org().pk, "handed_over_on": "2023-06-01",
            "loaded_version": a.version}
    r = page_checklist(edit, write=True, data=data)
    a.refresh_from_db()
    assert r.status_code == 302 and a.name == "改名资产" and a.version == 2
    r = login("liuhe").post(edit, data)  # the version it read is stale now
    assert "已被他人修改" in r.content.decode()
    Asset.objects.filter(pk=a.pk).update(status=DISPOSED)
    r = login("liuhe").get(edit)
    assert r.status_code == 302


# -- figures -------------------------------------------------------------------

def test_figures_by_kind_and_year(foreign):
    category = ProjectCategory.objects.first()
    p = Project.objects.create(pairing=foreign, code="F-1", name="外部项目", year=2021, category=category,
                               status=Project.HANDED_OVER)
    make = lambda name, kind, value, day: Asset.objects.create(  # noqa: E731
        pairing=foreign, project=p, name=name, kind=kind, value=Decimal(value), owner=org(), handed_over_on=day)
    make("甲", PUBLIC, "100", D(2021, 5, 1))
    park = make("乙", OPERATING, "200", D(2022, 3, 1))
    gone = make("丙", PUBLIC, "50", D(2021, 6, 1))
    Asset.objects.filter(pk=gone.pk).update(status=DISPOSED, disposed_on=D(2022, 8, 1))
    make("丁", "household", "70", D(2023, 2, 1))  # handed over the next year
    income = AssetIncome.objects.create(asset=park, year=2022, date=D(2022, 12, 1), amount=Decimal("80"))
    AssetIncomeShare.objects.create(income=income, kind="poor", amount=Decimal("60"), households=12, poor_households=12)
    AssetIncomeShare.objects.create(income=income, kind="monitored", amount=Decimal("20"), households=3,
                                    poor_households=0)
    AssetIncome.objects.create(asset=park, year=2023, date=D(2023, 12, 1), amount=Decimal("90"))
    got = assets_section([foreign.pk], [2022])
    assert got == {"count": 2, "value": "300.00",
                   "by_kind": {"operating": {"count": 1, "value": "200.00"}, "public": {"count": 1, "value": "100.00"},
                               "household": {"count": 0, "value": "0.00"}},
                   "income": "80.00", "households": 15, "poor_households": 12}
    got = assets_section([foreign.pk], [2021])
    # At the end of 2021: 甲 and 丙 (disposed of only in 2022).
    assert (got["count"], got["value"], got["income"]) == (2, "150.00", "0.00")
    assert compute(foreign, [2022], sections=["assets"])["assets"]["count"] == 2
    data = login("outsider").get(f"/api/v1/pairings/{foreign.pk}/dashboard?year=2022").json()
    chart = data["charts"]["assets"]
    assert [row[:2] for row in chart["rows"]] == [["经营性", 1], ["公益性", 1], ["到户类", 0]]
    assert chart["link"] == reverse("asset_list", args=[foreign.pk]) + "?year="
    # Each class opens exactly the assets it counts, held on the year's 31
    # December: 丙 (disposed of in 2022) in 2021's list and not in 2022's.
    client = login("outsider")
    for year, names in ((2021, {"operating": set(), "public": {"甲", "丙"}, "household": set()}),
                        (2022, {"operating": {"乙"}, "public": {"甲"}, "household": set()})):
        chart = client.get(f"/api/v1/pairings/{foreign.pk}/dashboard?year={year}").json()["charts"]["assets"]
        for row, href in zip(chart["rows"], chart["row_links"]):
            kind = href.rsplit("kind=", 1)[1]
            html = client.get(href).content.decode()
            rows = html.split('class="asset-row"')[1:]
            listed = {n for n in ("甲", "乙", "丙", "丁") for r in rows if f">{n}<" in r}
            assert len(rows) == row[1] and listed == names[kind], (year, kind, listed)
            assert f"{year}年12月31日在管的资产" in html


# -- scoping -------------------------------------------------------------------

def test_scoping_sibling_sees_none_parent_reads_sub_pairing_assets(county, sibling):
    category = ProjectCategory.objects.first()
    p = Project.objects.create(pairing=sibling, code="S-1", name="乡镇结对项目", year=2022, category=category,
                               status=Project.ACCEPTED)
    own = asset(p, name="乡镇结对资产", handed_over_on=D(2022, 10, 1))
    county_asset = Asset.objects.filter(pairing=county).first()
    assert county_asset is not None, "the demo has assets"
    # The county pair's offices and readers read the township pair's asset.
    html = login("lingdao").get(reverse("asset_list", args=[county.pk]) + "?year=").content.decode()
    assert reverse("asset_detail", args=[own.pk]) in html
    assert login("lingdao").get(reverse("asset_detail", args=[own.pk])).status_code == 200
    # The sibling reads its own, never the county pair's; the outsider neither.
    assert login("sibling").get(reverse("asset_detail", args=[own.pk])).status_code == 200
    for name in ("sibling", "outsider"):
        assert login(name).get(reverse("asset_detail", args=[county_asset.pk])).status_code == 404
        assert login(name).get(reverse("asset_list", args=[county.pk])).status_code == 404
    assert login("outsider").get(reverse("asset_detail", args=[own.pk])).status_code == 404
    listed = token_client("sibling").get(f"/api/v1/pairings/{sibling.pk}/assets").json()
    assert [a["id"] for a in listed] == [own.pk]
    page_checklist(reverse("asset_list", args=[county.pk]))
    api_checklist(f"/api/v1/pairings/{county.pk}/assets")
    api_checklist(f"/api/v1/assets/{county_asset.pk}")


# -- the handover document -----------------------------------------------------

def test_the_handover_document_goes_through_the_one_upload_check(accepted, settings, tmp_path):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    create = reverse("asset_create", args=[accepted.pk])
    data = {"name": "带文件资产", "kind": "public", "value": "60", "owner": org().pk, "handed_over_on": "2023-06-01"}
    hostile = SimpleUploadedFile("list.pdf", b"<html><script>alert(1)</script></html>")
    r = login("liuhe").post(create, {**data, "handover_file": hostile})
    assert r.status_code == 200 and "list.pdf" in r.content.decode()
    assert not Asset.objects.filter(project=accepted).exists()
    exif = Image.Exif()
    exif[0x013B] = "拍摄人姓名"
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG", exif=exif)
    r = login("liuhe").post(create, {**data, "handover_file": SimpleUploadedFile("list.jpg", buf.getvalue(),
                                                                                 content_type="image/jpeg")})
    assert r.status_code == 302
    made = Asset.objects.get(project=accepted)
    with made.handover_file.open("rb") as fh:
        assert not Image.open(fh).getexif()
    url = reverse("asset_handover_file", args=[made.pk])
    r = page_checklist(url)
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")


# -- the demo ------------------------------------------------------------------

def test_every_demo_project_handed_over_has_an_asset(county):
    handed = Project.objects.filter(pairing=county, is_demo=True, status=Project.HANDED_OVER)
    assert handed.exists() and not handed.filter(assets=None).exists()
    icu = Asset.objects.get(project__code="HY-2022-05")
    hospital = Asset.objects.get(project__code="HY-2021-07")
    schools = Asset.objects.filter(project__code__in=["HY-2019-01", "HY-2020-01", "HY-2022-03"])
    assert icu.kind == hospital.kind == PUBLIC and schools.count() == 3 and {s.kind for s in schools} == {PUBLIC}
    park = Asset.objects.get(project__code="HY-2021-01")
    assert park.kind == OPERATING and all("示例" in a.name for a in Asset.objects.filter(is_demo=True))
    income = park.incomes.get(year=2022)
    assert income.shares_total() <= income.amount and income.shares.filter(kind="poor").exists()
    assert icu.care.exists()
    # The handover of each is dated before (or on) the project's own step.
    for a in Asset.objects.filter(is_demo=True).select_related("project"):
        change = a.project.status_changes.get(to_status=Project.HANDED_OVER)
        assert a.handed_over_on == change.date
    got = compute(county, [2022], sections=["assets"])["assets"]
    assert got["income"] == "600000.00" and got["poor_households"] == 320
