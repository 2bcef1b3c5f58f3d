"""The yearly self-evaluations: each side drafts its own report against its
own indicators, asks the other side for its views (征求意见), the other side
records them (意见), the drafting side finalises it (定稿) and it locks."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.checklist import login, page_checklist
from xiezuo.accounts.models import Membership, User
from xiezuo.assessment import workflow
from xiezuo.assessment.models import Indicator, SelfEvaluation
from xiezuo.assessment.narrative import NO_DATA, WORK_AREAS
from xiezuo.audit.models import AuditEvent

from .conftest import add_receipts

pytestmark = pytest.mark.django_db


def act(user, county, year, side, action, version="current", client=None, **data):
    """Press a step's button as the page shows it: with the version read."""
    if version == "current":
        version = SelfEvaluation.objects.filter(pairing=county, year=year, side=side) \
            .values_list("version", flat=True).first()
    if version is not None:
        data["loaded_version"] = version
    return (client or login(user)).post(
        reverse(f"assessment:self_evaluation_{action}", args=[county.pk, year, side]), data)


def narrative_data(evaluation, **areas):
    data = {"title": evaluation.title, "grade": "较好", "loaded_version": evaluation.version}
    for code, _ in WORK_AREAS:
        data[f"area_{code}"] = areas.get(code, evaluation.narratives.get(code, ""))
    return data


def colleague(county, role, username):
    """A second person of an office: the two-person rule needs one."""
    user = User.objects.create(username=username, display_name=f"{username}（同事）")
    Membership.objects.create(user=user, pairing=county, role=role)
    return user


def status(county, year, side):
    return SelfEvaluation.objects.get(pairing=county, year=year, side=side).status


def messages_after(client, response):
    return client.get(response["Location"]).content.decode()


def test_demo_has_both_sides_2022_drafts_with_their_own_indicators(county):
    west = SelfEvaluation.objects.get(pairing=county, year=2022, side="west")
    east = SelfEvaluation.objects.get(pairing=county, year=2022, side="east")
    for evaluation in (west, east):
        assert evaluation.status == "draft"
        assert set(evaluation.narratives) == {code for code, _ in WORK_AREAS}
    assert [r["code"] for r in east.snapshot["indicators"]][:2] == ["fiscal_funds", "social_funds"]
    assert {r["side"] for r in east.snapshot["indicators"]} <= {"east", "both"}
    assert {r["side"] for r in west.snapshot["indicators"]} <= {"west", "both"}
    east_codes = {r["code"] for r in east.snapshot["indicators"]}
    west_codes = {r["code"] for r in west.snapshot["indicators"]}
    assert "cadres_e2w" in east_codes and "cadres_e2w" not in west_codes
    assert "cadres_w2e" in west_codes and "cadres_w2e" not in east_codes
    assert {"execution", "projects"} <= west_codes and "execution" not in east_codes
    assert {"cadres", "labour", "visits"} <= east_codes & west_codes
    assert str(east) == f"{county}2022年度东西部协作工作东部自评报告"
    assert str(west) == f"{county}2022年度东西部协作工作自评报告"


