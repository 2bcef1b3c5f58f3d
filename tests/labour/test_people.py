"""People: 身份证号 and phone validation, duplicates, masking, reveal, lookup."""

import datetime

import pytest
from django.urls import reverse

from lib.ids import make_id_number
from xiezuo.audit.models import AuditEvent
from xiezuo.labour.models import Person
from xiezuo.pairings.models import Region

from ..checklist import login, page_checklist
from .conftest import RAW_ID, RAW_ID_X, RAW_PHONE

pytestmark = pytest.mark.django_db


def create_url(pairing):
    return reverse("labour_person_create", args=[pairing.pk])


def post_person(pairing, user="liuhe", **data):
    body = {"name": "测试人员", "household_type": "poverty", **data}
    return login(user).post(create_url(pairing), body)


VALID_17 = RAW_ID[:17]
WRONG_CHECK = VALID_17 + ("0" if RAW_ID[17] != "0" else "1")


@pytest.mark.parametrize("raw, message", [
    (WRONG_CHECK, f"身份证号校验位错误：应为“{RAW_ID[17]}”"),
    (make_id_number("63012319900230123")[:17] + "0", "出生日期“19900230”不是有效日期"),
    (VALID_17, "身份证号应为18位，实际为17位"),
    ("6301231990010112AB", "身份证号前17位应全部为数字"),
    ("63012319900101123Y", "身份证号最后一位应为数字或X"),
])
def test_invalid_id_numbers_refused_with_chinese_message_and_nothing_saved(county, raw, message):
    before = Person.objects.count()
    r = post_person(county, id_number=raw)
    assert r.status_code == 200
    assert message in r.content.decode()
    assert Person.objects.count() == before


def test_lowercase_x_accepted_and_gender_and_birth_derived(county):
    r = post_person(county, id_number=RAW_ID_X.lower(), gender="女", birth_date="2000-01-01")
    assert r.status_code == 302
    person = Person.objects.get(name="测试人员", pairing=county)
    assert person.reveal_id_number() == RAW_ID_X  # stored upper-case
    assert person.id_number_masked == "6301**********203X"
    # Derived from the number, whatever was typed: 1988-05-05, sequence digit 3 is odd.
    assert person.birth_date == datetime.date(1988, 5, 5) and person.gender == "男"


def test_person_create_checklist_and_audit_event_without_plain_number(county):
    data = {"name": "测试人员", "id_number": RAW_ID, "phone": RAW_PHONE, "household_type": "monitored",
            "township": Region.objects.get(name="大华镇").pk, "village": Region.objects.get(name="河南村").pk}
    r = page_checklist(create_url(county), write=True, data=data)
    person = Person.objects.get(name="测试人员")
    assert r["Location"] == reverse("labour_person_detail", args=[person.pk])
    assert person.phone_masked == "139****3456" and person.village.name == "河南村"
    event = AuditEvent.objects.get(model="labour.Person", object_id=str(person.pk), action="create")
    assert event.after["id_number_masked"] == "6301**********1237"
    assert "id_number_enc" not in event.after and RAW_ID not in str(event.after)


def test_bad_phone_and_village_outside_township_refused(county):
    r = post_person(county, phone="12345", township=Region.objects.get(name="和平乡").pk,
                    village=Region.objects.get(name="河南村").pk)
    html = r.content.decode()
    assert "联系电话应为11位手机号码（如13912345678）或带区号的固定电话（如0972-1234567）" in html
    assert "河南村不属于和平乡" in html
    assert not Person.objects.filter(name="测试人员").exists()


def test_duplicate_id_number_refused_naming_the_existing_person(county, person_factory):
    existing = person_factory(county, name="张示例", id_number=RAW_ID)
    r = post_person(county, id_number=RAW_ID.lower())
    html = r.content.decode()
    assert "身份证号与已登记人员“张示例”（6301**********1237" in html
    assert RAW_ID not in html.replace(f'value="{RAW_ID.lower()}"', "")
    assert Person.objects.filter(id_number_hash=existing.id_number_hash).count() == 1


def test_duplicate_in_an_invisible_pairing_of_the_tree_is_refused_without_the_name(county, person_factory, users):
    from xiezuo.accounts.models import Membership
    from xiezuo.pairings.models import Pairing

    person_factory(county, name="张示例", id_number=RAW_ID)
    sub = Pairing.objects.get(level="township", east_region__name="雄州街道")
    Membership.objects.create(user=users["outsider"], pairing=sub, role="west")
    html = post_person(sub, user="outsider", id_number=RAW_ID).content.decode()
    assert "该身份证号已由本结对体系中的其他结对登记" in html and "张示例" not in html


def test_same_number_in_another_cooperation_tree_is_a_separate_record(county, foreign, person_factory):
    person_factory(county, name="张示例", id_number=RAW_ID)
    r = post_person(foreign, user="outsider", id_number=RAW_ID)
    assert r.status_code == 302
    assert Person.objects.filter(pairing=foreign, name="测试人员").exists()


