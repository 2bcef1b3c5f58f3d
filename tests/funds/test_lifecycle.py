"""The project life cycle: legal steps only, by the right role, logged."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from xiezuo.accounts.scope import scope_for
from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import Project, ProjectStatusChange
from xiezuo.notices.demo import give_notices

from ..checklist import login, token_client
from .conftest import new_project, register_asset, user

pytestmark = pytest.mark.django_db

ORDER = ["reserve", "approved", "procurement", "implementing", "completed", "accepted", "handed_over"]
LEGAL = {(a, b) for a, b in zip(ORDER, ORDER[1:])} | {(s, "terminated") for s in ORDER[:-1]}
ILLEGAL = [(a, b) for a, b in itertools.product(ORDER + ["terminated"], repeat=2) if (a, b) not in LEGAL]


def at_status(county, status):
    project = new_project(county, code=f"L-{status}", coop="1000")
    if status == "terminated":
        project.transition(user("admin"), "terminated", datetime.date(2023, 4, 1), "不再实施")
    elif status != "reserve":
        project = new_project(county, code=f"L2-{status}", coop="1000", status=status)
    return project


@pytest.mark.parametrize("start", ORDER + ["terminated"])
def test_each_illegal_transition_is_refused(county, receipt, start):
    project = at_status(county, start)
    logged = project.status_changes.count()
    targets = [to for a, to in ILLEGAL if a == start]
    assert len(targets) == {"reserve": 6, "handed_over": 8, "terminated": 8}.get(start, 6)
    for to in targets:
        with pytest.raises(ValidationError) as e:
            project.transition(user("admin"), to, datetime.date(2023, 12, 1), "原因")
        assert "不能变更为" in str(e.value), to
        project.refresh_from_db()
        assert project.status == start and project.status_changes.count() == logged


def test_the_whole_life_cycle_keeps_date_user_and_reason(county, receipt, hospital_project):
    p = hospital_project
    p.transition(user("yiyuan"), "completed", datetime.date(2023, 6, 30), "设备安装调试完毕")
    give_notices(p, "accepted", datetime.date(2023, 7, 15), demo=False)  # opens the 验收结果公告
    p.transition(user("huangyuan"), "accepted", datetime.date(2023, 7, 15))
    register_asset(p, datetime.date(2023, 8, 1))
    p.transition(user("huangyuan"), "handed_over", datetime.date(2023, 8, 1))
    changes = list(p.status_changes.values_list("from_status", "to_status", "user__username", "date"))
    assert [c[:2] for c in changes] == list(zip(ORDER, ORDER[1:]))
    assert changes[3] == ("implementing", "completed", "yiyuan", datetime.date(2023, 6, 30))
    p.refresh_from_db()
    assert p.actual_start == datetime.date(2023, 4, 21) and p.actual_finish == datetime.date(2023, 6, 30)
    assert AuditEvent.objects.filter(model="funds.ProjectStatusChange", pairing_id=county.pk,
                                     after__reason="设备安装调试完毕").exists()


def test_roles_may_take_only_their_steps(county, receipt, hospital_project):
    other = new_project(county, code="T-OTHER", coop="1000", status="implementing")
    for username in ("liuhe", "lingdao", "shenji"):
        with pytest.raises(PermissionDenied):
            hospital_project.transition(user(username), "completed", datetime.date(2023, 6, 1))
    # The hospital reports its own project's finish, not another unit's, and
    # does not accept its own work.
    with pytest.raises(PermissionDenied):
        other.transition(user("yiyuan"), "completed", datetime.date(2023, 6, 1))
    hospital_project.transition(user("yiyuan"), "completed", datetime.date(2023, 6, 1))
    with pytest.raises(PermissionDenied):
        hospital_project.transition(user("yiyuan"), "accepted", datetime.date(2023, 6, 2))
    with pytest.raises(PermissionDenied):
        other.transition(user("yiyuan"), "terminated", datetime.date(2023, 6, 2), "x")
    assert hospital_project.allowed_steps(scope_for(user("huangyuan"))) == ["accepted", "terminated"]
    assert hospital_project.allowed_steps(scope_for(user("yiyuan"))) == []


def test_termination_needs_a_reason_and_dates_must_be_in_order(county, receipt, project):
    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), "terminated", datetime.date(2023, 6, 1), "  ")
    assert "终止项目须填写终止原因" in str(e.value)
    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), "completed", datetime.date(2023, 4, 1))
    assert "不能早于上一步" in str(e.value)
    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), "completed", datetime.date.today() + datetime.timedelta(days=2))
    assert "不能晚于今天" in str(e.value)
    project.refresh_from_db()
    assert project.status == "implementing"


def test_a_stale_page_cannot_step_twice(county, receipt, project):
    stale = Project.objects.get(pk=project.pk)
    project.transition(user("huangyuan"), "completed", datetime.date(2023, 6, 1))
    with pytest.raises(ValidationError) as e:
        stale.transition(user("huangyuan"), "completed", datetime.date(2023, 6, 1))
    assert "已被他人改为“完工”" in str(e.value)
    assert ProjectStatusChange.objects.filter(project=project, to_status="completed").count() == 1


def test_transition_page_and_api(county, receipt, project):
    url = reverse("project_transition", args=[project.pk])
    version = project.version
    r = login("lingdao").post(url, {"to": "completed", "date": "2023-06-01", "loaded_version": version})
    assert r.status_code == 403
    r = login("huangyuan").post(url, {"to": "accepted", "date": "2023-06-01", "loaded_version": version}, follow=True)
    assert "项目当前为“实施”，不能变更为“验收”" in r.content.decode()
    r = login("huangyuan").post(url, {"to": "completed", "date": "2023-06-01", "loaded_version": version})
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.status == "completed"
    api = f"/api/v1/projects/{project.pk}/transitions"
    etag = token_client("huangyuan").get(f"/api/v1/projects/{project.pk}")["ETag"]
    r = token_client("liuhe").post(api, {"to": "accepted", "date": "2023-06-02"}, content_type="application/json",
                                   HTTP_IF_MATCH=etag)
    assert r.status_code == 403
    r = token_client("huangyuan").post(api, {"to": "handed_over", "date": "2023-06-02"},
                                       content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 422 and "不能变更为" in r.json()["errors"]["status"][0]
    r = token_client("huangyuan").post(api, {"to": "accepted", "date": "2023-06-02"},
                                       content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert r.json()["status_changes"][-1]["user"] == "湟源县协作办"
