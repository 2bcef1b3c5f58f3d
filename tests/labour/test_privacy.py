"""The raw 身份证号 and phone appear nowhere for a role without the right:
not in the database file, a text column, the audit trail, a page, an API
response, a log line or an export. Only the "pii" role sees them, and each
time leaves an audit event."""

import csv
import hashlib
import io
import logging

import pytest
from django.db import connection, models
from django.db.models.functions import Cast
from django.urls import reverse

from xiezuo.audit.models import AuditEvent
from xiezuo.labour.demo import demo_id_number
from xiezuo.labour.models import Employment, LabourSettings, Person, TalentExchange, Trainee, TrainingClass

from ..checklist import login, token_client
from ..file_database import run_on_file_database
from .conftest import RAW_ID, RAW_PHONE

pytestmark = pytest.mark.django_db
MASKED_ID = "6301**********1237"
WITHOUT_PII = ("liuhe", "lingdao", "shenji", "yiyuan")


def enter_person_as_east_office(county, demo_class):
    """Do what an east-office user does: register a person with the number
    and phone, put them on a roster and record a job."""
    c = login("liuhe")
    r = c.post(reverse("labour_person_create", args=[county.pk]),
               {"name": "隐私测试人员", "id_number": RAW_ID, "phone": RAW_PHONE, "household_type": "poverty"})
    assert r.status_code == 302
    person = Person.objects.get(name="隐私测试人员")
    assert c.post(reverse("labour_trainee_add", args=[demo_class.pk]), {"person": person.pk}).status_code == 302
    r = c.post(reverse("labour_employment_create", args=[county.pk]),
               {"person": person.pk, "destination": "paired_province", "form": "enterprise", "start": "2022-03-01"})
    assert r.status_code == 302
    return person


def test_sqlite_database_file_never_holds_a_plain_number(tmp_path):
    """Run migrate, the demo and the real page flows in a separate process on
    a file database, then read the bytes of the file (and its WAL) on disk."""
    data, output = run_on_file_database(f"""
        from django.core.management import call_command
        from django.db import connection
        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0)
        assert connection.vendor == "sqlite" and str(connection.settings_dict["NAME"]).startswith({str(tmp_path)!r})
        from django.test import Client
        from xiezuo.accounts.models import User
        from xiezuo.labour.models import Person, TrainingClass
        from xiezuo.pairings.models import Pairing
        county = Pairing.objects.get(level="county", parent=None, east_region__name="六合区")
        east, west = Client(), Client()
        east.force_login(User.objects.get(username="liuhe"))
        west.force_login(User.objects.get(username="huangyuan"))
        r = east.post(f"/pairings/{{county.pk}}/labour/people/new/",
                      {{"name": "文件测试人员", "id_number": "{RAW_ID}", "phone": "{RAW_PHONE}",
                        "household_type": "poverty"}})
        assert r.status_code == 302, r.content
        person = Person.objects.get(name="文件测试人员")
        r = east.post(f"/labour/people/{{person.pk}}/edit/", {{"name": "文件测试人员", "id_number": "{RAW_ID}",
                      "phone": "{RAW_PHONE}", "household_type": "general", "loaded_version": 1}})
        assert r.status_code == 302, r.content
        assert west.post(f"/labour/people/{{person.pk}}/reveal/").status_code == 200
        tc = TrainingClass.objects.order_by("pk").first()
        assert "{demo_id_number(1)}" in west.get(f"/labour/classes/{{tc.pk}}/roster.csv").content.decode("utf-8-sig")
        connection.close()
        print("done")
    """, tmp_path, "file-test-key-" + "k" * 40)
    # The check reads real data: names and masked numbers are there.
    assert "文件测试人员".encode() in data and "示例学员150".encode() in data and MASKED_ID.encode() in data
    for raw in [RAW_ID, RAW_PHONE, *(demo_id_number(i) for i in range(1, 151))]:
        assert raw.encode() not in data, raw
    assert hashlib.sha256(RAW_ID.encode()).hexdigest().encode() not in data
    # Nor did the process print them.
    assert RAW_ID not in output


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def test_no_text_column_of_labour_or_audit_tables_holds_a_plain_number(county, demo_class):
    person = enter_person_as_east_office(county, demo_class)
    assert login("huangyuan").post(reverse("labour_person_reveal", args=[person.pk])).status_code == 200
    assert login("huangyuan").get(reverse("labour_roster_export", args=[demo_class.pk])).status_code == 200
    checked = 0
    for model in (Person, TrainingClass, Trainee, Employment, TalentExchange, LabourSettings, AuditEvent):
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            as_text = model.objects.annotate(t=Cast(field.name, models.TextField()))
            for raw in (RAW_ID, RAW_PHONE, demo_id_number(1)):
                assert not as_text.filter(t__contains=raw).exists(), (model.__name__, field.name, raw)
            checked += 1
    assert checked >= 30
    # The audit trail does say what happened, with the masked number.
    as_text = AuditEvent.objects.annotate(t=Cast("after", models.TextField()))
    assert as_text.filter(model="labour.Person", object_id=str(person.pk), t__contains=MASKED_ID).exists()


