"""The labour JSON API: the permission checklist, masked personal data,
the audited reveal, and the figures of the demo pairing."""

import pytest

from xiezuo.audit.models import AuditEvent
from xiezuo.labour.models import Employment, LabourYearRule, Person, TalentExchange, TrainingClass
from xiezuo.pairings.models import Organisation, Region

from ..checklist import api_checklist, token_client
from .conftest import RAW_ID, RAW_PHONE

pytestmark = pytest.mark.django_db
MASKED_ID = "6301**********1237"


def test_figures_2021_2022_of_the_demo_pairing(county):
    r = api_checklist(f"/api/v1/pairings/{county.pk}/figures?from=2021&to=2022")
    data = r.json()
    assert data["labour"]["training_classes"] == 3
    assert data["labour"]["trainees"] == 150
    assert data["talent"]["sanzhi_person_times"] == 31
    assert set(data["labour"]) >= {"employed", "employed_new", "employed_kept", "employed_poverty", "employed_stable",
                                   "by_destination", "by_form"}
    assert set(data["talent"]) >= {"persons", "person_times", "by_kind", "by_direction", "cadres", "professionals",
                                   "cadres_arrived", "cadres_e2w", "cadres_w2e", "professionals_arrived_w2e"}
    assert set(data["labour"]["by_destination"]) == {"paired_province", "other_province", "in_province", "in_county"}
    assert sum(data["labour"]["by_destination"].values()) == data["labour"]["employed"] == 20
    # One year at a time: the first class in 2021, two in 2022.
    assert token_client("liuhe").get(f"/api/v1/pairings/{county.pk}/figures?year=2021").json()["labour"][
        "training_classes"] == 1