def test_the_west_drafts_seeks_views_and_finalises_and_its_report_locks(county, probe_section):
    probe_section.side = "both"
    probe_section.save()
    second = colleague(county, "west", "huangyuan2")
    url = reverse("assessment:self_evaluation", args=[county.pk, 2031, "west"])
    r = page_checklist(url, allowed="huangyuan")
    assert "本年度西部尚未起草自评" in r.content.decode()
    assert act("liuhe", county, 2031, "west", "draft").status_code == 403  # the east office does not draft it
    assert act("huangyuan", county, 2031, "west", "draft").status_code == 302
    evaluation = SelfEvaluation.objects.get(pairing=county, year=2031, side="west")
    assert evaluation.narratives["funds"]  # drafted from the data
    r = login("huangyuan").post(url, narrative_data(evaluation, labour="举办培训班3期。"))
    assert r.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.narratives["labour"] == "举办培训班3期。" and evaluation.grade == "较好"
    # The east office neither edits, submits nor finalises the west's report.
    assert login("liuhe").post(url, narrative_data(evaluation, labour="东部改动")).status_code == 403
    assert act("liuhe", county, 2031, "west", "submit").status_code == 403
    assert act("huangyuan", county, 2031, "west", "opinion", text="还没有提交").status_code == 403
    assert act("huangyuan", county, 2031, "west", "submit").status_code == 302
    assert status(county, 2031, "west") == "submitted"
    # Submitted: the west may no longer edit the text; the east records its views.
    assert login("huangyuan").post(url, narrative_data(evaluation, labour="改动")).status_code == 403
    assert act("huangyuan", county, 2031, "west", "opinion", text="自己的意见").status_code == 403
    assert act("lingdao", county, 2031, "west", "opinion", text="领导的意见").status_code == 403
    assert act("liuhe", county, 2031, "west", "finalise").status_code == 403
    assert act("liuhe", county, 2031, "west", "opinion", text="建议补充劳务协作的就业人数。").status_code == 302
    page = login("huangyuan").get(url).content.decode()
    assert "建议补充劳务协作的就业人数。" in page and "东部意见" in page
    # Two-person rule: the person who submitted does not finalise.
    west = login("huangyuan")
    r = act(None, county, 2031, "west", "finalise", client=west)
    assert "定稿人不能与提交征求意见的人为同一用户" in messages_after(west, r)
    assert status(county, 2031, "west") == "submitted"
    assert act(second.username, county, 2031, "west", "finalise").status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.is_locked and evaluation.confirmed_by == second
    # Locked: the ledger may change, the finalised figures stay.
    add_receipts(county, 2031, ["990000.00"])
    data = login("lingdao").get(f"/api/v1/pairings/{county.pk}/indicators?year=2031").json()
    rows = {r["code"]: r for r in data["indicators"]}
    assert rows["probe_funds"]["actual"] == "0.00"
    assert data["self_evaluations"] == {"east": None, "west": "confirmed"}
    assert data["locked"] is False  # the east report is not finalised yet
    data = login("lingdao").get(f"/api/v1/pairings/{county.pk}/dashboard?year=2031").json()
    assert data["figures"]["probe"]["received"] == "0.00" and data["status"] == "confirmed"
    # The west office can no longer change anything.
    r = login("huangyuan").post(url, narrative_data(evaluation, labour="改动"))
    assert r.status_code == 403
    assert act("huangyuan", county, 2031, "west", "refresh").status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.narratives["labour"] == "举办培训班3期。"


def test_the_east_drafts_and_finalises_its_own_report_and_the_west_only_records_views(county, probe_section):
    second = colleague(county, "east", "liuhe2")
    url = reverse("assessment:self_evaluation", args=[county.pk, 2031, "east"])
    assert act("huangyuan", county, 2031, "east", "draft").status_code == 403
    assert act("liuhe", county, 2031, "east", "draft").status_code == 302
    evaluation = SelfEvaluation.objects.get(pairing=county, year=2031, side="east")
    assert evaluation.drafted_by.username == "liuhe"
    assert str(evaluation) == f"{county}2031年度东西部协作工作东部自评报告"
    codes = {r["code"]: r["side"] for r in evaluation.snapshot["indicators"]}
    assert codes["probe_funds"] == "east" and "cadres_e2w" in codes and "cadres_w2e" not in codes
    assert set(codes.values()) <= {"east", "both"}
    # The west office may not change the east's report in any way.
    assert login("huangyuan").post(url, narrative_data(evaluation, funds="西部改动")).status_code == 403
    for action in ("submit", "refresh", "withdraw", "finalise"):
        assert act("huangyuan", county, 2031, "east", action).status_code == 403, action
    assert login("liuhe").post(url, narrative_data(evaluation, funds="拨付财政援助资金。")).status_code == 302
    assert act("liuhe", county, 2031, "east", "submit").status_code == 302
    for action in ("withdraw", "finalise", "refresh"):
        assert act("huangyuan", county, 2031, "east", action).status_code == 403, action
    assert act("huangyuan", county, 2031, "east", "opinion", text="同意。建议补充消费帮扶数据。").status_code == 302
    assert act("huangyuan", county, 2031, "east", "opinion", text="另：人才交流人数已核对。").status_code == 302
    evaluation.refresh_from_db()
    assert [(o["by"], o["side"], o["text"]) for o in evaluation.opinions] == [
        (evaluation.opinions[0]["by"], "west", "同意。建议补充消费帮扶数据。"),
        (evaluation.opinions[1]["by"], "west", "另：人才交流人数已核对。")]
    assert {o["by_name"] for o in evaluation.opinions} == {str(User.objects.get(username="huangyuan"))}
    # Each opinion is one audit event carrying its text.
    events = AuditEvent.objects.filter(model="assessment.SelfEvaluation", object_id=str(evaluation.pk),
                                       action="update")
    assert sum("人才交流人数已核对" in str(e.after) and "人才交流人数已核对" not in str(e.before)
               for e in events) == 1
    assert act("liuhe", county, 2031, "east", "finalise").status_code == 302
    assert status(county, 2031, "east") == "submitted"  # liuhe submitted it
    assert act(second.username, county, 2031, "east", "finalise").status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.is_locked and evaluation.confirmed_by == second
    assert login("liuhe").post(url, narrative_data(evaluation, funds="再改")).status_code == 403
    assert act("huangyuan", county, 2031, "east", "opinion", text="定稿后").status_code == 302
    evaluation.refresh_from_db()
    assert len(evaluation.opinions) == 2  # refused: nothing more after the lock
    # The indicators of the east's side report its finalised snapshot.
    add_receipts(county, 2031, ["500000.00"])
    rows = {r["code"]: r for r in login("lingdao").get(
        f"/api/v1/pairings/{county.pk}/indicators?year=2031").json()["indicators"]}
    assert rows["probe_funds"]["actual"] == "0.00"


