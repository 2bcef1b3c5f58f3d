"""Training classes and rosters: pages, rules, roster editing."""

import pytest
from django.urls import reverse

from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import Project, ProjectCategory
from xiezuo.labour.models import Person, Trainee, TrainingClass

from ..checklist import login, page_checklist
from .conftest import RAW_ID

pytestmark = pytest.mark.django_db


def class_data(**kwargs):
    return {"name": "示例电焊培训班", "trade": "电焊工", "kind": "skill", "start": "2022-05-09", "end": "2022-05-20",
            "days": "10", "place": "湟源县（示例）", **kwargs}


def test_class_list_filters_and_counts(county):
    url = reverse("labour_class_list", args=[county.pk])
    html = page_checklist(url).content.decode()
    assert html.count("东西部协作劳动技术培训班（第") == 3
    assert '<td class="amount" data-row-value="50">50</td><td class="amount">40</td>' in html  # roster and certificates
    html = login("liuhe").get(url + "?year=2021").content.decode()
    assert "（第一期）" in html and "（第二期）" not in html
    html = login("liuhe").get(url + "?q=家政").content.decode()
    assert "（第二期）" in html and "（第一期）" not in html


def test_create_class_with_funding_project_and_edit(county):
    project = Project.objects.create(pairing=county, code="HY-2022-T1", name="劳务协作培训项目（示例）", year=2022,
                                     category=ProjectCategory.objects.first())
    url = reverse("labour_class_create", args=[county.pk])
    r = page_checklist(url, write=True, data=class_data(project=project.pk))
    tc = TrainingClass.objects.get(name="示例电焊培训班")
    assert r["Location"] == reverse("labour_class_detail", args=[tc.pk]) and tc.project == project
    assert AuditEvent.objects.filter(model="labour.TrainingClass", object_id=str(tc.pk), action="create").exists()
    html = page_checklist(reverse("labour_class_detail", args=[tc.pk])).content.decode()
    assert "劳务协作培训项目（示例）" in html and "2022年5月9日—2022年5月20日（10天）" in html
    edit = reverse("labour_class_edit", args=[tc.pk])
    page_checklist(edit, read_only=None)
    page_checklist(edit, write=True, data=class_data(name="示例电焊培训班（改）", loaded_version=1))
    tc.refresh_from_db()
    assert tc.name == "示例电焊培训班（改）" and tc.version == 2


def test_class_rules_refused_in_chinese(county, foreign):
    url = reverse("labour_class_create", args=[county.pk])
    html = login("liuhe").post(url, class_data(days="13")).content.decode()
    assert "培训天数不能超过开班至结业的天数（12天）" in html
    html = login("liuhe").post(url, class_data(end="2022-05-01")).content.decode()
    assert "结业日期不能早于开班日期" in html
    foreign_project = Project.objects.create(pairing=foreign, code="X-1", name="外部项目", year=2022,
                                             category=ProjectCategory.objects.first())
    html = login("liuhe").post(url, class_data(project=foreign_project.pk)).content.decode()
    assert "选择一个有效的选项" in html
    assert not TrainingClass.objects.filter(name="示例电焊培训班").exists()


def test_roster_add_edit_remove(county, demo_class, person_factory):
    person = person_factory(county, name="张示例", id_number=RAW_ID)
    add = reverse("labour_trainee_add", args=[demo_class.pk])
    r = page_checklist(add, write=True, data={"person": person.pk})
    assert r["Location"] == reverse("labour_class_detail", args=[demo_class.pk])
    trainee = Trainee.objects.get(training_class=demo_class, person=person)
    html = login("liuhe").get(reverse("labour_class_detail", args=[demo_class.pk])).content.decode()
    assert '<span id="roster-count">51</span>' in html and "6301**********1237" in html
    # Twice on one roster is refused.
    html = login("liuhe").post(add, {"person": person.pk}).content.decode()
    assert "该学员已在本培训班名单中" in html
    edit = reverse("labour_trainee_edit", args=[trainee.pk])
    page_checklist(edit, read_only=None)
    html = login("liuhe").post(edit, {"person": person.pk, "certificate_name": "电工证",
                                      "loaded_version": 1}).content.decode()
    assert "填写了证书名称，请同时勾选“取得证书”" in html
    page_checklist(edit, write=True, data={"person": person.pk, "certificate": "on", "certificate_name": "电工证",
                                           "loaded_version": 1})
    trainee.refresh_from_db()
    assert trainee.certificate and trainee.certificate_name == "电工证"
    remove = reverse("labour_trainee_remove", args=[trainee.pk])
    page_checklist(remove, write=True)
    assert not Trainee.objects.filter(pk=trainee.pk).exists()
    assert AuditEvent.objects.filter(model="labour.Trainee", object_id=str(trainee.pk), action="delete").exists()


def test_roster_offers_only_people_of_the_tree_and_masks_them(county, foreign, person_factory, demo_class):
    person_factory(foreign, name="外部人员", id_number=RAW_ID)
    html = login("liuhe").get(reverse("labour_class_detail", args=[demo_class.pk])).content.decode()
    assert "外部人员" not in html and "示例学员151" not in html
    assert f"示例学员001（{Person.objects.get(name='示例学员001').id_number_masked}）" in html
    assert "加入名单" in html
    assert "加入名单" not in login("lingdao").get(reverse("labour_class_detail", args=[demo_class.pk])).content.decode()
