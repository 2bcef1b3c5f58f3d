"""Public notices (公告公示): the period rule at its boundaries, each thing a
notice can lack, the gating of project steps through the model, the page
and the API, scoping, audit events, photos without EXIF, the public page
without personal data, and the drafting of content from the project."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from PIL import Image

from xiezuo.accounts.models import User
from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import FundReceipt, Project, ProjectCategory
from xiezuo.library.demo import give_entry
from xiezuo.notices.demo import board_jpeg, give_notices, run_notice
from xiezuo.notices.models import (COUNTY_SITE, IMPLEMENTATION, PLAN, RESULT, TOWNSHIP_BOARD, VILLAGE_BOARD, Notice,
                                   NoticeFeedback, NoticePosting)
from xiezuo.pairings.models import Region

from ..checklist import api_checklist, login, page_checklist, token_client
from ..funds.conftest import register_asset

pytestmark = pytest.mark.django_db

START = datetime.date(2023, 6, 1)
DAY9 = START + datetime.timedelta(days=9)     # 2023-06-10: the period's 10th day, still in it
DAY10 = START + datetime.timedelta(days=10)   # 2023-06-11: the first day after the period


def user(name):
    return User.objects.get(username=name)


def new_project(county, code="N-2023-01", village=False):
    project = Project.objects.create(
        pairing=county, code=code, name=f"公示测试项目{code}", year=2023,
        category=ProjectCategory.objects.get(code="rural"), coop_funds=Decimal("100000"),
        township=Region.objects.get(name="大华镇"),
        village=Region.objects.filter(level="village", parent__name="大华镇").first() if village else None,
        description="村道硬化1公里（测试）", linkage="wage", linkage_note="带动务工（测试）")
    give_entry(project, datetime.date(2023, 4, 1))
    return project


def implementing(county, **kw):
    """A project in 实施 since 2023-05-01 whose earlier notices ran."""
    project = new_project(county, **kw)
    for status, day in ((Project.APPROVED, datetime.date(2023, 4, 1)), (Project.PROCUREMENT, datetime.date(2023, 4, 15)),
                        (Project.IMPLEMENTING, datetime.date(2023, 5, 1))):
        if status != Project.IMPLEMENTING:
            give_notices(project, status, day, demo=False)
        project.transition(user("huangyuan"), status, day)
    return project


def draft(project, stage=IMPLEMENTATION, start=START, days=10):
    notice = Notice.draft_for(project, stage)
    notice.hotline = "0971-2432000"
    notice.start_date, notice.end_date = start, start + datetime.timedelta(days=days - 1)
    notice.full_clean()
    notice.save()
    return notice


def post_all(notice, on=START, photos=True, down=None):
    for channel in notice.required_channels():
        p = NoticePosting(notice=notice, channel=channel, posted_on=on, taken_down_on=down,
                          url="https://example.gov.cn/n" if channel == COUNTY_SITE else "")
        if photos and channel != COUNTY_SITE:
            p.photo.save("board.jpg", ContentFile(board_jpeg()), save=False)
        p.save()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def receipt(county):
    """Funds for 2023 (empty in the demo), so approved test projects fit."""
    FundReceipt.objects.create(pairing=county, year=2023, kind="fiscal", date=datetime.date(2023, 3, 1),
                               amount=Decimal("10000000"), doc_number="六协〔2023〕9号")


# -- the period -----------------------------------------------------------

def test_a_period_shorter_than_ten_days_counting_both_days_is_refused(county):
    project = new_project(county)
    notice = Notice.draft_for(project, PLAN)
    notice.hotline = "0971-2432000"
    notice.start_date, notice.end_date = START, START + datetime.timedelta(days=8)  # 9 days
    with pytest.raises(ValidationError) as e:
        notice.full_clean()
    assert "不少于10天" in str(e.value) and "2023年6月10日" in str(e.value)
    notice.end_date = DAY9  # 10 days with both ends
    notice.full_clean()
    notice.hotline = ""
    with pytest.raises(ValidationError) as e:
        notice.full_clean()
    assert "监督电话" in str(e.value)


def test_day_nine_after_the_start_is_refused_day_ten_is_allowed(county):
    project = implementing(county)
    notice = draft(project)
    post_all(notice)
    notice.publish(user("huangyuan"), START)
    assert notice.missing(DAY9) == ["尚未满10天：2023年6月1日开始，2023年6月10日后才能变更"]
    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), Project.COMPLETED, DAY9)
    assert "实施公示尚未满10天：2023年6月1日开始，2023年6月10日后才能变更" in str(e.value)
    assert Project.objects.get(pk=project.pk).status == Project.IMPLEMENTING
    project.transition(user("huangyuan"), Project.COMPLETED, DAY10)
    assert project.status == Project.COMPLETED


@pytest.mark.parametrize("lack, message", [
    ("draft", "实施公示尚未发布"),
    ("none", "实施公示尚未发布：请先"),
    ("county_site", "缺少县级政府网站的张贴记录"),
    ("photo", "乡镇公示栏缺少张贴照片"),
    ("late", "乡镇公示栏晚于公示开始日期张贴"),
    ("down", "乡镇公示栏于2023年6月5日撤下，不满10天"),
    ("feedback", "公示期内收到的1条反馈尚未办结"),
    ("withdrawn", "已撤回"),
])
def test_each_thing_a_notice_lacks_is_named(county, lack, message):
    project = implementing(county)
    if lack != "none":
        notice = draft(project)
        if lack != "county_site":
            post_all(notice, photos=lack != "photo", on=START + datetime.timedelta(days=1) if lack == "late" else START,
                     down=datetime.date(2023, 6, 5) if lack == "down" else None)
        else:
            NoticePosting.objects.create(notice=notice, channel=TOWNSHIP_BOARD, posted_on=START,
                                         photo=ContentFile(board_jpeg(), name="b.jpg"))
        if lack == "photo":
            # A board without its photo cannot be saved through the form; an
            # imported or older record is still refused by the rule.
            NoticePosting.objects.filter(notice=notice, channel=TOWNSHIP_BOARD).update(photo="")
        if lack != "draft":
            notice.publish(user("huangyuan"), START)
        if lack == "feedback":
            f = NoticeFeedback(notice=notice, received_on=START, channel="phone", content="询问工期")
            f.set_person("李四", "13912345678")
            f.save()
        if lack == "withdrawn":
            notice.withdraw(user("huangyuan"), "内容有误")
    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), Project.COMPLETED, datetime.date(2023, 7, 1))
    assert message in str(e.value)
    assert Project.objects.get(pk=project.pk).status == Project.IMPLEMENTING


def test_handled_feedback_lets_the_project_move(county):
    project = implementing(county)
    notice = draft(project)
    post_all(notice)
    notice.publish(user("huangyuan"), START)
    f = NoticeFeedback(notice=notice, received_on=START, channel="phone", content="询问工期")
    f.set_person("李四", "13912345678")
    f.save()
    assert not notice.has_run(DAY10)
    f.handling, f.handled_on = "已答复", START + datetime.timedelta(days=2)
    f.save()
    assert notice.has_run(DAY10)
    # Feedback received after the period does not hold the project.
    NoticeFeedback.objects.create(notice=notice, received_on=DAY10, channel="letter", content="期满后来信")
    assert Notice.objects.get(pk=notice.pk).has_run(DAY10)


def test_unhandled_feedback_waits_on_the_offices_work_list(county):
    from xiezuo.front.worklist import waiting_items

    project = implementing(county, code="N-2023-W")
    notice = draft(project)
    post_all(notice)
    notice.publish(user("huangyuan"), START)
    f = NoticeFeedback(notice=notice, received_on=START, channel="phone", content="询问工期")
    f.set_person("李四", "13912345678")
    f.save()
    href = reverse("notice_detail", args=[notice.pk])

    def listed(name):
        return [i for i in waiting_items(user(name)) if i.href == href]

    for name in ("huangyuan", "liuhe"):
        [item] = listed(name)
        assert item.label == "待办结公示反馈" and notice.title in item.text and "李四" not in item.text
    for name in ("lingdao", "shenji", "yiyuan", "sibling", "outsider"):
        assert not listed(name), name
    f.handling, f.handled_on = "已答复", START + datetime.timedelta(days=2)
    f.save()
    assert not listed("huangyuan")


def test_a_village_project_needs_the_village_board(county):
    project = implementing(county, code="N-2023-V", village=True)
    notice = draft(project)
    assert notice.required_channels() == [COUNTY_SITE, TOWNSHIP_BOARD, VILLAGE_BOARD]
    for channel in (COUNTY_SITE, TOWNSHIP_BOARD):
        NoticePosting.objects.create(notice=notice, channel=channel, posted_on=START, url="https://example.gov.cn/n",
                                     photo=ContentFile(board_jpeg(), name="b.jpg") if channel != COUNTY_SITE else "")
    notice.publish(user("huangyuan"), START)
    assert notice.missing(DAY10) == ["缺少村公示栏的张贴记录"]


# -- the gated steps --------------------------------------------------------

def test_each_gated_step_needs_its_notice(county):
    project = new_project(county)
    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), Project.APPROVED, datetime.date(2023, 4, 1))
    assert "入库公示尚未发布" in str(e.value)
    give_notices(project, Project.APPROVED, datetime.date(2023, 4, 1), demo=False)
    Notice.objects.filter(project=project, stage=PLAN).delete()  # the plan notice the step opens comes later
    project.transition(user("huangyuan"), Project.APPROVED, datetime.date(2023, 4, 1))
    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), Project.PROCUREMENT, datetime.date(2023, 4, 20))
    assert "计划公告尚未发布" in str(e.value)
    run_notice(project, PLAN, datetime.date(2023, 4, 2), user("huangyuan"), demo=False)
    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), Project.PROCUREMENT, datetime.date(2023, 4, 11))
    assert "计划公告尚未满10天" in str(e.value)
    project.transition(user("huangyuan"), Project.PROCUREMENT, datetime.date(2023, 4, 12))
    project.transition(user("huangyuan"), Project.IMPLEMENTING, datetime.date(2023, 5, 1))  # not gated
    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), Project.COMPLETED, datetime.date(2023, 6, 1))
    assert "实施公示尚未发布" in str(e.value)
    run_notice(project, IMPLEMENTATION, datetime.date(2023, 5, 1), user("huangyuan"), demo=False)
    project.transition(user("huangyuan"), Project.COMPLETED, datetime.date(2023, 6, 1))
    # 验收 needs both the plan and the implementation notices run.
    Notice.objects.filter(project=project, stage=PLAN).update(status="withdrawn")
    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), Project.ACCEPTED, datetime.date(2023, 6, 20))
    assert "计划公告已撤回" in str(e.value)
    Notice.objects.filter(project=project, stage=PLAN).update(status="published")
    project.transition(user("huangyuan"), Project.ACCEPTED, datetime.date(2023, 6, 20))
    with pytest.raises(ValidationError) as e:
        project.transition(user("huangyuan"), Project.HANDED_OVER, datetime.date(2023, 7, 20))
    assert "验收结果公告尚未发布" in str(e.value)
    run_notice(project, RESULT, datetime.date(2023, 6, 21), user("huangyuan"), demo=False)
    register_asset(project, datetime.date(2023, 7, 20))  # the handover's other condition (assets)
    project.transition(user("huangyuan"), Project.HANDED_OVER, datetime.date(2023, 7, 20))
    assert project.status == Project.HANDED_OVER


def test_termination_is_never_held(county):
    project = new_project(county)
    project.transition(user("huangyuan"), Project.TERMINATED, datetime.date(2023, 4, 1), "选址变更")
    assert project.status == Project.TERMINATED


def test_the_page_and_the_api_are_held_too(county):
    project = implementing(county)
    r = login("huangyuan").post(reverse("project_transition", args=[project.pk]),
                                {"to": "completed", "date": "2023-06-01", "loaded_version": project.version},
                                follow=True)
    assert "实施公示尚未发布" in r.content.decode()
    project.refresh_from_db()
    assert project.status == Project.IMPLEMENTING
    r = token_client("huangyuan").post(f"/api/v1/projects/{project.pk}/transitions",
                                       {"to": "completed", "date": "2023-06-01"}, content_type="application/json",
                                       headers={"If-Match": f'"funds.project-{project.pk}-v{project.version}"'})
    assert r.status_code == 422, r.content
    assert "实施公示尚未发布" in str(r.json()["errors"])
    assert Project.objects.get(pk=project.pk).status == Project.IMPLEMENTING


def test_every_demo_project_past_a_gated_step_has_its_notices_run(county):
    from xiezuo.notices.rules import refusal

    for project in Project.objects.filter(is_demo=True, pairing=county).select_related("library_entry"):
        for change in project.status_changes.all():
            assert refusal(project, change.to_status, change.date) is None, (project.code, change.to_status)
    demo = Notice.objects.filter(is_demo=True, project__year=2022)
    assert demo.exists() and all(p.photo for n in demo for p in n.postings.all() if p.channel != COUNTY_SITE)
    assert NoticeFeedback.objects.filter(notice__is_demo=True, handled_on__isnull=False).count() == 1


# -- audit, EXIF, content ---------------------------------------------------

def test_each_step_leaves_an_audit_event(county):
    project = implementing(county)
    before = AuditEvent.objects.count()
    notice = draft(project)
    post_all(notice)
    f = NoticeFeedback(notice=notice, received_on=START, channel="visit", content="来访")
    f.set_person("王五", "0971-5234567")
    f.save()
    notice.publish(user("huangyuan"), START)
    notice.withdraw(user("huangyuan"), "重新公示")
    models = list(AuditEvent.objects.filter(seq__gt=0).order_by("-pk").values_list("model", "action")[:7])
    assert AuditEvent.objects.count() - before >= 6
    assert ("notices.Notice", "workflow") in models and ("notices.NoticeFeedback", "create") in models
    events = AuditEvent.objects.filter(model="notices.NoticeFeedback").order_by("-pk")
    assert "王五" not in str(events.first().after) and "5234567" not in str(events.first().after)


def test_a_board_photo_is_stored_without_exif(county):
    project = implementing(county)
    notice = draft(project)
    image = Image.new("RGB", (40, 30), (10, 120, 10))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x0132] = "2023:06:01 09:30:00"  # DateTime
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(buf.getvalue())).getexif()
    r = login("huangyuan").post(reverse("notice_posting_add", args=[notice.pk]), {
        "channel": TOWNSHIP_BOARD, "posted_on": "2023-06-01",
        "photo": SimpleUploadedFile("board.jpg", buf.getvalue(), content_type="image/jpeg")})
    assert r.status_code == 302
    posting = NoticePosting.objects.get(notice=notice, channel=TOWNSHIP_BOARD)
    with posting.photo.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
        assert not dict(stored.getexif())
    # A board without a photo is refused by the form.
    r = login("huangyuan").post(reverse("notice_posting_add", args=[notice.pk]),
                                {"channel": "village_board", "posted_on": "2023-06-01"}, follow=True)
    assert "公示栏须上传张贴照片" in r.content.decode()
    assert not NoticePosting.objects.filter(notice=notice, channel="village_board").exists()


def test_content_is_drafted_from_the_project_and_written_as_docx(county):
    project = implementing(county)
    notice = Notice.draft_for(project, IMPLEMENTATION)
    assert notice.name == project.name and notice.place == "大华镇" and notice.content == "村道硬化1公里（测试）"
    assert notice.coop_funds == Decimal("100000") and notice.linkage == "工资性"
    notice = draft(project)
    r = login("lingdao").get(reverse("notice_docx", args=[notice.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert project.name in text and "监督电话：0971-2432000" in text and "公示期：2023年6月1日至2023年6月10日" in text


# -- pages, scoping and the public page ---------------------------------------

def test_pages_follow_the_checklist(county):
    project = implementing(county)
    notice = draft(project)
    post_all(notice)
    f = NoticeFeedback(notice=notice, received_on=START, channel="phone", content="询问")
    f.set_person("赵六", "13912345678")
    f.save()
    page_checklist(reverse("notice_list", args=[county.pk]), allowed="huangyuan")
    r = page_checklist(reverse("notice_detail", args=[notice.pk]), allowed="huangyuan")
    html = r.content.decode()
    assert "赵*" in html and "139****5678" in html and "赵六" not in html and "13912345678" not in html
    page_checklist(reverse("notice_create", args=[project.pk]) + "?stage=result", allowed="huangyuan",
                   refuse_read_only=True)
    page_checklist(reverse("notice_edit", args=[notice.pk]), allowed="huangyuan", refuse_read_only=True)
    page_checklist(reverse("notice_step", args=[notice.pk]), allowed="huangyuan", write=True,
                   data={"step": "publish", "date": "2023-06-01", "loaded_version": notice.version})
    assert Notice.objects.get(pk=notice.pk).status == "published"
    page_checklist(reverse("notice_feedback_handle", args=[f.pk]), allowed="huangyuan", write=True,
                   data={"handling": "已答复", "handled_on": "2023-06-03"})
    f.refresh_from_db()
    assert f.handled and f.handled_by.username == "huangyuan"
    posting = notice.postings.exclude(photo="").first()
    r = page_checklist(reverse("notice_posting_photo", args=[posting.pk]), allowed="huangyuan")
    assert r["Content-Disposition"].startswith("attachment")
    # The project page shows the section; a parent pairing's user reads it.
    r = login("lingdao").get(reverse("project_detail", args=[project.pk]))
    assert 'id="project-notices"' in r.content.decode()


def test_drafting_and_publishing_through_the_pages(county):
    project = implementing(county)
    c = login("huangyuan")
    url = reverse("notice_create", args=[project.pk]) + "?stage=implementation"
    r = c.get(url)
    assert project.name in r.content.decode()
    r = c.post(url, {"title": "实施公示", "name": project.name, "place": "大华镇", "content": "村道", "coop_funds": "10",
                     "coop_funds_unit": "万元", "other_funds": "0", "fund_sources": "东西部协作资金",
                     "implementing_unit": "", "benefit": "", "linkage": "", "results": "", "hotline": "0971-2432000",
                     "start_date": "2023-06-01", "end_date": "2023-06-10"})
    assert r.status_code == 302, r.content.decode()[:2000]
    notice = Notice.objects.get(project=project, stage=IMPLEMENTATION)
    assert notice.status == "draft" and notice.coop_funds == Decimal("100000")


def test_the_public_page_shows_notices_without_feedback_or_personal_data(county):
    county.disclosure_enabled = True
    county.save()
    notice = Notice.objects.filter(is_demo=True, project__year=2022, feedback__isnull=False).first()
    r = login(None).get(reverse("disclosure", args=[county.pk]) + "?year=2022")
    html = r.content.decode()
    assert r.status_code == 200 and "往期公示" in html and notice.title in html and notice.hotline in html
    feedback = notice.feedback.first()
    assert feedback.content not in html and feedback.name_masked not in html and "王示例" not in html
    assert "notice-postings" not in html and "/photo/" not in html


def test_api_lists_creates_and_publishes(county):
    project = implementing(county)
    api_checklist(f"/api/v1/pairings/{county.pk}/notices", allowed="huangyuan")
    r = token_client("huangyuan").post(f"/api/v1/projects/{project.pk}/notices",
                                       {"stage": "implementation", "hotline": "0971-2432000",
                                        "start_date": "2023-06-01", "end_date": "2023-06-09"},
                                       content_type="application/json")
    assert r.status_code == 422 and "不少于10天" in str(r.json()["errors"])
    r = token_client("huangyuan").post(f"/api/v1/projects/{project.pk}/notices",
                                       {"stage": "implementation", "hotline": "0971-2432000",
                                        "start_date": "2023-06-01", "end_date": "2023-06-10"},
                                       content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["name"] == project.name and data["status"] == "draft"
    url = f"/api/v1/notices/{data['id']}"
    r = api_checklist(url, allowed="huangyuan")
    etag = r["ETag"]
    r = token_client("lingdao").post(url + "/steps", {"action": "publish", "date": "2023-06-01"},
                                     content_type="application/json", headers={"If-Match": etag})
    assert r.status_code == 403
    r = token_client("huangyuan").post(url + "/steps", {"action": "publish", "date": "2023-06-01"},
                                       content_type="application/json")
    assert r.status_code == 428
    r = token_client("huangyuan").post(url + "/steps", {"action": "publish", "date": "2023-06-01"},
                                       content_type="application/json", headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["status"] == "published"
