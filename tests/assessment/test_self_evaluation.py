"""The yearly self-evaluation: west drafts, east confirms, the year locks."""

import pytest
from django.urls import reverse

from tests.checklist import login, page_checklist
from xiezuo.assessment import workflow
from xiezuo.assessment.models import SelfEvaluation
from xiezuo.assessment.narrative import NO_DATA, WORK_AREAS
from xiezuo.audit.models import AuditEvent

from .conftest import add_receipts

pytestmark = pytest.mark.django_db


def act(user, county, year, action, version="current", client=None):
    """Press a step's button as the page shows it: with the version read."""
    if version == "current":
        version = SelfEvaluation.objects.filter(pairing=county, year=year).values_list("version", flat=True).first()
    data = {} if version is None else {"loaded_version": version}
    return (client or login(user)).post(reverse(f"assessment:self_evaluation_{action}", args=[county.pk, year]), data)


def narrative_data(evaluation, **areas):
    data = {"title": evaluation.title, "grade": "较好", "loaded_version": evaluation.version}
    for code, _ in WORK_AREAS:
        data[f"area_{code}"] = areas.get(code, evaluation.narratives.get(code, ""))
    return data


def test_demo_has_a_2022_draft_with_a_narrative_per_work_area(county):
    evaluation = SelfEvaluation.objects.get(pairing=county, year=2022)
    assert evaluation.status == "draft"
    assert set(evaluation.narratives) == {code for code, _ in WORK_AREAS}
    assert [r["code"] for r in evaluation.snapshot["indicators"]][:2] == ["fiscal_funds", "social_funds"]


def test_west_drafts_east_confirms_and_the_year_locks(county, probe_section):
    url = reverse("assessment:self_evaluation", args=[county.pk, 2031])
    r = page_checklist(url, allowed="huangyuan")
    assert "本年度尚未起草自评" in r.content.decode()
    assert act("liuhe", county, 2031, "draft").status_code == 403  # the east office does not draft
    assert act("huangyuan", county, 2031, "draft").status_code == 302
    evaluation = SelfEvaluation.objects.get(pairing=county, year=2031)
    assert evaluation.narratives["funds"]  # drafted from the data
    # The west office edits the narrative in the form.
    r = login("huangyuan").post(url, narrative_data(evaluation, labour="举办培训班3期。"))
    assert r.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.narratives["labour"] == "举办培训班3期。" and evaluation.grade == "较好"
    # The east office cannot confirm a draft, nor submit.
    act("liuhe", county, 2031, "confirm")
    assert SelfEvaluation.objects.get(pk=evaluation.pk).status == "draft"
    assert act("liuhe", county, 2031, "submit").status_code == 403
    assert act("huangyuan", county, 2031, "submit").status_code == 302
    assert act("huangyuan", county, 2031, "confirm").status_code == 403
    assert act("lingdao", county, 2031, "confirm").status_code == 403
    assert act("liuhe", county, 2031, "confirm").status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.is_locked and evaluation.confirmed_by.username == "liuhe"
    # Locked: the ledger may change, the confirmed figures stay.
    add_receipts(county, 2031, ["990000.00"])
    rows = {r["code"]: r for r in login("lingdao").get(f"/api/v1/pairings/{county.pk}/indicators?year=2031").json()["indicators"]}
    assert rows["probe_funds"]["actual"] == "0.00"
    data = login("lingdao").get(f"/api/v1/pairings/{county.pk}/dashboard?year=2031").json()
    assert data["locked"] is True and data["figures"]["probe"]["received"] == "0.00"
    # The west office can no longer change anything.
    r = login("huangyuan").post(url, narrative_data(evaluation, labour="改动"))
    assert r.status_code == 403
    assert act("huangyuan", county, 2031, "refresh").status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.narratives["labour"] == "举办培训班3期。"


def test_administrator_change_after_lock_leaves_an_audit_event(county, probe_section, users):
    evaluation = workflow.get_or_draft(county, 2031, users["huangyuan"])
    evaluation.submit(users["huangyuan"])
    evaluation.confirm(users["liuhe"])
    before = AuditEvent.objects.filter(action="admin", model="assessment.SelfEvaluation").count()
    url = reverse("assessment:self_evaluation", args=[county.pk, 2031])
    r = login("admin").post(url, narrative_data(evaluation, talent="管理员更正的文字"))
    assert r.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.narratives["talent"] == "管理员更正的文字" and evaluation.is_locked
    events = AuditEvent.objects.filter(action="admin", model="assessment.SelfEvaluation", object_id=str(evaluation.pk))
    assert events.count() == before + 1
    assert "管理员修改已锁定的2031年度自评" in events.first().summary
    assert act("admin", county, 2031, "reopen").status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "draft"
    assert events.count() == before + 2


def test_east_sends_back_and_confirmer_differs_from_submitter(county, probe_section, users):
    evaluation = workflow.get_or_draft(county, 2031, users["huangyuan"])
    evaluation.submit(users["huangyuan"])
    assert act("liuhe", county, 2031, "return").status_code == 302
    assert SelfEvaluation.objects.get(pk=evaluation.pk).status == "draft"
    evaluation.refresh_from_db()
    evaluation.submit(users["admin"])
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="确认人不能与提交人为同一用户"):
        evaluation.confirm(users["admin"])