def test_pages_api_exports_and_logs_never_show_the_number_to_roles_without_pii(county, demo_class, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")  # Django's own default is INFO
    # Log every SQL statement with its parameters as well.
    connection.force_debug_cursor = True
    try:
        person = enter_person_as_east_office(county, demo_class)
        job = Employment.objects.get(person=person)
        pages = [
            reverse("labour_person_list", args=[county.pk]) + "?q=隐私",
            reverse("labour_person_detail", args=[person.pk]),
            reverse("labour_person_edit", args=[person.pk]),
            reverse("labour_class_detail", args=[demo_class.pk]),
            reverse("labour_roster_export", args=[demo_class.pk]),
            reverse("labour_employment_list", args=[county.pk]),
            reverse("labour_employment_detail", args=[job.pk]),
            reverse("labour_overview", args=[county.pk]),
            reverse("audit_list") + "?model=Person",
        ]
        api = [
            f"/api/v1/labour/pairings/{county.pk}/people?q=隐私",
            f"/api/v1/labour/people/{person.pk}",
            f"/api/v1/labour/classes/{demo_class.pk}",
            f"/api/v1/labour/pairings/{county.pk}/employments",
        ]
        bodies = []
        for user in WITHOUT_PII:
            c, t = login(user), token_client(user)
            bodies += [c.get(url).content for url in pages]
            bodies += [t.get(url).content for url in api]
            r = t.post(f"/api/v1/labour/pairings/{county.pk}/people/lookup", {"id_number": RAW_ID},
                       content_type="application/json")
            # The implementing unit reads no labour register: nothing is found.
            unit = user == "yiyuan"
            assert r.status_code == 404 if unit else r.json()["id_number_masked"] == MASKED_ID
            bodies.append(r.content)
            for r in (c.post(reverse("labour_person_reveal", args=[person.pk])),
                      t.post(f"/api/v1/labour/people/{person.pk}/reveal")):
                assert r.status_code == (404 if unit else 403)
                bodies.append(r.content)
        joined = b"\n".join(bodies)
        assert MASKED_ID.encode() in joined and "139****3456".encode() in joined
        for raw in (RAW_ID, RAW_PHONE, demo_id_number(1)):
            assert raw.encode() not in joined, raw
        assert 'INSERT INTO "labour_person"' in caplog.text  # SQL was logged, with parameters
        for raw in (RAW_ID, RAW_PHONE, demo_id_number(1)):
            assert raw not in caplog.text, raw
    finally:
        connection.force_debug_cursor = False


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_roster_export_masks_for_east_office_and_records_export_pii(county, demo_class):
    url = reverse("labour_roster_export", args=[demo_class.pk])
    from ..checklist import page_checklist

    r = page_checklist(url)
    rows = read_csv(r)
    assert rows[0][:4] == ["序号", "姓名", "性别", "身份证号"] and len(rows) == 51
    assert rows[1][1] == "示例学员001" and rows[1][3] == demo_id_number(1)[:4] + "**********" + demo_id_number(1)[-4:]
    assert demo_id_number(1).encode() not in r.content
    assert "attachment" in r["Content-Disposition"] and "no-store" in r["Cache-Control"]
    event = AuditEvent.objects.filter(action="export_pii", actor_name="liuhe").first()
    assert event.summary == "导出培训班名单：东西部协作劳动技术培训班（第一期）（50人，号码已脱敏）"
    assert event.pairing_id == county.pk and event.after == {"rows": 50, "full_numbers": False}


def test_roster_export_has_full_numbers_for_west_office_and_records_it(county, demo_class):
    before = AuditEvent.objects.filter(action="export_pii").count()
    r = login("huangyuan").get(reverse("labour_roster_export", args=[demo_class.pk]))
    rows = read_csv(r)
    assert {row[3] for row in rows[1:]} == {demo_id_number(i) for i in range(1, 51)}
    assert AuditEvent.objects.filter(action="export_pii").count() == before + 1
    event = AuditEvent.objects.filter(action="export_pii").first()
    assert event.actor_name == "huangyuan" and "含完整身份证号和电话" in event.summary
    assert demo_id_number(1) not in str(event.payload())
