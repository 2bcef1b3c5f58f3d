"""The project library: 村申报 → 乡审核 → 县审定 → 入库 (→ 出库), each step by
a role that may take it, logged; only listed entries may be approved as
projects; the 入库公示 notice; the pages and the API."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx import Document

from xiezuo.accounts.models import User
from xiezuo.accounts.scope import scope_for
from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import Project, ProjectCategory, ProjectStatusChange
from xiezuo.library.models import LibraryEntry
from xiezuo.notices.demo import give_notices
from xiezuo.pairings.models import Region

from ..checklist import api_checklist, login, page_checklist, token_client

pytestmark = pytest.mark.django_db

D = datetime.date(2023, 3, 1)


def user(name):
    return User.objects.get(username=name)


def new_entry(pairing, name="示例村道路硬化（测试）", by="huangyuan", **extra):
    values = dict(pairing=pairing, year=2023, name=name, township=Region.objects.get(name="大华镇"),
                  unit_name="大华镇人民政府", category=ProjectCategory.objects.get(code="rural"),
                  content="村道硬化2公里", coop_funds=Decimal("500000"), other_funds=Decimal("100000"),
                  other_sources="县级财政衔接资金", benefit="方便群众出行", linkage="优先吸纳脱贫劳动力务工",
                  hotline="0971-1234567")
    values.update(extra)
    entry = LibraryEntry.objects.create(**values)
    entry.record_application(user(by), D)
    return entry


def listed(pairing, **extra):
    entry = new_entry(pairing, **extra)
    entry.take(user("huangyuan"), "review", date=D)
    entry.take(user("admin"), "approve", date=D)
    entry.take(user("admin"), "list", date=D)
    return entry


def test_the_whole_path_is_logged_with_one_audit_event_per_step(county):
    entry = new_entry(county)
    before = AuditEvent.objects.filter(action="workflow", model="library.LibraryEntry", object_id=str(entry.pk)).count()
    entry.take(user("huangyuan"), "review", "同意上报", D)
    entry.take(user("admin"), "approve", "同意", D)
    entry.take(user("huangyuan"), "list", date=D)
    entry.refresh_from_db()
    assert entry.stage == LibraryEntry.LISTED and entry.listed_on == D
    steps = list(entry.steps.values_list("action", "user__username", "opinion"))
    assert steps == [("apply", "huangyuan", ""), ("review", "huangyuan", "同意上报"), ("approve", "admin", "同意"),
                     ("list", "huangyuan", "")]
    events = AuditEvent.objects.filter(action="workflow", model="library.LibraryEntry", object_id=str(entry.pk))
    assert events.count() == before + 3
    assert events.filter(summary__startswith="县审定通过").exists()
    entry.take(user("huangyuan"), "remove", "项目已由其他资金实施", D)
    entry.refresh_from_db()
    assert entry.stage == LibraryEntry.REMOVED and entry.removed_reason == "项目已由其他资金实施"


def test_each_step_only_by_a_role_that_may_take_it(county):
    entry = new_entry(county, by="liuhe")  # data entry: the east office may enter what a village applied for
    for name in ("liuhe", "lingdao", "shenji", "yiyuan"):
        with pytest.raises(PermissionDenied):
            entry.take(user(name), "review", date=D)
    assert entry.allowed_actions(scope_for(user("liuhe"))) == []
    entry.take(user("huangyuan"), "review", date=D)
    for name in ("liuhe", "lingdao", "yiyuan"):
        with pytest.raises(PermissionDenied):
            entry.take(user(name), "approve", date=D)
    with pytest.raises(ValidationError) as e:
        entry.take(user("huangyuan"), "list", date=D)  # not approved yet
    assert "不能入库" in str(e.value)
    entry.refresh_from_db()
    assert entry.stage == LibraryEntry.REVIEWED


def test_the_same_person_may_not_review_and_approve(county):
    entry = new_entry(county)
    entry.take(user("huangyuan"), "review", date=D)
    with pytest.raises(ValidationError) as e:
        entry.take(user("huangyuan"), "approve", date=D)
    assert "两名不同的人员" in str(e.value)
    with pytest.raises(ValidationError):
        entry.take(user("huangyuan"), "approve_return", "资金来源不清", D)
    entry.take(user("admin"), "approve", date=D)
    assert entry.stage == LibraryEntry.APPROVED


def test_a_township_office_reviews_its_entries_but_only_the_county_approves(county, sibling):
    entry = new_entry(sibling, by="sibling")
    entry.take(user("sibling"), "review", date=D)
    with pytest.raises(PermissionDenied):
        entry.take(user("sibling"), "approve", date=D)
    entry.take(user("huangyuan"), "approve", date=D)
    assert entry.stage == LibraryEntry.APPROVED
    # The township office reaches nothing of the county pair's own library.
    county_entry = new_entry(county, name="县级条目（测试）")
    with pytest.raises(Exception) as e:
        county_entry.take(user("sibling"), "review", date=D)
    assert type(e.value).__name__ == "Http404"


def test_returns_need_an_opinion_and_a_returned_entry_is_applied_again(county):
    entry = new_entry(county)
    with pytest.raises(ValidationError) as e:
        entry.take(user("huangyuan"), "review_return", "", D)
    assert "须填写意见" in str(e.value)
    entry.take(user("huangyuan"), "review_return", "缺少村民代表会议记录", D)
    assert entry.stage == LibraryEntry.RETURNED
    entry.take(user("liuhe"), "resubmit", date=D)
    entry.take(user("admin"), "review", date=D)
    entry.take(user("huangyuan"), "approve", date=D)  # reviewed by someone else this round
    assert entry.stage == LibraryEntry.APPROVED


def test_a_stale_version_is_refused(county):
    entry = new_entry(county)
    seen = entry.version
    LibraryEntry.objects.get(pk=entry.pk).take(user("huangyuan"), "review_return", "补充材料", D)
    with pytest.raises(ValidationError) as e:
        entry.take(user("admin"), "review", date=D, loaded_version=seen)
    assert e.value.code == "conflict"
    assert LibraryEntry.objects.get(pk=entry.pk).stage == LibraryEntry.RETURNED


def _project(county, code, entry=None):
    return Project.objects.create(pairing=county, code=code, name=code, year=2023, coop_funds=Decimal("0"),
                                  category=ProjectCategory.objects.get(code="rural"), library_entry=entry)


def test_only_a_project_with_a_listed_entry_is_approved(county):
    bare = _project(county, "LIB-1")
    with pytest.raises(ValidationError) as e:
        bare.transition(user("huangyuan"), Project.APPROVED, datetime.date(2023, 4, 1))
    assert "只有已入库的项目才能立项" in str(e.value)
    pending = new_entry(county, name="待审核条目（测试）")
    waiting = _project(county, "LIB-2", pending)
    with pytest.raises(ValidationError) as e:
        waiting.transition(user("huangyuan"), Project.APPROVED, datetime.date(2023, 4, 1))
    assert "当前为“村申报”" in str(e.value)
    assert Project.objects.get(pk=waiting.pk).status == Project.RESERVE
    ok = _project(county, "LIB-3", listed(county, name="已入库条目（测试）"))
    give_notices(ok, Project.APPROVED, datetime.date(2023, 4, 1), demo=False)  # its 入库公示 ran
    ok.transition(user("huangyuan"), Project.APPROVED, datetime.date(2023, 4, 1))
    assert ok.status == Project.APPROVED


def test_every_demo_project_comes_from_a_listed_entry_dated_before_its_approval(county):
    for project in Project.objects.filter(is_demo=True, pairing=county).exclude(status=Project.RESERVE):
        entry = project.library_entry
        assert entry is not None and entry.stage == LibraryEntry.LISTED, project.code
        approved = project.status_changes.get(to_status=Project.APPROVED).date
        assert max(entry.steps.values_list("date", flat=True)) < approved, project.code
        assert entry.skipped_steps() == []


def test_skipped_steps_are_listed_on_the_library_page(county):
    old = _project(county, "OLD-1")  # approved before the library existed
    Project.objects.filter(pk=old.pk).update(status=Project.APPROVED)
    ProjectStatusChange.objects.create(project=old, from_status="reserve", to_status="approved",
                                       date=datetime.date(2023, 2, 1))
    imported = _project(county, "IMP-1")  # imported at 实施 by the projects ledger: no steps logged
    Project.objects.filter(pk=imported.pk).update(status=Project.IMPLEMENTING)
    pool = _project(county, "POOL-1")  # a reserve project is no finding
    jumped = new_entry(county, name="跳过审核的条目（测试）")
    LibraryEntry.objects.filter(pk=jumped.pk).update(stage=LibraryEntry.LISTED)
    r = login("lingdao").get(reverse("library_list", args=[county.pk]))
    html = r.content.decode()
    table = html[html.index('id="skipped"'):]
    assert "OLD-1" in table and "立项时未关联项目库条目" in table and "IMP-1" in table
    assert pool.code not in table
    assert "跳过审核的条目（测试）" in table and "入库前缺少：乡审核通过、县审定通过" in table
    assert "湟源县人民医院医疗设备购置项目" not in table


def test_pages_follow_the_checklist_and_offer_only_the_steps_one_may_take(county):
    entry = new_entry(county)
    r = page_checklist(reverse("library_list", args=[county.pk]))
    assert "示例村道路硬化（测试）" in r.content.decode()
    detail = reverse("library_detail", args=[entry.pk])
    page_checklist(detail)
    assert 'id="step-form"' not in login("liuhe").get(detail).content.decode()
    html = login("huangyuan").get(detail).content.decode()
    assert 'value="review"' in html and 'value="approve"' not in html
    step = reverse("library_step", args=[entry.pk])
    data = {"action": "review", "date": "2023-03-01", "opinion": "同意", "loaded_version": entry.version}
    page_checklist(step, allowed="huangyuan", write=True, data=data)
    entry.refresh_from_db()
    assert entry.stage == LibraryEntry.REVIEWED
    r = login("huangyuan").post(step, {"action": "approve", "loaded_version": entry.version}, follow=True)
    assert "两名不同的人员" in r.content.decode()


def test_the_form_creates_an_application_with_its_first_step(county):
    url = reverse("library_create", args=[county.pk])
    data = {"pairing": county.pk, "year": 2023, "name": "表单申报项目（测试）", "unit_name": "湟源县教育局",
            "category": ProjectCategory.objects.get(code="education").pk, "content": "新建围墙",
            "coop_funds": "12", "coop_funds_unit": "万元", "other_funds": "0"}
    page_checklist(url, allowed="huangyuan", write=True, data=data)
    entry = LibraryEntry.objects.get(name="表单申报项目（测试）")
    assert entry.coop_funds == Decimal("120000") and entry.stage == LibraryEntry.APPLIED
    assert list(entry.steps.values_list("action", "user__username")) == [("apply", "huangyuan")]


def test_the_notice_is_generated_from_the_entry_and_downloads_as_docx(county):
    entry = listed(county)
    url = reverse("library_notice", args=[entry.pk])
    html = page_checklist(url).content.decode()
    for text in ("2023年度东西部协作项目入库公示", "示例村道路硬化（测试）", "村道硬化2公里", "60万元", "50万元",
                 "县级财政衔接资金", "方便群众出行", "优先吸纳脱贫劳动力务工", "0971-1234567", "2023年3月1日"):
        assert text in html, text
    r = login("lingdao").get(url + "?format=docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "监督电话：0971-1234567" in text and "资金规模及来源：计划总投资60万元" in text


def test_api_create_step_and_detail(county):
    body = {"year": 2023, "name": "接口申报项目（测试）", "category": "rural", "unit_name": "和平乡人民政府",
            "content": "道路硬化", "coop_funds": "300000"}
    r = api_checklist(f"/api/v1/pairings/{county.pk}/library", allowed="huangyuan", method="post", json=body)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["allowed_actions"] == ["review", "review_return"]
    got = token_client("huangyuan").get(f"/api/v1/library/{pk}")
    r = token_client("huangyuan").post(f"/api/v1/library/{pk}/steps", {"action": "review"},
                                       content_type="application/json", headers={"If-Match": got["ETag"]})
    assert r.status_code == 200 and r.json()["stage"] == "reviewed"
    r = token_client("admin").post(f"/api/v1/library/{pk}/steps", {"action": "approve"},
                                   content_type="application/json", headers={"If-Match": got["ETag"]})
    assert r.status_code == 412
    assert api_checklist(f"/api/v1/library/{pk}").json()["steps"][0]["action"] == "apply"
