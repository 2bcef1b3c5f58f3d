"""The module's demo reproduces the article's facts (../shared/seed/FACTS.md)."""

import datetime

import pytest

from xiezuo.industry.models import AgreedItem, Park, Visit
from xiezuo.pairings.models import Organisation

pytestmark = pytest.mark.django_db
D = datetime.date


def test_parks_named_in_the_article(county):
    parks = {p.name: p for p in Park.objects.filter(pairing=county)}
    assert set(parks) == {"湟源县乡村振兴东西部协作产业园", "湟源县乡村振兴产业孵化园"}
    assert parks["湟源县乡村振兴产业孵化园"].get_status_display() == "建设中"
    assert not any(p.is_demo for p in parks.values())


def test_delegation_visit_and_joint_meeting(county):
    visit = Visit.objects.get(pairing=county, kind=Visit.LEADER)
    assert (visit.start_on, visit.end_on) == (D(2022, 6, 26), D(2022, 6, 27))
    assert visit.place_list() == ["湟源县人民医院", "湟源臻品馆"]
    officials = {(o.side, o.name, o.post, o.role) for o in visit.officials.all()}
    assert officials == {("east", "李万平", "六合区委书记", "lead"), ("west", "韩俊良", "湟源县委书记", "host")}
    meeting = Visit.objects.get(pairing=county, kind=Visit.JOINT_MEETING)
    assert meeting.title == "六合区-湟源县2022年东西部协作联席会议"
    assert D(2022, 6, 26) <= meeting.start_on <= D(2022, 6, 27)


def test_experts_of_a_real_company_without_an_invented_code(county):
    visit = Visit.objects.get(pairing=county, title__contains="南京捷安润安工程顾问有限公司")
    assert visit.kind == Visit.DEPARTMENT and (visit.start_on.year, visit.start_on.month) == (2021, 12)
    assert not Organisation.objects.filter(name__contains="捷安润安").exclude(uscc=None).exists()


def test_agreed_items_from_the_meeting_are_illustrative_and_have_history(county):
    meeting = Visit.objects.get(pairing=county, kind=Visit.JOINT_MEETING)
    items = AgreedItem.objects.filter(source_visit=meeting)
    titles = set(items.values_list("title", flat=True))
    for words in ("党政主要负责同志互访", "干部交流", "行业协会", "农畜产品精深加工", "全域文化旅游", "新能源开发",
                  "商贸物流", "南京企业", "品牌"):
        assert any(words in t for t in titles), words
    assert all(i.is_demo and i.year == 2022 and i.east_owner and i.west_owner and i.deadline for i in items)
    assert {i.status for i in items} == {"not_started", "in_progress", "done", "shelved"}
    done = items.filter(status="done")
    assert all(i.done_on and i.notes.last().status_to == "done" for i in done)


def test_illustrative_enterprises_are_marked_and_carry_valid_codes(county):
    from lib.ids import normalize_uscc

    orgs = Organisation.objects.filter(investments__pairing=county).distinct()
    assert orgs.exists()
    for org in orgs:
        assert org.is_demo and "（示例）" in org.name
        assert normalize_uscc(org.uscc) == org.uscc
