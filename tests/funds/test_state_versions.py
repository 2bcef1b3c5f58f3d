"""State changes carry the version the person looked at: a project
transition and a disbursement confirmation or return from a page without a
version, or from one that is no longer current, are refused and change
nothing; through the API the same with If-Match (428 missing, 412 stale)."""

import pytest
from django.db.models import F
from django.urls import reverse

from xiezuo.api_helpers import etag_of
from xiezuo.funds.models import Disbursement, Project

from ..checklist import login, token_client
from .conftest import submitted

pytestmark = pytest.mark.django_db


def bump(instance):
    """Someone else saves the record in between (the version moves on)."""
    type(instance).objects.filter(pk=instance.pk).update(version=F("version") + 1)


def messages_of(response):
    return response.content.decode()


# -- project transition -------------------------------------------------------

def transition_page(project, **extra):
    url = reverse("project_transition", args=[project.pk])
    return login("huangyuan").post(url, {"to": "completed", "date": "2023-06-01", **extra}, follow=True)


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_transition_page_without_a_version_is_refused(project, version):
    extra = {} if version is None else {"loaded_version": version}
    steps = project.status_changes.count()
    r = transition_page(project, **extra)
    assert "操作缺少所读取的版本号" in messages_of(r)
    assert Project.objects.get(pk=project.pk).status == Project.IMPLEMENTING
    assert project.status_changes.count() == steps


def test_transition_page_with_a_stale_version_is_refused(project):
    shown, steps = project.version, project.status_changes.count()
    bump(project)
    r = transition_page(project, loaded_version=shown)
    assert "此记录已被他人修改" in messages_of(r) and "请刷新后重试" in messages_of(r)
    after = Project.objects.get(pk=project.pk)
    assert after.status == Project.IMPLEMENTING and after.version == shown + 1
    assert project.status_changes.count() == steps


def test_transition_page_with_the_right_version_is_done(project):
    r = transition_page(project, loaded_version=project.version)
    assert r.redirect_chain and Project.objects.get(pk=project.pk).status == Project.COMPLETED


def test_transition_page_form_carries_the_version_shown(project):
    r = login("huangyuan").get(reverse("project_detail", args=[project.pk]))
    assert f'name="loaded_version" value="{project.version}"' in messages_of(r)


def test_transition_api_needs_if_match(project):
    api = f"/api/v1/projects/{project.pk}/transitions"
    body = {"to": "completed", "date": "2023-06-01"}
    client = token_client("huangyuan")
    r = client.post(api, body, content_type="application/json")
    assert r.status_code == 428 and "If-Match" in r.json()["detail"]
    etag = etag_of(project)
    bump(project)
    r = client.post(api, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 412 and "已被他人修改" in r.json()["detail"]
    assert Project.objects.get(pk=project.pk).status == Project.IMPLEMENTING
    etag = client.get(f"/api/v1/projects/{project.pk}")["ETag"]
    r = client.post(api, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200 and r.json()["status"] == "completed"


def test_transition_model_compares_under_the_lock(project):
    from django.core.exceptions import ValidationError

    from .conftest import user

    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), Project.COMPLETED, loaded_version=project.version - 1)
    assert e.value.code == "conflict"
    with pytest.raises(ValidationError):
        project.transition(user("huangyuan"), Project.COMPLETED, loaded_version=None)
    assert Project.objects.get(pk=project.pk).status == Project.IMPLEMENTING


# -- disbursement confirm / return ------------------------------------------

ACTIONS = [("disbursement_confirm", {}), ("disbursement_return", {"reason": "凭证不全"})]


@pytest.mark.parametrize("action, data", ACTIONS)
def test_decision_page_without_a_version_is_refused(project, action, data):
    d = submitted(project, "120000")
    for extra in ({}, {"loaded_version": ""}):
        r = login("liuhe").post(reverse(action, args=[d.pk]), {**data, **extra}, follow=True)
        assert "操作缺少所读取的版本号" in messages_of(r)
    after = Disbursement.objects.get(pk=d.pk)
    assert after.status == Disbursement.SUBMITTED and after.version == d.version


@pytest.mark.parametrize("action, data", ACTIONS)
def test_decision_page_on_a_resubmitted_amount_is_refused(project, action, data):
    d = submitted(project, "120000")
    shown = d.version
    # The west office changes the amount and submits again while the east
    # office still has the page with 12万元 open.
    d.amount = 123500
    d.submit(Disbursement.objects.get(pk=d.pk).submitted_by)
    r = login("liuhe").post(reverse(action, args=[d.pk]), {**data, "loaded_version": shown}, follow=True)
    assert "此记录已被他人修改" in messages_of(r)
    after = Disbursement.objects.get(pk=d.pk)
    assert after.status == Disbursement.SUBMITTED and after.version == shown + 1 and after.decided_by is None


@pytest.mark.parametrize("action, data, status", [(*ACTIONS[0], "confirmed"), (*ACTIONS[1], "returned")])
def test_decision_page_with_the_right_version_is_done(project, action, data, status):
    d = submitted(project, "120000")
    r = login("liuhe").post(reverse(action, args=[d.pk]), {**data, "loaded_version": d.version})
    assert r.status_code == 302
    assert Disbursement.objects.get(pk=d.pk).status == status


def test_the_confirm_button_names_the_amount_and_carries_the_version(project):
    d = submitted(project, "123500")
    html = messages_of(login("liuhe").get(reverse("project_detail", args=[project.pk])))
    assert "确认拨付 12.35万元" in html
    assert html.count(f'name="loaded_version" value="{d.version}"') >= 2


@pytest.mark.parametrize("action, body", [("confirm", None), ("return", {"reason": "凭证不全"})])
def test_decision_api_needs_if_match(project, action, body):
    d = submitted(project, "120000")
    url = f"/api/v1/disbursements/{d.pk}/{action}"
    east = token_client("liuhe")

    def post(**headers):
        if body is None:
            return east.post(url, **headers)
        return east.post(url, body, content_type="application/json", **headers)

    r = post()
    assert r.status_code == 428
    etag = east.get(f"/api/v1/disbursements/{d.pk}")["ETag"]
    bump(d)
    r = post(HTTP_IF_MATCH=etag)
    assert r.status_code == 412 and "已被他人修改" in r.json()["detail"]
    assert Disbursement.objects.get(pk=d.pk).status == Disbursement.SUBMITTED
    r = post(HTTP_IF_MATCH=east.get(f"/api/v1/disbursements/{d.pk}")["ETag"])
    assert r.status_code == 200 and r.json()["status"] in ("confirmed", "returned")


def test_state_changes_declare_if_match_in_the_schema():
    schema = token_client("liuhe").get("/api/v1/openapi.json").json()
    for path in ("/api/v1/projects/{project_id}/transitions", "/api/v1/disbursements/{disbursement_id}/confirm",
                 "/api/v1/disbursements/{disbursement_id}/return", "/api/v1/industry/items/{agreeditem_id}/status"):
        params = schema["paths"][path]["post"]["parameters"]
        assert any(p["in"] == "header" and p["name"] == "If-Match" and p["required"] for p in params), path