def test_finalising_needs_the_other_sides_view_on_the_text_as_submitted(county, probe_section, users):
    second = colleague(county, "west", "huangyuan2")
    evaluation = workflow.get_or_draft(county, 2031, users["huangyuan"], side="west")
    evaluation.submit(users["huangyuan"])
    with pytest.raises(ValidationError, match="东部尚未对本次提交提出意见"):
        evaluation.finalise(second)
    with pytest.raises(ValidationError, match="意见内容不能为空"):
        evaluation.record_opinion(users["liuhe"], "   ")
    evaluation.record_opinion(users["liuhe"], "第一轮意见")
    evaluation.withdraw(users["huangyuan"])
    assert evaluation.status == "draft" and len(evaluation.opinions) == 1  # the views are kept
    evaluation.submit(users["huangyuan"])
    # The view was on the earlier text: the new one needs its own.
    with pytest.raises(ValidationError, match="东部尚未对本次提交提出意见"):
        evaluation.finalise(second)
    page = login("huangyuan").get(reverse("assessment:self_evaluation", args=[county.pk, 2031, "west"])).content
    assert "对此前提交稿的意见" in page.decode()
    evaluation.record_opinion(users["liuhe"], "第二轮意见")
    evaluation.finalise(second)
    assert evaluation.is_locked


def test_two_person_rule_on_the_model(county, probe_section, users):
    evaluation = workflow.get_or_draft(county, 2031, users["liuhe"], side="east")
    evaluation.submit(users["admin"])
    evaluation.record_opinion(users["huangyuan"], "无意见")
    with pytest.raises(ValidationError, match="定稿人不能与提交征求意见的人为同一用户"):
        evaluation.finalise(users["admin"])
    evaluation.finalise(users["liuhe"])
    assert evaluation.is_locked and evaluation.submitted_by == users["admin"]


def finalised(county, side, users, year=2031):
    drafter, other = ("liuhe", "huangyuan") if side == "east" else ("huangyuan", "liuhe")
    evaluation = workflow.get_or_draft(county, year, users[drafter], side=side)
    evaluation.submit(users[drafter])
    evaluation.record_opinion(users[other], "无意见")
    evaluation.finalise(users["admin"])
    return evaluation


