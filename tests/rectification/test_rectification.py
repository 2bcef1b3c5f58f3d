"""Rectification tasks: the steps and who may take them, the two-person
销号, stale screens, scoping, tasks made from findings and health alerts
(once), the work list, the figures section and the self-evaluation's look
back at earlier years."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from xiezuo.accounts.models import User
from xiezuo.audit.context import acting_as
from xiezuo.audit.models import AuditEvent
from xiezuo.figures import compute
from xiezuo.front.worklist import waiting_items
from xiezuo.rectification.figures import rectification_section
from xiezuo.rectification.models import AUDIT, CLOSED, FINDING, INSPECTION, OPEN, SUBMITTED, Rectification, as_of

from ..checklist import api_checklist, login, page_checklist, token_client

pytestmark = pytest.mark.django_db
D = datetime.date


def user(name):
    return User.objects.get(username=name)


def task(pairing, **fields):
    values = {"source": AUDIT, "problem": "示例问题（测试）", "source_ref": "审计报告（测试）", "found_on": D(2022, 3, 1),
              "deadline": D(2022, 6, 30), "measures": "整改措施（测试）", "evidence": "整改成效（测试）"}
    values.update(fields)
    t = Rectification(pairing=pairing, **values)
    t.full_clean()
    t.save()
    return t


def workflow_events(t):
    return list(AuditEvent.objects.filter(model="rectification.Rectification", object_id=str(t.pk),
                                          action="workflow").order_by("seq"))


def test_submit_then_close_by_a_second_person_each_step_one_event_and_a_history_row(county):
    t = task(county)
    with acting_as(user("huangyuan")):
        t.submit(user("huangyuan"))
    assert t.status == SUBMITTED and t.submitted_by == user("huangyuan") and t.version == 2
    with pytest.raises(ValidationError, match="两名不同的人员"):
        t.close(user("huangyuan"))
    with pytest.raises(ValidationError, match="两名不同的人员"):
        t.send_back(user("huangyuan"), "自己退回")
    with acting_as(user("liuhe")):
        t.close(user("liuhe"), day=D(2022, 7, 1))
    t.refresh_from_db()
    assert (t.status, t.closed_by, t.closed_on, t.version) == (CLOSED, user("liuhe"), D(2022, 7, 1), 3)
    events = workflow_events(t)
    assert [e.summary.split("：")[0] for e in events] == ["申请销号", "销号"]
    assert [e.actor_name for e in events] == ["huangyuan", "liuhe"]
    assert events[1].before["status"] == SUBMITTED and events[1].after["status"] == CLOSED
    # The steps write nothing else to the trail: one event each.
    assert AuditEvent.objects.filter(model="rectification.Rectification", object_id=str(t.pk)).count() == 3
    assert [(s.step, s.from_status, s.to_status, s.user.username) for s in t.steps.all()] == [
        ("submit", OPEN, SUBMITTED, "huangyuan"), ("close", SUBMITTED, CLOSED, "liuhe")]
    with pytest.raises(ValidationError, match="已销号"):
        t.submit(user("huangyuan"))


def test_send_back_needs_a_reason_and_reopens_the_task(county):
    t = task(county)
    t.submit(user("liuhe"))
    with pytest.raises(ValidationError, match="退回须填写原因"):
        t.send_back(user("huangyuan"), "  ")
    t.send_back(user("huangyuan"), "佐证材料不足")
    t.refresh_from_db()
    assert t.status == OPEN and t.return_reason == "佐证材料不足"
    assert t.allowed_steps(user("liuhe")) == ["submit"]


def test_submitting_needs_measures_and_evidence(county):
    t = task(county, measures="", evidence="")
    with pytest.raises(ValidationError) as e:
        t.submit(user("huangyuan"))
    assert set(e.value.message_dict) == {"measures", "evidence"}
    assert Rectification.objects.get(pk=t.pk).status == OPEN


@pytest.mark.parametrize("name", ["lingdao", "shenji", "yiyuan"])
def test_roles_without_write_take_no_step(county, name):
    t = task(county)
    with pytest.raises(PermissionDenied):
        t.submit(user(name))
    assert t.allowed_steps(user(name)) == []
    t.submit(user("liuhe"))
    with pytest.raises(PermissionDenied):
        t.close(user(name))
    assert Rectification.objects.get(pk=t.pk).status == SUBMITTED


def test_a_step_from_a_stale_screen_is_refused(county):
    t = task(county)
    seen = t.version
    Rectification.objects.filter(pk=t.pk).update(version=seen + 1)  # someone saved since
    with pytest.raises(ValidationError, match="已被他人修改"):
        t.submit(user("huangyuan"), loaded_version=seen)
    with pytest.raises(ValidationError, match="缺少所读取的版本号"):
        t.submit(user("huangyuan"), loaded_version=None)
    assert Rectification.objects.get(pk=t.pk).status == OPEN


def test_pages_offer_only_the_steps_the_user_may_take(county):
    t = task(county)
    detail = reverse("rectification_detail", args=[t.pk])
    r = page_checklist(detail)
    assert 'value="submit"' in r.content.decode()
    assert 'value="submit"' not in login("lingdao").get(detail).content.decode()
    step = reverse("rectification_step", args=[t.pk])
    page_checklist(step, write=True, allowed="huangyuan", data={"step": "submit", "loaded_version": t.version})
    t.refresh_from_db()
    assert t.status == SUBMITTED
    html = login("huangyuan").get(detail).content.decode()
    assert 'value="close"' not in html and "须由另一名人员销号" in html
    html = login("liuhe").get(detail).content.decode()
    # 销号 shows the measures and the evidence for a second look.
    assert 'value="close"' in html and "整改措施（测试）" in html and "整改成效（测试）" in html
    r = login("liuhe").post(step, {"step": "close", "loaded_version": t.version - 1})
    assert Rectification.objects.get(pk=t.pk).status == SUBMITTED  # stale: refused
    login("liuhe").post(step, {"step": "close", "loaded_version": t.version})
    assert Rectification.objects.get(pk=t.pk).status == CLOSED


def test_list_filters_and_form(county):
    page_checklist(reverse("rectification_list", args=[county.pk]))
    late = task(county, problem="逾期问题（测试）", deadline=D(2022, 4, 1))
    task(county, problem="已销号问题（测试）", source=INSPECTION, source_ref="巡察反馈（测试）")
    html = login("liuhe").get(reverse("rectification_list", args=[county.pk]) + "?overdue=1&source=audit&year=2022")
    html = html.content.decode()
    assert "逾期问题（测试）" in html and "已销号问题（测试）" not in html
    create = reverse("rectification_create", args=[county.pk])
    data = {"source": "supervision", "problem": "督查发现（测试）", "source_ref": "督查通报（测试）",
            "found_on": "2022-05-01", "deadline": "2022-04-01"}
    r = page_checklist(create, write=True, data=data)
    assert r.status_code == 200 and "整改时限不能早于发现日期" in r.content.decode()
    data["deadline"] = "2022-09-30"
    r = login("liuhe").post(create, data)
    made = Rectification.objects.get(problem="督查发现（测试）")
    assert r.status_code == 302 and made.year == 2022 and made.pairing == county
    # An outside inspection without its document is refused.
    r = login("liuhe").post(create, {**data, "problem": "无文件（测试）", "source_ref": ""})
    assert "须填写来源文件" in r.content.decode()
    edit = reverse("rectification_edit", args=[late.pk])
    r = login("liuhe").post(edit, {**data, "problem": "改过（测试）", "loaded_version": late.version})
    late.refresh_from_db()
    assert late.problem == "改过（测试）" and late.version == 2


def test_api_create_read_and_steps_with_if_match(county):
    url = f"/api/v1/pairings/{county.pk}/rectifications"
    body = {"source": "audit", "problem": "接口登记（测试）", "source_ref": "审计报告（测试）", "found_on": "2022-05-01",
            "deadline": "2022-08-01", "measures": "措施", "evidence": "成效"}
    r = api_checklist(url, method="post", json=body)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = api_checklist(f"/api/v1/rectifications/{pk}")
    etag = r["ETag"]
    assert r.json()["allowed_steps"] == ["submit"]
    steps = f"/api/v1/rectifications/{pk}/steps"
    r = token_client("huangyuan").post(steps, {"step": "submit"}, content_type="application/json")
    assert r.status_code == 428
    r = token_client("huangyuan").post(steps, {"step": "submit"}, content_type="application/json",
                                       headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["status"] == SUBMITTED
    etag = r["ETag"]
    r = token_client("huangyuan").post(steps, {"step": "close"}, content_type="application/json",
                                       headers={"If-Match": etag})
    assert r.status_code == 422 and "两名不同的人员" in r.json()["errors"]["__all__"][0]
    r = token_client("liuhe").post(steps, {"step": "close"}, content_type="application/json",
                                   headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["status"] == CLOSED and r.json()["closed_by"]
    bad = token_client("liuhe").post(url, {**body, "problem": "x", "deadline": "2022-01-01"},
                                     content_type="application/json")
    assert bad.status_code == 422 and "deadline" in bad.json()["errors"]
    listed = token_client("liuhe").get(url + "?status=closed").json()
    assert [t["id"] for t in listed if t["problem"] == "接口登记（测试）"] == [pk]


def test_a_finding_gets_one_task(county):
    from xiezuo.procurement.models import Finding

    finding = Finding.objects.filter(pairing=county, active=True).order_by("pk").first()
    assert finding is not None, "the demo has procurement findings"
    url = reverse("rectification_from_finding", args=[finding.pk])
    r = page_checklist(url, write=True)
    made = Rectification.objects.get(finding=finding)
    assert r["Location"] == reverse("rectification_edit", args=[made.pk])
    assert made.source == FINDING and made.project_id == finding.tender.project_id and made.status == OPEN
    assert finding.rule_name in made.problem
    r = login("huangyuan").post(url)
    assert r["Location"] == reverse("rectification_detail", args=[made.pk])
    assert Rectification.objects.filter(finding=finding).count() == 1
    html = login("liuhe").get(reverse("procurement_findings", args=[county.pk]) + "?year=").content.decode()
    assert reverse("rectification_detail", args=[made.pk]) in html
    # The database holds the rule too.
    with pytest.raises(ValidationError):
        task(county, source=FINDING, finding=finding, problem="第二个（测试）", source_ref="")


def test_a_health_alert_gets_one_task(county, settings):
    from xiezuo.funds import health
    from xiezuo.funds.models import Project

    alerts = health.alerts(Project.objects.filter(pairing=county))
    assert alerts, "the demo has health alerts"
    alert = alerts[0]
    url = reverse("rectification_from_health", args=[alert.project.pk])
    html = login("liuhe").get(reverse("project_detail", args=[alert.project.pk])).content.decode()
    assert url in html
    login("liuhe").post(url, {"rule": alert.rule.code})
    login("huangyuan").post(url, {"rule": alert.rule.code})
    made = Rectification.objects.get(project=alert.project, health_rule=alert.rule.code)
    assert made.source == "health" and Rectification.objects.filter(project=alert.project).count() == 1
    r = login("liuhe").post(url, {"rule": "no_such_rule"})
    assert Rectification.objects.filter(project=alert.project).count() == 1 and r.status_code == 302


def test_overdue_and_awaiting_tasks_are_on_the_work_list(county):
    demo_overdue = Rectification.objects.get(pairing=county, is_demo=True, status=OPEN)
    for name in ("liuhe", "huangyuan"):
        items = waiting_items(user(name))
        assert any(i.kind == "rectification" and str(demo_overdue.pk) in i.href for i in items), name
    for name in ("lingdao", "shenji", "yiyuan", "sibling", "outsider"):
        assert not [i for i in waiting_items(user(name)) if i.kind == "rectification"], name
    t = task(county, deadline=D(2099, 1, 1))
    t.submit(user("huangyuan"))
    href = reverse("rectification_detail", args=[t.pk])
    assert any(i.href == href and i.label == "待销号整改任务" for i in waiting_items(user("liuhe")))
    assert not any(i.href == href for i in waiting_items(user("huangyuan")))
    html = login("liuhe").get(reverse("home")).content.decode()
    assert href in html


def test_figures_section_on_a_hand_made_set(foreign):
    ids = [foreign.pk]
    a = task(foreign, problem="甲", found_on=D(2021, 5, 1), deadline=D(2021, 9, 1))  # open since 2021, overdue
    b = task(foreign, problem="乙", found_on=D(2022, 2, 1), deadline=D(2022, 3, 1))  # closed 2022-04-01
    b.submit(user("outsider"))
    b.__class__.objects.filter(pk=b.pk).update(status=CLOSED, closed_on=D(2022, 4, 1))
    task(foreign, problem="丙", found_on=D(2022, 6, 1), deadline=D(2023, 6, 1),
         source=INSPECTION, source_ref="巡察（测试）")  # open, not yet due at the end of 2022
    c = task(foreign, problem="丁", found_on=D(2021, 1, 5), deadline=D(2021, 2, 1))  # closed in 2022
    Rectification.objects.filter(pk=c.pk).update(status=CLOSED, closed_on=D(2022, 1, 10))
    got = rectification_section(ids, [2022])
    assert got == {"found": 2, "open": 2, "overdue": 1, "carried_over": 1, "closed_in_year": 2,
                   "by_source": {"finding": 0, "health": 0, "assessment": 0, "inspection": 1, "audit": 1,
                                 "supervision": 0, "feedback": 0}}
    got = rectification_section(ids, [2021])
    # At the end of 2021: 甲 and 丁 open, both past their deadline.
    assert (got["found"], got["open"], got["overdue"], got["carried_over"], got["closed_in_year"]) == (2, 2, 2, 0, 0)
    assert compute(foreign, [2022], sections=["rectification"])["rectification"]["open"] == 2
    assert a.is_overdue()


def test_the_reading_day_is_today_this_year_and_year_end_for_a_past_year():
    today = D(2026, 3, 5)
    assert as_of([2026], today) == today
    assert as_of([2025], today) == D(2025, 12, 31)


def test_the_self_evaluation_lists_earlier_years_open_tasks(county):
    from xiezuo.assessment.models import SelfEvaluation

    evaluation = SelfEvaluation.objects.filter(pairing=county).order_by("-year").first()
    assert evaluation is not None
    earlier = task(county, problem="上年未销号问题（测试）", found_on=D(evaluation.year - 1, 3, 1),
                   deadline=D(evaluation.year - 1, 6, 1))
    done = task(county, problem="上年已销号问题（测试）", found_on=D(evaluation.year - 1, 3, 2))
    Rectification.objects.filter(pk=done.pk).update(status=CLOSED, closed_on=D(evaluation.year - 1, 5, 1))
    url = reverse("assessment:self_evaluation", args=[county.pk, evaluation.year, evaluation.side])
    html = login("liuhe").get(url).content.decode()
    section = html.split('id="earlier-rectifications"')[1].split("</section>")[0]
    assert reverse("rectification_detail", args=[earlier.pk]) in section and "上年已销号问题" not in section
    html = login("sibling").get(url)
    assert html.status_code == 404


def test_demo_has_one_closed_by_a_second_person_and_one_overdue(county):
    demo = Rectification.objects.filter(pairing=county, is_demo=True)
    closed = demo.get(status=CLOSED)
    assert closed.closed_by_id and closed.submitted_by_id and closed.closed_by_id != closed.submitted_by_id
    assert [t.is_overdue() for t in demo.filter(status=OPEN)] == [True]
    assert all("示例" in t.problem for t in demo)


def test_dashboard_shows_the_tasks_and_warns_of_overdue_ones(foreign):
    task(foreign, problem="逾期（测试）", found_on=D(2022, 2, 1), deadline=D(2022, 3, 1))
    task(foreign, problem="未到期（测试）", found_on=D(2022, 2, 2), deadline=D(2023, 3, 1))
    data = login("outsider").get(f"/api/v1/pairings/{foreign.pk}/dashboard?year=2022").json()
    chart = data["charts"]["rectification"]
    assert dict(map(tuple, chart["rows"])) == {"未销号": 2, "其中逾期": 1, "上年结转未销号": 0, "本年销号": 0}
    assert chart["link"] == reverse("rectification_list", args=[foreign.pk]) + "?year="
    [warning] = [a for a in data["alerts"] if a["rule"] == "rectification_overdue"]
    assert warning["message"] == "1项整改任务逾期未销号" and "overdue=1" in warning["href"]


def test_each_dashboard_row_opens_exactly_the_tasks_it_counts(foreign):
    """A past year is read on its 31 December, so a task closed the next year
    is open in it and one overdue only later is not overdue in it; the
    row's list (not the list of today) shows the same tasks."""
    closed_later = task(foreign, problem="次年销号（测试）", found_on=D(2021, 3, 1), deadline=D(2021, 6, 30))
    task(foreign, problem="上年发现仍未销号（测试）", found_on=D(2021, 11, 1), deadline=D(2022, 12, 31))
    task(foreign, problem="本年逾期（测试）", found_on=D(2022, 2, 1), deadline=D(2022, 3, 1))
    closed_in_year = task(foreign, problem="本年销号（测试）", found_on=D(2022, 5, 1), deadline=D(2022, 9, 1))
    task(foreign, problem="次年发现（测试）", found_on=D(2023, 1, 5), deadline=D(2023, 2, 1))
    Rectification.objects.filter(pk=closed_later.pk).update(status=CLOSED, closed_on=D(2022, 2, 1))
    Rectification.objects.filter(pk=closed_in_year.pk).update(status=CLOSED, closed_on=D(2022, 8, 1))
    expected = {2021: {"未销号": 2, "其中逾期": 1, "上年结转未销号": 0, "本年销号": 0},
                2022: {"未销号": 2, "其中逾期": 1, "上年结转未销号": 1, "本年销号": 2},
                2023: {"未销号": 3, "其中逾期": 3, "上年结转未销号": 2, "本年销号": 0}}
    client = login("outsider")
    for year, rows in expected.items():
        chart = client.get(f"/api/v1/pairings/{foreign.pk}/dashboard?year={year}").json()["charts"]["rectification"]
        assert dict(map(tuple, chart["rows"])) == rows, year
        for (label, n), href in zip(chart["rows"], chart["row_links"]):
            html = client.get(href).content.decode()
            assert html.count('class="rectification-row"') == n, (year, label, href)
            assert 'id="reading"' in html
    [warning] = [a for a in client.get(f"/api/v1/pairings/{foreign.pk}/dashboard?year=2022").json()["alerts"]
                 if a["rule"] == "rectification_overdue"]
    html = client.get(warning["href"]).content.decode()
    assert "本年逾期（测试）" in html and "上年发现仍未销号（测试）" not in html
    assert "截至2022年12月31日逾期未销号的整改任务" in html


def test_uploaded_documents_go_through_the_one_check_and_photos_lose_their_metadata(county, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    t = task(county)
    edit = reverse("rectification_edit", args=[t.pk])
    data = {"source": "audit", "problem": t.problem, "source_ref": t.source_ref, "found_on": "2022-03-01",
            "deadline": "2022-06-30", "measures": t.measures, "evidence": t.evidence, "loaded_version": t.version}
    page = SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script></html>")
    r = login("liuhe").post(edit, {**data, "source_file": page})
    assert r.status_code == 200 and "page.pdf" in r.content.decode()
    exif = Image.Exif()
    exif[0x013B] = "拍摄人姓名"  # Artist
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG", exif=exif)
    photo = SimpleUploadedFile("photo.jpg", buf.getvalue(), content_type="image/jpeg")
    r = login("liuhe").post(edit, {**data, "evidence_file": photo})
    assert r.status_code == 302
    t.refresh_from_db()
    with t.evidence_file.open("rb") as fh:
        assert not Image.open(fh).getexif()
    r = login("huangyuan").get(reverse("rectification_evidence_file", args=[t.pk]))
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert login("outsider").get(reverse("rectification_evidence_file", args=[t.pk])).status_code == 404
