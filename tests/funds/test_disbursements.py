"""Two-step disbursement: the west office submits, the east office confirms
or returns, and two different people take the two steps."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from xiezuo.accounts.models import Membership
from xiezuo.audit.context import acting_as
from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import Disbursement

from ..checklist import login, token_client
from .conftest import submitted, user

pytestmark = pytest.mark.django_db


def test_west_submits_east_confirms_each_step_an_audit_event(project):
    with acting_as(user("huangyuan")):
        d = submitted(project, "250000")
    assert d.status == "submitted" and d.submitted_by == user("huangyuan")
    with acting_as(user("liuhe")):
        d.confirm(user("liuhe"))
    d.refresh_from_db()
    assert d.status == "confirmed" and d.decided_by == user("liuhe") and d.decided_at is not None
    steps = AuditEvent.objects.filter(model="funds.Disbursement", object_id=str(d.pk), action="workflow")
    assert [e.summary.split("：")[0] for e in steps.order_by("seq")] == ["提交拨付", "确认拨付"]
    assert [e.actor_name for e in steps.order_by("seq")] == ["huangyuan", "liuhe"]


def test_west_cannot_confirm_and_east_cannot_submit(project):
    d = submitted(project, "100000")
    with pytest.raises(PermissionDenied):
        d.confirm(user("huangyuan"))
    with pytest.raises(PermissionDenied):
        d.send_back(user("huangyuan"), "不对")
    with pytest.raises(PermissionDenied):
        submitted(project, "100000", by="liuhe")
    for name in ("lingdao", "shenji", "yiyuan"):
        with pytest.raises(PermissionDenied):
            d.confirm(user(name))
    d.refresh_from_db()
    assert d.status == "submitted" and project.disbursements.count() == 1


def test_the_same_person_cannot_submit_and_confirm(county, project):
    # Someone holding both roles (or an administrator) still needs a second person.
    Membership.objects.create(user=user("huangyuan"), pairing=county, role="east")
    d = submitted(project, "100000")
    with pytest.raises(ValidationError) as e:
        d.confirm(user("huangyuan"))
    assert "须由两名不同的人员完成" in str(e.value)
    admin_d = submitted(project, "100000", by="admin")
    with pytest.raises(ValidationError):
        admin_d.confirm(user("admin"))
    admin_d.confirm(user("liuhe"))
    assert Disbursement.objects.get(pk=d.pk).status == "submitted"


def test_return_then_resubmit_then_confirm(project):
    d = submitted(project, "100000")
    with pytest.raises(ValidationError):
        d.send_back(user("liuhe"), "")
    d.send_back(user("liuhe"), "凭证号缺失")
    d.refresh_from_db()
    assert d.status == "returned" and d.return_reason == "凭证号缺失"
    with pytest.raises(ValidationError):
        d.confirm(user("liuhe"))  # a returned disbursement must be resubmitted first
    d.voucher_number = "HYXZ2023-001"
    d.submit(user("huangyuan"))
    assert d.status == "submitted" and d.return_reason == ""
    d.confirm(user("liuhe"))
    d.refresh_from_db()
    with pytest.raises(ValidationError):
        d.confirm(user("liuhe"))
    with pytest.raises(ValidationError) as e:
        d.submit(user("huangyuan"))
    assert "已确认，不能修改" in str(e.value)


def test_reserve_and_terminated_projects_take_no_disbursement(county, receipt):
    from .conftest import new_project

    reserve = new_project(county, code="T-R", coop="1000")
    with pytest.raises(ValidationError) as e:
        submitted(reserve, "10")
    assert "尚未立项" in str(e.value)
    assert not reserve.disbursements.exists()


def test_pages_submit_confirm_and_return(project):
    url = reverse("disbursement_create", args=[project.pk])
    data = {"date": "2023-05-02", "amount": "120000", "voucher_number": "HY-9", "purpose": "设备款"}
    assert login("liuhe").post(url, data).status_code == 403
    r = login("huangyuan").post(url, data)
    assert r.status_code == 302
    d = project.disbursements.get()
    confirm = reverse("disbursement_confirm", args=[d.pk])
    assert login("huangyuan").post(confirm).status_code == 403
    r = login("liuhe").post(confirm, {"next": reverse("disbursement_list", args=[project.pairing_id]),
                                      "loaded_version": d.version})
    assert r.status_code == 302 and r["Location"].endswith(f"/pairings/{project.pairing_id}/disbursements/")
    d.refresh_from_db()
    assert d.status == "confirmed"
    r = login("liuhe").post(confirm, {"next": "https://evil.example/", "loaded_version": d.version})
    assert r["Location"] == reverse("project_detail", args=[project.pk])
    # over the funds: the form shows the message and saves nothing
    r = login("huangyuan").post(url, {**data, "voucher_number": "HY-10", "amount": "480000.01"})
    assert r.status_code == 200 and "超过项目协作资金60万元" in r.content.decode()
    assert project.disbursements.count() == 1


def test_api_submit_confirm_return(project):
    base = f"/api/v1/projects/{project.pk}/disbursements"
    body = {"date": "2023-05-02", "amount": "100000", "purpose": "进度款"}
    assert token_client("liuhe").post(base, body, content_type="application/json").status_code == 403
    r = token_client("huangyuan").post(base, body, content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "submitted" and r.json()["amount"] == "100000.00"
    pk = r.json()["id"]
    assert token_client("huangyuan").post(f"/api/v1/disbursements/{pk}/confirm").status_code == 403
    east = token_client("liuhe")
    r = east.post(f"/api/v1/disbursements/{pk}/return", {"reason": "金额有误"}, content_type="application/json",
                  HTTP_IF_MATCH=east.get(f"/api/v1/disbursements/{pk}")["ETag"])
    assert r.status_code == 200 and r.json()["status"] == "returned"
    west = token_client("huangyuan")
    etag = west.get(f"/api/v1/disbursements/{pk}")["ETag"]
    r = west.put(f"/api/v1/disbursements/{pk}", {**body, "amount": "90000"}, content_type="application/json",
                 HTTP_IF_MATCH=etag)
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = east.post(f"/api/v1/disbursements/{pk}/confirm", HTTP_IF_MATCH=east.get(f"/api/v1/disbursements/{pk}")["ETag"])
    assert r.status_code == 200 and r.json()["status"] == "confirmed" and r.json()["decided_by"] == "六合区协作办"


@pytest.mark.parametrize("status, reason", [("reserve", "储备项目尚未立项，不能拨付资金"), ("terminated", "项目已终止，不能拨付资金")])
def test_a_project_that_takes_no_money_is_offered_no_disbursement(county, receipt, status, reason):
    from .conftest import new_project

    project = new_project(county, code=f"T-NOPAY-{status}")  # 储备
    if status == "terminated":
        project.transition(user("admin"), "terminated", reason="测试终止")
    c = login("huangyuan")
    html = c.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert reason in html and reverse("disbursement_create", args=[project.pk]) not in html
    # Typed by hand, the page says why instead of taking a form that will fail.
    r = c.get(reverse("disbursement_create", args=[project.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("project_detail", args=[project.pk])
    assert reason in c.get(r["Location"]).content.decode()
    n = Disbursement.objects.count()
    c.post(reverse("disbursement_create", args=[project.pk]), {"date": "2023-05-01", "amount": "1000",
                                                              "purpose": "测试"})
    assert Disbursement.objects.count() == n