def test_administrator_change_after_lock_leaves_an_audit_event(county, probe_section, users):
    evaluation = finalised(county, "west", users)
    before = AuditEvent.objects.filter(action="admin", model="assessment.SelfEvaluation").count()
    url = reverse("assessment:self_evaluation", args=[county.pk, 2031, "west"])
    r = login("admin").post(url, narrative_data(evaluation, talent="管理员更正的文字"))
    assert r.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.narratives["talent"] == "管理员更正的文字" and evaluation.is_locked
    events = AuditEvent.objects.filter(action="admin", model="assessment.SelfEvaluation", object_id=str(evaluation.pk))
    assert events.count() == before + 1
    assert "管理员修改已定稿的2031年度西部自评" in events.first().summary
    assert act("huangyuan", county, 2031, "west", "reopen").status_code == 403
    assert act("admin", county, 2031, "west", "reopen").status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "draft" and evaluation.confirmed_by is None
    assert events.count() == before + 2


def test_concurrent_narrative_edits_do_not_overwrite(county, probe_section, users):
    evaluation = workflow.get_or_draft(county, 2031, users["huangyuan"])
    url = reverse("assessment:self_evaluation", args=[county.pk, 2031, "west"])
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
    for side in ("west", "east"):
        r = page_checklist(reverse("assessment:self_evaluation", args=[county.pk, 2022, side]))
        html = r.content.decode()
        assert "年度东西部协作工作" in html and "财政援助资金" in html
    # The year's old address is the west report's.
    old = reverse("assessment:self_evaluation_year", args=[county.pk, 2022])
    assert login("outsider").get(old).status_code == 404
    assert login("lingdao").get(old)["Location"] == reverse("assessment:self_evaluation", args=[county.pk, 2022, "west"])
    page_checklist(reverse("assessment:self_evaluation_submit", args=[county.pk, 2022, "west"]),
                   allowed="huangyuan", write=True)
    page_checklist(reverse("assessment:self_evaluation_submit", args=[county.pk, 2022, "east"]),
                   allowed="liuhe", write=True, data={"loaded_version": 1})
    assert status(county, 2022, "east") == "submitted"
    page_checklist(reverse("assessment:self_evaluation_opinion", args=[county.pk, 2022, "east"]),
                   allowed="huangyuan", write=True, data={"text": "意见", "loaded_version": 2})
    assert [o["text"] for o in SelfEvaluation.objects.get(pairing=county, year=2022, side="east").opinions] == ["意见"]


def test_a_step_from_a_stale_or_versionless_page_is_refused(county, probe_section, users):
    # The west office's second person loads the submitted report with one
    # view; the east adds another meanwhile: finalising the page first
    # loaded would lock a report over a view nobody on the west side has read.
    second = colleague(county, "west", "huangyuan2")
    evaluation = workflow.get_or_draft(county, 2031, users["huangyuan"])
    evaluation.submit(users["huangyuan"])
    evaluation.record_opinion(users["liuhe"], "第一条意见")
    seen = evaluation.version
    evaluation.record_opinion(users["liuhe"], "第二条意见：数字有误")
    west = login(second.username)
    r = act(None, county, 2031, "west", "finalise", version=seen, client=west)
    assert "此记录已被他人修改" in messages_after(west, r)
    assert status(county, 2031, "west") == "submitted"
    # An opinion typed on a page the report has since moved on from is refused too.
    r = act("liuhe", county, 2031, "west", "opinion", version=seen, text="过时页面的意见")
    assert len(SelfEvaluation.objects.get(pk=evaluation.pk).opinions) == 2
    r = act(None, county, 2031, "west", "finalise", version=None, client=west)
    assert "操作缺少所读取的版本号" in messages_after(west, r)
    assert status(county, 2031, "west") == "submitted"
    # The page's own button carries the version it shows, and works.
    page = west.get(reverse("assessment:self_evaluation", args=[county.pk, 2031, "west"])).content.decode()
    evaluation.refresh_from_db()
    assert f'name="loaded_version" value="{evaluation.version}"' in page and "第二条意见：数字有误" in page
    assert act(None, county, 2031, "west", "finalise", client=west).status_code == 302
    assert SelfEvaluation.objects.get(pk=evaluation.pk).is_locked