def test_people_list_and_create_masked(county):
    url = f"/api/v1/labour/pairings/{county.pk}/people"
    rows = api_checklist(url + "?q=示例学员00").json()
    assert len(rows) == 9 and rows[0]["id_number_masked"].startswith("6301**********")
    assert "id_number" not in rows[0] and "id_number_enc" not in rows[0]
    body = {"name": "接口人员", "id_number": RAW_ID.lower(), "phone": RAW_PHONE, "household_type": "poverty",
            "township": Region.objects.get(name="大华镇").pk}
    r = api_checklist(url, method="post", json=body)
    assert r.status_code == 201, r.content
    assert r.json()["id_number_masked"] == MASKED_ID and r.json()["gender"] == "男"
    assert RAW_ID.encode() not in r.content and RAW_PHONE.encode() not in r.content
    # A token caller's change is recorded under the caller's name.
    event = AuditEvent.objects.get(model="labour.Person", object_id=str(r.json()["id"]), action="create")
    assert event.actor_name == "liuhe"
    # A second time is refused naming the first.
    r = token_client("liuhe").post(url, body, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"]["id_number"][0].startswith("身份证号与已登记人员“接口人员”（6301**********1237")


def test_people_create_refuses_bad_numbers_with_field_messages(county):
    url = f"/api/v1/labour/pairings/{county.pk}/people"
    r = token_client("liuhe").post(url, {"name": "接口人员", "id_number": RAW_ID[:17], "phone": "123"},
                                   content_type="application/json")
    assert r.status_code == 422
    assert r.json()["errors"] == {"id_number": ["身份证号应为18位，实际为17位"],
                                  "phone": ["联系电话应为11位手机号码（如13912345678）或带区号的固定电话（如0972-1234567）"]}
    assert not Person.objects.filter(name="接口人员").exists()


def test_person_detail_and_lookup(county):
    person = Person.objects.get(name="示例学员001")
    data = api_checklist(f"/api/v1/labour/people/{person.pk}").json()
    assert data["trainings"][0]["name"] == "东西部协作劳动技术培训班（第一期）"
    assert len(data["jobs"]) == 1 and data["jobs"][0]["monthly_income"].endswith(".00")
    raw = person.reveal_id_number()
    r = api_checklist(f"/api/v1/labour/pairings/{county.pk}/people/lookup", method="post",
                      json={"id_number": raw}, read_only=None)
    assert r.json()["id"] == person.pk and raw.encode() not in r.content
    r = token_client("lingdao").post(f"/api/v1/labour/pairings/{county.pk}/people/lookup", {"id_number": "1"},
                                     content_type="application/json")
    assert r.status_code == 422 and "身份证号应为18位" in r.json()["errors"]["id_number"][0]


def test_reveal_endpoint_for_pii_role_only_and_audited(county):
    person = Person.objects.get(name="示例学员002")
    url = f"/api/v1/labour/people/{person.pk}/reveal"
    before = AuditEvent.objects.filter(action="view_pii").count()
    r = api_checklist(url, method="post", allowed="huangyuan")
    assert r.status_code == 200 and r.json()["id_number"] == person.reveal_id_number()
    assert token_client("liuhe").post(url).status_code == 403
    assert AuditEvent.objects.filter(action="view_pii").count() == before + 1
    event = AuditEvent.objects.filter(action="view_pii").first()
    assert event.object_id == str(person.pk) and event.actor_name == "huangyuan"


def test_classes_api(county):
    url = f"/api/v1/labour/pairings/{county.pk}/classes"
    rows = api_checklist(url + "?year=2022").json()
    assert sorted(r["trainees"] for r in rows) == [50, 50] and all(r["is_demo"] for r in rows)
    tc = TrainingClass.objects.get(name="东西部协作劳动技术培训班（第一期）")
    detail = api_checklist(f"/api/v1/labour/classes/{tc.pk}").json()
    assert len(detail["roster"]) == 50 and detail["certified"] == 40
    body = {"name": "接口培训班", "trade": "挖掘机", "start": "2023-03-01", "end": "2023-03-10", "days": 10}
    r = api_checklist(url, method="post", json=body)
    assert r.status_code == 201, r.content
    new = TrainingClass.objects.get(name="接口培训班")
    bad = {**body, "days": 11}
    r = token_client("liuhe").post(url, bad, content_type="application/json")
    assert r.status_code == 422 and "培训天数不能超过" in r.json()["errors"]["days"][0]
    person = Person.objects.get(name="示例学员003")
    r = api_checklist(f"/api/v1/labour/classes/{new.pk}/trainees", method="post",
                      json={"person": person.pk, "certificate": True, "certificate_name": "挖掘机操作证"})
    assert r.status_code == 201 and r.json()["id_number_masked"] == person.id_number_masked
    r = token_client("outsider").post(f"/api/v1/labour/classes/{new.pk}/trainees", {"person": person.pk},
                                      content_type="application/json")
    assert r.status_code == 404


def test_employments_api(county, foreign, person_factory):
    url = f"/api/v1/labour/pairings/{county.pk}/employments"
    rows = api_checklist(url + "?destination=paired_province").json()
    assert len(rows) == 7 and {r["destination"] for r in rows} == {"paired_province"}
    job = Employment.objects.filter(pairing=county).first()
    assert api_checklist(f"/api/v1/labour/employments/{job.pk}").json()["id"] == job.pk
    person = Person.objects.get(name="示例学员030")
    body = {"person": person.pk, "destination": "in_county", "form": "public_post", "start": "2023-01-01",
            "monthly_income": "1800.5"}
    r = token_client("liuhe").post(url, {**body, "destination": "east"}, content_type="application/json")
    assert r.status_code == 422  # the old code is not a destination any more
    r = api_checklist(url, method="post", json=body)
    assert r.status_code == 201 and r.json()["monthly_income"] == "1800.50"
    stranger = person_factory(foreign, name="外部人员", id_number=RAW_ID)
    r = token_client("liuhe").post(url, {**body, "person": stranger.pk}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"]["person"] == [f"编号{stranger.pk}不存在或无权使用"]


def test_exchanges_api(county):
    url = f"/api/v1/labour/pairings/{county.pk}/exchanges"
    rows = api_checklist(url + "?kind=sanzhi&year=2021").json()
    assert len(rows) == 14
    row = TalentExchange.objects.filter(pairing__path__startswith=county.path).first()
    assert api_checklist(f"/api/v1/labour/exchanges/{row.pk}").json()["kind"] == row.kind
    orgs = Organisation.objects
    body = {"person_name": "接口挂职干部", "kind": "cadre", "direction": "w2e",
            "sending_unit": orgs.get(name="湟源县东西部协作办公室").pk,
            "receiving_unit": orgs.get(name="南京市六合区东西部协作办公室").pk, "start": "2023-03-01",
            "end": "2024-02-29", "post": "挂职副主任"}
    r = api_checklist(url, method="post", json=body)
    assert r.status_code == 201, r.content
    assert Person.objects.get(name="接口挂职干部").unit.name == "湟源县东西部协作办公室"
    r = token_client("liuhe").post(url, {**body, "person_name": ""}, content_type="application/json")
    assert r.status_code == 422 and "person" in r.json()["errors"]


def test_settings_api_needs_login():
    r = api_checklist("/api/v1/labour/settings", outsider=None)
    assert r.json() == {"long_term_months": 6, "days_per_month": 30, "default_stable_months": 3, "years": []}
    LabourYearRule.objects.create(year=2022, stable_months=4, poverty_includes_monitored=False, note="示例文件")
    assert token_client("liuhe").get("/api/v1/labour/settings").json()["years"] == [
        {"year": 2022, "saved": True, "stable_months": 4, "stable_days": 120, "poverty_includes_monitored": False,
         "note": "示例文件"}]


def test_updates_need_the_etag_and_keep_numbers_left_blank(county):
    person = Person.objects.get(name="示例学员010")
    raw = person.reveal_id_number()
    url = f"/api/v1/labour/people/{person.pk}"
    body = {"name": "示例学员010改", "household_type": "general", "id_number": "", "phone": RAW_PHONE}
    # The checklist's callers send no If-Match: the allowed one is told so.
    r = api_checklist(url, method="put", json=body)
    assert r.status_code == 428 and "If-Match" in r.json()["detail"]
    c = token_client("liuhe")
    etag = c.get(url)["ETag"]
    r = c.put(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200, r.content
    assert r.json()["name"] == "示例学员010改" and r.json()["phone_masked"] == "139****3456"
    assert r["ETag"] != etag and RAW_PHONE.encode() not in r.content
    person.refresh_from_db()
    assert person.reveal_id_number() == raw and person.version == 2
    # A second writer still holding the old ETag is refused, nothing overwritten.
    r = c.put(url, {**body, "name": "覆盖"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 412
    person.refresh_from_db()
    assert person.name == "示例学员010改"
    event = AuditEvent.objects.filter(model="labour.Person", object_id=str(person.pk), action="update").first()
    assert event.actor_name == "liuhe" and raw not in str(event.payload())


def test_update_class_employment_exchange_and_remove_trainee(county):
    c = token_client("huangyuan")
    tc = TrainingClass.objects.get(name="东西部协作劳动技术培训班（第三期）")
    url = f"/api/v1/labour/classes/{tc.pk}"
    body = {"name": tc.name, "trade": "电工（低压）", "start": "2022-09-05", "end": "2022-09-19", "days": 15}
    r = c.put(url, body, content_type="application/json", HTTP_IF_MATCH=c.get(url)["ETag"])
    assert r.status_code == 200 and r.json()["trade"] == "电工（低压）" and r.json()["trainees"] == 50

    job = Employment.objects.filter(pairing=county, end__isnull=True).first()
    url = f"/api/v1/labour/employments/{job.pk}"
    current = c.get(url)
    body = {**{k: current.json()[k] for k in ("person", "destination", "form", "employer", "place", "start")},
            "end": "2022-01-01", "monthly_income": "100"}
    r = c.put(url, body, content_type="application/json", HTTP_IF_MATCH=current["ETag"])
    assert r.status_code == 422 and r.json()["errors"]["end"] == ["结束日期不能早于开始日期"]
    r = c.put(url, {**body, "end": "2023-12-31"}, content_type="application/json", HTTP_IF_MATCH=current["ETag"])
    assert r.status_code == 200 and r.json()["end"] == "2023-12-31" and r.json()["monthly_income"] == "100.00"

    row = TalentExchange.objects.get(person__name="示例医疗专家12")
    url = f"/api/v1/labour/exchanges/{row.pk}"
    current = c.get(url)
    body = {k: current.json()[k] for k in ("kind", "direction", "sending_unit", "receiving_unit", "batch", "start",
                                           "end", "post", "specialty")}
    r = c.put(url, {**body, "post": "护理部指导"}, content_type="application/json", HTTP_IF_MATCH=current["ETag"])
    assert r.status_code == 200 and r.json()["post"] == "护理部指导" and r.json()["person"] == row.person_id

    trainee = tc.trainees.first()
    r = api_checklist(f"/api/v1/labour/trainees/{trainee.pk}", method="delete")
    assert r.status_code == 204 and not tc.trainees.filter(pk=trainee.pk).exists()
