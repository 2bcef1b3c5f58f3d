"""The JSON API: the permission checklist for every endpoint, the same
rules and messages as the pages."""

import datetime

import pytest
import time_machine

from tests.checklist import api_checklist, token_client
from xiezuo.api_helpers import etag_of
from xiezuo.audit.models import AuditEvent
from xiezuo.industry.ledgers import LEDGERS
from xiezuo.industry.models import AgreedItem, Investment, Visit
from xiezuo.pairings.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date


def payload(slug, firm):
    return {
        "parks": {"name": "接口园区", "since_year": 2023, "status": "planned"},
        "investments": {"enterprise": firm.pk, "project_name": "接口项目", "industry": "energy",
                        "landed_on": "2022-05-01", "agreed_amount": "1000000", "jobs": 10, "jobs_poverty": 3,
                        "arrivals": [{"date": "2022-05-01", "amount": "600000.25"},
                                     {"date": "2023-01-10", "amount": "400000.25", "note": "二期"}]},
        "workshops": {"name": "接口车间", "opened_on": "2022-01-01", "jobs": 5, "jobs_poverty": 2},
        "donations": {"date": "2022-05-01", "donor_name": "接口商会", "donor_kind": "association", "form": "cash",
                      "amount": "1000", "purpose": "助学", "receiver": "某校"},
        "visits": {"kind": "department", "title": "接口互访", "start_on": "2022-05-01", "end_on": "2022-05-02",
                   "places": "甲地\n乙地", "officials": [{"side": "west", "name": "李四", "post": "局长",
                                                        "role": "lead"}]},
        "items": {"year": 2023, "title": "接口事项", "east_owner": "甲", "west_owner": "乙",
                  "deadline": "2023-12-31"},
        "villages": {"village": Region.objects.get(name="后庄村").pk, "level": "province", "designated_year": 2023,
                     "investment": "300000"},
    }[slug]


@pytest.mark.parametrize("slug", list(LEDGERS))
def test_list_and_get(county, slug):
    rows = api_checklist(f"/api/v1/pairings/{county.pk}/industry/{slug}?year=2022").json()
    assert rows and all(r["pairing"] == county.pk for r in rows)
    assert all(r["year"] == 2022 for r in rows) or slug in ("workshops", "parks")
    one = api_checklist(f"/api/v1/industry/{slug}/{rows[0]['id']}").json()
    assert one == rows[0]


def test_list_is_scoped_to_the_users_pairings(county):
    r = token_client("outsider").get(f"/api/v1/pairings/{county.pk}/industry/visits")
    assert r.status_code == 404
    assert token_client("liuhe").get(f"/api/v1/pairings/{county.pk}/industry/nothing").status_code == 404


def test_demo_visit_through_the_api(county):
    rows = api_checklist(f"/api/v1/pairings/{county.pk}/industry/visits?year=2022").json()
    visit = next(r for r in rows if r["kind"] == "leader_visit")
    assert (visit["start_on"], visit["end_on"]) == ("2022-06-26", "2022-06-27")
    assert visit["kind_display"] == "党政主要负责同志互访"
    assert visit["places"] == ["湟源县人民医院", "湟源臻品馆"]
    assert {"side": "east", "name": "李万平", "post": "六合区委书记", "role": "lead"} in visit["officials"]
    assert {"side": "west", "name": "韩俊良", "post": "湟源县委书记", "role": "host"} in visit["officials"]


@pytest.mark.parametrize("slug", list(LEDGERS))
def test_create(county, firm, slug):
    model = LEDGERS[slug].model
    before = model.objects.count()
    r = api_checklist(f"/api/v1/pairings/{county.pk}/industry/{slug}", method="post", json=payload(slug, firm))
    assert r.status_code == 201, r.content
    assert model.objects.count() == before + 1
    body = r.json()
    obj = model.objects.get(pk=body["id"])
    assert obj.pairing == county and body["version"] == 1
    assert AuditEvent.objects.filter(model=obj._meta.label, object_id=str(obj.pk), action="create").exists()
    if slug == "investments":
        assert (body["agreed_amount"], body["arrived_amount"]) == ("1000000.00", "1000000.50")
        assert body["arrived_exceeds_agreed"] is True and body["enterprise_name"] == firm.name
        assert [(a["date"], a["amount"], a["year"]) for a in body["arrivals"]] == [
            ("2022-05-01", "600000.25", 2022), ("2023-01-10", "400000.25", 2023)]
        assert AuditEvent.objects.filter(model="industry.InvestmentArrival", action="create").count() >= 2
    if slug == "visits":
        assert [o.name for o in obj.officials.all()] == ["李四"]