def test_finalise_and_withdraw_at_once_take_exactly_one_step(county, probe_section, users):
    evaluation = workflow.get_or_draft(county, 2031, users["huangyuan"])
    evaluation.submit(users["huangyuan"])
    evaluation.record_opinion(users["liuhe"], "无意见")
    first, second = (SelfEvaluation.objects.get(pk=evaluation.pk) for _ in range(2))
    first.finalise(users["admin"])
    # The second person acted on the same page: refused, nothing changed.
    with pytest.raises(ValidationError, match="此记录已被他人修改"):
        second.withdraw(users["huangyuan"])
    evaluation.refresh_from_db()
    assert evaluation.status == "confirmed"


def test_the_drafting_side_sees_a_stale_snapshot_and_refreshes_it_until_finalised(county, probe_section, users):
    add_receipts(county, 2031, ["1000000.00"])
    evaluation = workflow.get_or_draft(county, 2031, users["liuhe"], side="east")
    url = reverse("assessment:self_evaluation", args=[county.pk, 2031, "east"])
    for user in ("huangyuan", "liuhe"):
        assert 'id="snapshot-stale"' not in login(user).get(url).content.decode(), user
    add_receipts(county, 2031, ["500000.00"])  # the ledger moves on after the snapshot
    evaluation.submit(users["liuhe"])
    for user in ("huangyuan", "liuhe", "lingdao"):
        html = login(user).get(url).content.decode()
        stale = html[html.index('id="snapshot-stale"'):html.index("</table>", html.index('id="snapshot-stale"'))]
        assert "探针资金" in stale and "100" in stale and "150" in stale, user
    # The east office, about to finalise, takes a new snapshot itself; the
    # west (whose views are asked) and a leader may not.
    assert reverse("assessment:self_evaluation_refresh", args=[county.pk, 2031, "east"]) in \
        login("liuhe").get(url).content.decode()
    assert act("lingdao", county, 2031, "east", "refresh").status_code == 403
    assert act("huangyuan", county, 2031, "east", "refresh").status_code == 403
    assert act("liuhe", county, 2031, "east", "refresh").status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == "submitted" and 'id="snapshot-stale"' not in login("liuhe").get(url).content.decode()
    rows = {r["code"]: r for r in evaluation.snapshot["indicators"]}
    assert rows["probe_funds"]["actual_display"].startswith("150")
    evaluation.record_opinion(users["huangyuan"], "无意见")
    evaluation.finalise(users["admin"])
    add_receipts(county, 2031, ["1.00"])
    # Finalised: the report keeps what was finalised; only an administrator may refresh it.
    assert 'id="snapshot-stale"' not in login("liuhe").get(url).content.decode()
    assert act("liuhe", county, 2031, "east", "refresh").status_code == 403
    assert act("admin", county, 2031, "east", "refresh").status_code == 302


def test_year_is_locked_when_both_reports_are_finalised(county, probe_section, users):
    finalised(county, "west", users)
    data = login("lingdao").get(f"/api/v1/pairings/{county.pk}/dashboard?year=2031").json()
    assert data["locked"] is False and data["self_evaluations"] == {"east": None, "west": "confirmed"}
    finalised(county, "east", users)
    data = login("lingdao").get(f"/api/v1/pairings/{county.pk}/dashboard?year=2031").json()
    assert data["locked"] is True and data["self_evaluations"] == {"east": "confirmed", "west": "confirmed"}
    assert workflow.is_locked(county.pk, 2031) and workflow.locked_sides(county.pk, 2031) == {"east", "west"}


def test_a_finalised_report_locks_the_hand_entered_actuals_of_its_indicators(county, users):
    own = Indicator.objects.create(code="brand_w", name="劳务品牌", unit="个", side="west", computation="manual")
    theirs = Indicator.objects.create(code="brand_e", name="东部品牌", unit="个", side="east", computation="manual")
    finalised(county, "east", users)
    url = reverse("assessment:manual_actuals", args=[county.pk, 2031])
    r = login("huangyuan").post(url, {"indicator": theirs.pk, "value": "2", "note": "认定文件"})
    assert r.status_code == 403  # in the finalised east report
    r = login("huangyuan").post(url, {"indicator": own.pk, "value": "2", "note": "认定文件"})
    assert r.status_code == 302  # the west's report is still open
    assert "本年度东部自评报告已定稿锁定" in login("huangyuan").get(url).content.decode()
    assert login("admin").post(url, {"indicator": theirs.pk, "value": "2", "note": "管理员"}).status_code == 302