def test_edit_keeps_number_when_left_empty_and_never_prefills_it(county, person_factory):
    person = person_factory(county, name="张示例", id_number=RAW_ID, phone=RAW_PHONE)
    url = reverse("labour_person_edit", args=[person.pk])
    r = page_checklist(url, read_only=None, allowed="huangyuan")
    html = r.content.decode()
    assert "已登记：6301**********1237。留空表示不修改。" in html and RAW_ID not in html and RAW_PHONE not in html
    data = {"name": "张示例改", "household_type": "general", "id_number": "", "phone": "",
            "loaded_version": person.version}
    page_checklist(url, write=True, data=data)
    person.refresh_from_db()
    assert person.name == "张示例改" and person.reveal_id_number() == RAW_ID and person.reveal_phone() == RAW_PHONE
    assert person.version == 2


def test_person_list_filters_and_masks(county, person_factory):
    person_factory(county, name="张示例", id_number=RAW_ID, household_type="poverty")
    url = reverse("labour_person_list", args=[county.pk])
    html = page_checklist(url + "?q=张示例").content.decode()
    assert "张示例" in html and "6301**********1237" in html and RAW_ID not in html
    assert "示例学员001" not in html
    html = login("liuhe").get(url + "?household=monitored").content.decode()
    assert "张示例" not in html and "示例学员004" in html and "示例学员005" not in html


def test_find_by_id_number_is_a_post_and_uses_the_keyed_hash(county, person_factory):
    person = person_factory(county, name="张示例", id_number=RAW_ID)
    url = reverse("labour_person_find", args=[county.pk])
    r = page_checklist(url, write=True, read_only=None, data={"id_number": RAW_ID.lower()})
    assert r["Location"] == reverse("labour_person_detail", args=[person.pk])
    assert login("lingdao").post(url, {"id_number": RAW_ID})["Location"].endswith(f"/labour/people/{person.pk}/")
    assert login("liuhe").get(url).status_code == 405
    r = login("liuhe").post(url, {"id_number": "123"}, follow=True)
    assert "查找失败：身份证号应为18位，实际为3位" in r.content.decode()
    r = login("liuhe").post(url, {"id_number": make_id_number("63012319910101123")}, follow=True)
    assert "未找到该身份证号对应的人员" in r.content.decode()


def test_person_detail_shows_classes_jobs_and_exchanges(county, person_factory, job_factory, exchange_factory,
                                                      demo_class):
    person = Person.objects.get(name="示例学员001")
    job_factory(person, datetime.date(2022, 3, 1), employer="示例企业甲")
    exchange_factory(county, person, datetime.date(2022, 5, 1), kind="agri", batch="测试批次")
    html = page_checklist(reverse("labour_person_detail", args=[person.pk])).content.decode()
    assert "东西部协作劳动技术培训班（第一期）" in html and "中式烹调" in html
    assert "示例企业甲" in html and "测试批次" in html
    assert "显示完整号码" not in html  # east office: no "pii" permission


def test_reveal_shows_number_to_west_office_and_records_view_pii(county, person_factory):
    person = person_factory(county, name="张示例", id_number=RAW_ID, phone=RAW_PHONE)
    detail = login("huangyuan").get(reverse("labour_person_detail", args=[person.pk])).content.decode()
    assert "显示完整号码" in detail and RAW_ID not in detail
    url = reverse("labour_person_reveal", args=[person.pk])
    before = AuditEvent.objects.filter(action="view_pii").count()
    r = page_checklist(url, write=True, allowed="huangyuan")
    assert RAW_ID in r.content.decode() and RAW_PHONE in r.content.decode()
    assert "no-store" in r["Cache-Control"]
    r = login("huangyuan").post(url, HTTP_HX_REQUEST="true")
    assert r.content.decode().startswith('<div id="pii-block"') and RAW_ID in r.content.decode()
    events = AuditEvent.objects.filter(action="view_pii", object_id=str(person.pk))
    assert events.count() - before == 2
    event = events.first()
    assert event.actor_name == "huangyuan" and event.pairing_id == county.pk
    assert event.summary == "查看完整个人信息：张示例（身份证号、联系电话、出生日期）"
    assert RAW_ID not in str(event.payload())
    # The auditor finds it on the audit trail page.
    html = login("shenji").get(reverse("audit_list") + "?action=view_pii").content.decode()
    assert "查看完整个人信息：张示例（身份证号、联系电话、出生日期）" in html and RAW_ID not in html


def test_reveal_refused_to_roles_without_pii_and_nothing_recorded(county, person_factory):
    person = person_factory(county, name="张示例", id_number=RAW_ID)
    url = reverse("labour_person_reveal", args=[person.pk])
    for user in ("liuhe", "lingdao", "shenji", "yiyuan"):
        r = login(user).post(url)
        # The implementing unit reads no labour register at all: 404.
        assert r.status_code == (404 if user == "yiyuan" else 403) and RAW_ID not in r.content.decode()
    assert login("huangyuan").get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="view_pii", object_id=str(person.pk)).exists()