def test_create_refuses_with_chinese_messages_and_saves_nothing(county, firm):
    before = (Investment.objects.count(), Visit.objects.count())
    r = token_client("liuhe").post(f"/api/v1/pairings/{county.pk}/industry/investments",
                                   payload("investments", firm) | {"jobs": 2, "jobs_poverty": 3},
                                   content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"]["jobs_poverty"] == ["其中脱贫劳动力人数（3人）不能超过带动就业人数（2人）"]
    r = token_client("liuhe").post(f"/api/v1/pairings/{county.pk}/industry/visits",
                                   payload("visits", firm) | {"end_on": "2022-04-30"},
                                   content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"]["end_on"] == ["结束日期不能早于开始日期"]
    r = token_client("liuhe").post(f"/api/v1/pairings/{county.pk}/industry/visits",
                                   payload("visits", firm) | {"officials": [{"side": "north", "name": ""}]},
                                   content_type="application/json")
    assert r.status_code == 422 and "officials[0].name" in r.json()["errors"]
    assert (Investment.objects.count(), Visit.objects.count()) == before


def test_create_cannot_use_rows_outside_the_scope(county, foreign, firm):
    from xiezuo.pairings.models import Organisation, Region

    alien = Organisation.objects.create(name="外地企业（示例）", kind="enterprise", region=Region.objects.get(name="江苏省"))
    r = token_client("liuhe").post(f"/api/v1/pairings/{county.pk}/industry/investments",
                                   payload("investments", firm) | {"enterprise": alien.pk},
                                   content_type="application/json")
    assert r.status_code == 422 and "enterprise" in r.json()["errors"]


def test_update_needs_if_match_and_refuses_stale_versions(county):
    item = AgreedItem.objects.filter(pairing=county).first()
    url = f"/api/v1/industry/items/{item.pk}"
    data = {"year": item.year, "title": "改名的事项", "east_owner": item.east_owner, "west_owner": item.west_owner,
            "deadline": "2023-03-31", "source_visit": item.source_visit_id, "is_demo": True}
    r = api_checklist(url, method="put", json=data)
    assert r.status_code == 428 and "If-Match" in r.json()["detail"]
    etag = token_client("liuhe").get(url)["ETag"]
    assert etag == f'"industry.agreeditem-{item.pk}-v{item.version}"'
    r = token_client("liuhe").put(url, data, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200 and r.json()["title"] == "改名的事项" and r.json()["version"] == item.version + 1
    assert r["ETag"] == f'"industry.agreeditem-{item.pk}-v{item.version + 1}"'
    r = token_client("huangyuan").put(url, data | {"title": "旧版本覆盖"}, content_type="application/json",
                                      HTTP_IF_MATCH=etag)
    assert r.status_code == 412 and "已被他人修改" in r.json()["detail"]
    item.refresh_from_db()
    assert item.title == "改名的事项" and item.deadline == D(2023, 3, 31)
    r = token_client("liuhe").put(url, data | {"deadline": "2022-01-01"}, content_type="application/json",
                                  HTTP_IF_MATCH=f'"industry.agreeditem-{item.pk}-v{item.version}"')
    assert r.status_code == 422 and r.json()["errors"]["deadline"] == ["完成时限不能早于来源会议的日期"]


def test_status_change_and_notes(county):
    item = AgreedItem.objects.get(pairing=county, title="新能源开发合作")
    r = api_checklist(f"/api/v1/industry/items/{item.pk}/status", method="post", json={"status": "in_progress"},
                      headers={"If-Match": etag_of(item)})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    item.refresh_from_db()
    r = token_client("liuhe").post(f"/api/v1/industry/items/{item.pk}/status", {"status": "not_started"},
                                   content_type="application/json", HTTP_IF_MATCH=etag_of(item))
    assert r.status_code == 422 and r.json()["errors"]["status"] == ["事项当前为“推进中”，不能直接改为“未启动”"]
    with time_machine.travel("2023-05-01 10:00 +0800", tick=False):
        r = api_checklist(f"/api/v1/industry/items/{item.pk}/notes", method="post",
                          json={"text": "完成可研报告", "date": "2023-04-30"})
        assert r.status_code == 201
        r = token_client("liuhe").post(f"/api/v1/industry/items/{item.pk}/notes", {"text": "", "date": "2023-04-30"},
                                       content_type="application/json")
        assert r.status_code == 422 and r.json()["errors"]["text"] == ["请填写进展情况"]
    notes = api_checklist(f"/api/v1/industry/items/{item.pk}/notes").json()
    # In date order: the back-dated note comes before today's status change.
    assert [n["text"] for n in notes] == ["完成可研报告", "状态由“未启动”改为“推进中”"]
    assert notes[1]["status_to"] == "in_progress" and notes[1]["author"] == "六合区协作办"


def test_investment_may_name_its_enterprise_by_code(county, firm):
    url = f"/api/v1/pairings/{county.pk}/industry/investments"
    body = {k: v for k, v in payload("investments", firm).items() if k != "enterprise"}
    r = token_client("liuhe").post(url, body | {"enterprise_uscc": firm.uscc.lower()}, content_type="application/json")
    assert r.status_code == 201 and r.json()["enterprise"] == firm.pk
    bad = firm.uscc[:17] + ("1" if firm.uscc.endswith("0") else "0")
    r = token_client("liuhe").post(url, body | {"enterprise_uscc": bad}, content_type="application/json")
    assert r.status_code == 422 and "统一社会信用代码校验位错误" in r.json()["errors"]["enterprise_uscc"][0]
    from lib.ids import make_uscc

    unknown = make_uscc("91320116MA27T0099")
    r = token_client("liuhe").post(url, body | {"enterprise_uscc": unknown}, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"]["enterprise_uscc"] == [f"未找到统一社会信用代码为{unknown}的单位，请先登记单位"]


def test_items_overdue_filter(county):
    with time_machine.travel("2023-01-02 09:00 +0800", tick=False):
        rows = api_checklist(f"/api/v1/pairings/{county.pk}/industry/items?year=2022&overdue=true").json()
    assert rows and all(r["overdue"] for r in rows)
    assert {r["title"] for r in rows} == {"定期开展党政主要负责同志互访",
                                          "鼓励引导企业家、行业协会、社团组织等社会力量参与协作",
                                          "提升湟源特色农畜品牌在南京的知名度、美誉度"}
