"""The permission checklist for every page and endpoint of the funds module."""

import pytest
from django.urls import reverse

from xiezuo.api_helpers import etag_of
from xiezuo.funds.models import Disbursement, FundReceipt, Project

from ..checklist import api_checklist, login, page_checklist, token_client
from .conftest import user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(county):
    project = Project.objects.get(code="HY-2022-07")
    return {"county": county, "project": project, "receipt": FundReceipt.objects.filter(pairing=county).first(),
            "pending": Disbursement.objects.get(project=project, status="submitted")}


READ_PAGES = [
    ("funds_overview", "county"), ("project_list", "county"), ("receipt_list", "county"),
    ("disbursement_list", "county"), ("project_detail", "project"),
]


@pytest.mark.parametrize("name,arg", READ_PAGES)
def test_read_pages(demo, name, arg):
    r = page_checklist(reverse(name, args=[demo[arg].pk]))
    assert r.status_code == 200 and demo["county"].name in r.content.decode()


@pytest.mark.parametrize("name,arg", [("receipt_create", "county"), ("project_create", "county"),
                                      ("receipt_edit", "receipt"), ("project_edit", "project")])
def test_write_pages_refuse_read_only_on_get_and_post(demo, name, arg):
    url = reverse(name, args=[demo[arg].pk])
    before = (Project.objects.count(), FundReceipt.objects.count())
    r = page_checklist(url, write=True, data={"year": "二〇二三"})
    assert r.status_code == 200 and "field-error" in r.content.decode()  # errors shown, nothing saved
    assert (Project.objects.count(), FundReceipt.objects.count()) == before
    assert login("lingdao").get(url).status_code == 403


def test_progress_page(demo):
    url = reverse("project_progress", args=[demo["project"].pk])
    r = page_checklist(url, write=True, data={"outputs-TOTAL_FORMS": "0", "outputs-INITIAL_FORMS": "0",
                                              "beneficiaries-TOTAL_FORMS": "0", "beneficiaries-INITIAL_FORMS": "0"})
    assert r.status_code == 302


def test_transition_page(demo):
    url = reverse("project_transition", args=[demo["project"].pk])
    r = page_checklist(url, allowed="huangyuan", write=True, data={"to": "completed", "date": "2023-07-01",
                                                                      "loaded_version": demo["project"].version})
    assert r.status_code == 302
    demo["project"].refresh_from_db()
    assert demo["project"].status == "completed"


def test_disbursement_pages(demo):
    p, d = demo["project"], demo["pending"]
    r = page_checklist(reverse("disbursement_create", args=[p.pk]), allowed="huangyuan", write=True,
                       data={"date": "2023-01-01", "amount": "1", "purpose": "测试"})
    assert r.status_code == 302
    r = page_checklist(reverse("disbursement_edit", args=[d.pk]), allowed="huangyuan", write=True,
                       data={"date": d.date, "amount": d.amount, "purpose": "修改用途", "loaded_version": d.version})
    assert r.status_code == 302 and Disbursement.objects.get(pk=d.pk).purpose == "修改用途"
    r = page_checklist(reverse("disbursement_return", args=[d.pk]), write=True, data={"reason": "请补充凭证", "loaded_version": Disbursement.objects.get(pk=d.pk).version})
    assert r.status_code == 302 and Disbursement.objects.get(pk=d.pk).status == "returned"
    resubmitted = Disbursement.objects.get(pk=d.pk).submit(user("huangyuan"))
    r = page_checklist(reverse("disbursement_confirm", args=[d.pk]), write=True,
                       data={"loaded_version": resubmitted.version})
    assert r.status_code == 302 and Disbursement.objects.get(pk=d.pk).status == "confirmed"


def test_attachment_upload_page(demo):
    r = page_checklist(reverse("attachment_upload", args=[demo["project"].pk]), write=True, data={})
    assert r.status_code == 302 and not demo["project"].attachments.exists()


def test_admin_pages(demo):
    for name in ("health_rules", "project_categories"):
        r = page_checklist(reverse(name), outsider=None)
        assert "只有管理员可以修改" in r.content.decode()


# -- API ----------------------------------------------------------------------

def put_with_etag(url, body, allowed="liuhe"):
    """Run the checklist on a PUT (without If-Match the allowed user gets 428),
    then update with the ETag just read; a stale ETag gets 412."""
    r = api_checklist(url, allowed=allowed, method="put", json=body)
    assert r.status_code == 428 and "If-Match" in r.json()["detail"]
    c = token_client(allowed)
    etag = c.get(url)["ETag"]
    r = c.put(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200, r.content
    assert r["ETag"] != etag
    stale = c.put(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    return r


@pytest.mark.parametrize("path", [
    "/pairings/{county}/fund-receipts", "/fund-receipts/{receipt}", "/pairings/{county}/projects",
    "/projects/{project}", "/projects/{project}/disbursements", "/disbursements/{pending}",
    "/pairings/{county}/health",
])
def test_read_endpoints(demo, path):
    url = "/api/v1" + path.format(**{k: v.pk for k, v in demo.items()})
    r = api_checklist(url)
    assert r.status_code == 200 and r.json()


def test_write_endpoints(demo):
    c, p, d = demo["county"], demo["project"], demo["pending"]
    receipt = {"year": 2023, "kind": "fiscal", "date": "2023-03-01", "amount": "100.00"}
    r = api_checklist(f"/api/v1/pairings/{c.pk}/fund-receipts", method="post", json=receipt)
    assert r.status_code == 201 and r.json()["amount"] == "100.00"
    url = f"/api/v1/fund-receipts/{r.json()['id']}"
    assert put_with_etag(url, {**receipt, "amount": "200"}).json()["amount"] == "200.00"
    project = {"code": "API-1", "name": "接口新增项目（示例）", "year": 2023, "category": "rural"}
    r = api_checklist(f"/api/v1/pairings/{c.pk}/projects", method="post", json=project)
    assert r.status_code == 201 and r.json()["status"] == "reserve"
    url = f"/api/v1/projects/{r.json()['id']}"
    assert put_with_etag(url, {**project, "name": "改名（示例）"}).json()["name"] == "改名（示例）"
    r = api_checklist(f"/api/v1/projects/{p.pk}/transitions", allowed="huangyuan", method="post",
                      json={"to": "completed", "date": "2023-07-01"}, headers={"If-Match": etag_of(Project.objects.get(pk=p.pk))})
    assert r.status_code == 200 and r.json()["status"] == "completed"
    r = api_checklist(f"/api/v1/projects/{p.pk}/disbursements", allowed="huangyuan", method="post",
                      json={"date": "2023-07-02", "amount": "1", "purpose": "尾款"})
    assert r.status_code == 201
    r = api_checklist(f"/api/v1/disbursements/{d.pk}/return", method="post", json={"reason": "缺凭证"},
                      headers={"If-Match": etag_of(Disbursement.objects.get(pk=d.pk))})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    r = put_with_etag(f"/api/v1/disbursements/{d.pk}", {"date": "2022-06-01", "amount": "1000", "purpose": "进度款"},
                      allowed="huangyuan")
    assert r.json()["status"] == "submitted" and r.json()["amount"] == "1000.00"
    r = api_checklist(f"/api/v1/disbursements/{d.pk}/confirm", method="post",
                      headers={"If-Match": etag_of(Disbursement.objects.get(pk=d.pk))})
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