def test_concurrent_narrative_edits_do_not_overwrite(county, probe_section, users):
    evaluation = workflow.get_or_draft(county, 2031, users["huangyuan"])
    url = reverse("assessment:self_evaluation", args=[county.pk, 2031])
    stale = narrative_data(evaluation, funds="第二人的修改")
    assert login("huangyuan").post(url, narrative_data(evaluation, funds="第一人的修改")).status_code == 302
    r = login("huangyuan").post(url, stale)
    assert "此记录已被他人修改" in r.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.narratives["funds"] == "第一人的修改"


def test_narrative_says_so_when_a_ledger_has_no_data(county):
    from xiezuo.assessment.narrative import draft_all

    drafted = draft_all({})
    assert all(text == NO_DATA for text in drafted.values())
    drafted = draft_all({"labour": {"training_classes": 3, "trainees": 150}})
    assert drafted["labour"] == "举办劳动技能培训班3期、培训150人次。"


def test_self_evaluation_pages_permission_checklist(county):
    page_checklist(reverse("assessment:self_evaluations", args=[county.pk]))
    r = page_checklist(reverse("assessment:self_evaluation", args=[county.pk, 2022]))
    html = r.content.decode()
    assert "年度东西部协作工作自评报告" in html and "财政援助资金" in html
    page_checklist(reverse("assessment:self_evaluation_submit", args=[county.pk, 2022]),
                   allowed="huangyuan", write=True)


def test_a_step_from_a_stale_or_versionless_page_is_refused(county, probe_section, users):
    # The east office loads the submitted text, the west office changes it
    # meanwhile (sent back, edited, submitted again): confirming the page
    # first loaded would lock a text nobody on the east side has read.
    evaluation = workflow.get_or_draft(county, 2031, users["huangyuan"])
    evaluation.submit(users["huangyuan"])
    seen = evaluation.version
    evaluation.send_back(users["liuhe"])
    evaluation.submit(users["huangyuan"])
    east = login("liuhe")
    r = act("liuhe", county, 2031, "confirm", version=seen, client=east)
    assert r.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "submitted" and evaluation.version == seen + 2
    page = east.get(r["Location"]).content.decode()
    assert "此记录已被他人修改" in page
    r = act("liuhe", county, 2031, "confirm", version=None, client=east)
    assert "操作缺少所读取的版本号" in east.get(r["Location"]).content.decode()
    assert SelfEvaluation.objects.get(pk=evaluation.pk).status == "submitted"
    # The page's own button carries the version it shows, and works.
    page = login("liuhe").get(reverse("assessment:self_evaluation", args=[county.pk, 2031])).content.decode()
    assert f'name="loaded_version" value="{evaluation.version}"' in page
    assert act("liuhe", county, 2031, "confirm").status_code == 302
    assert SelfEvaluation.objects.get(pk=evaluation.pk).is_locked


def test_confirm_and_send_back_at_once_take_exactly_one_step(county, probe_section, users):
    from django.core.exceptions import ValidationError

    evaluation = workflow.get_or_draft(county, 2031, users["huangyuan"])
    evaluation.submit(users["huangyuan"])
    first, second = (SelfEvaluation.objects.get(pk=evaluation.pk) for _ in range(2))
    first.confirm(users["liuhe"])
    # The second person acted on the same page: refused, nothing changed.
    with pytest.raises(ValidationError, match="此记录已被他人修改"):
        second.send_back(users["liuhe"])
    evaluation.refresh_from_db()
    assert evaluation.status == "confirmed"


def test_both_sides_see_a_stale_snapshot_and_either_may_refresh_it_until_confirmed(county, probe_section, users):
    add_receipts(county, 2031, ["1000000.00"])
    evaluation = workflow.get_or_draft(county, 2031, users["huangyuan"])
    url = reverse("assessment:self_evaluation", args=[county.pk, 2031])
    for user in ("huangyuan", "liuhe"):
        assert 'id="snapshot-stale"' not in login(user).get(url).content.decode(), user
    add_receipts(county, 2031, ["500000.00"])  # the ledger moves on after the snapshot
    evaluation.submit(users["huangyuan"])
    for user in ("huangyuan", "liuhe", "lingdao"):
        html = login(user).get(url).content.decode()
        stale = html[html.index('id="snapshot-stale"'):html.index("</table>", html.index('id="snapshot-stale"'))]
        assert "探针资金" in stale and "100" in stale and "150" in stale, user
    # The east office, about to confirm, takes a new snapshot itself.
    html = login("liuhe").get(url).content.decode()
    assert reverse("assessment:self_evaluation_refresh", args=[county.pk, 2031]) in html
    assert act("lingdao", county, 2031, "refresh").status_code == 403  # a leader reads only
    assert act("liuhe", county, 2031, "refresh").status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "submitted" and 'id="snapshot-stale"' not in login("liuhe").get(url).content.decode()
    rows = {r["code"]: r for r in evaluation.snapshot["indicators"]}
    assert rows["probe_funds"]["actual_display"].startswith("150")
    evaluation.confirm(users["liuhe"])
    add_receipts(county, 2031, ["1.00"])
    # Confirmed: the report keeps what was confirmed; only an administrator may refresh it.
    html = login("liuhe").get(url).content.decode()
    assert 'id="snapshot-stale"' not in html
    assert act("liuhe", county, 2031, "refresh").status_code == 403
    assert act("huangyuan", county, 2031, "refresh").status_code == 403
