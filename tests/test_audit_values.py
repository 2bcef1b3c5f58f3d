"""What an audit event holds: values turned into JSON the same way on every
database, masked and left-out fields, the place an event is filed under,
and the events of a bulk insert equal to those of one save at a time."""

import datetime
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.db.models.fields.files import FieldFile

from xiezuo.audit.context import acting_as
from xiezuo.audit.models import (
    AuditEvent,
    audit_pairing_id,
    audit_region_path,
    jsonable,
    masks_of,
    record,
    record_created,
    record_for,
    record_many,
    snapshot,
    verify_chain,
)
from xiezuo.labour.models import Person
from xiezuo.ledgers.models import ImportJob
from xiezuo.pairings.models import Agreement, Organisation, Region

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def test_jsonable_gives_the_same_json_for_every_kind_of_value():
    assert [jsonable(v) for v in (None, True, False, 0, 7, "文字")] == [None, True, False, 0, 7, "文字"]
    assert jsonable(True) is True and jsonable(0) == 0
    assert jsonable(Decimal("1.50")) == "1.50"
    assert jsonable(0.1) == "0.1" and jsonable(1e16) == "1e+16"
    assert jsonable(datetime.datetime(2022, 6, 26, 8, 30, tzinfo=SHANGHAI)) == "2022-06-26T00:30:00+00:00"
    assert jsonable(datetime.date(2022, 6, 26)) == "2022-06-26"
    assert jsonable(datetime.time(8, 5)) == "08:05:00"
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert jsonable(u) == "12345678-1234-5678-1234-567812345678"
    file_field = ImportJob._meta.get_field("file")
    assert jsonable(FieldFile(None, file_field, "uploads/a.xlsx")) == "uploads/a.xlsx"
    assert jsonable(FieldFile(None, file_field, "")) is None
    assert jsonable([Decimal("2"), (datetime.date(2022, 1, 2), None)]) == ["2", ["2022-01-02", None]]
    assert jsonable({1: Decimal("3.0"), "k": {"d": datetime.date(2022, 1, 2)}}) == {"1": "3.0", "k": {"d": "2022-01-02"}}
    assert jsonable(b"\x00\x01") == "<binary>" and jsonable(memoryview(b"ab")) == "<binary>"

    class Named:
        def __str__(self):
            return "名字"

    assert jsonable(Named()) == "名字"


def test_snapshot_leaves_out_and_masks_what_the_model_says(county):
    person = Person(pairing=county, name="快照人员", household_type="general")
    person.set_id_number("630123199001011237")
    person.set_phone("13997123456")
    data = snapshot(person)
    assert "id_number_enc" not in data and "phone_enc" not in data
    assert data["birth_date"] == "1990年代" and data["id_number_masked"] == "6301**********1237"
    assert data["phone_masked"] == "139****3456" and data["pairing_id"] == county.pk and data["name"] == "快照人员"
    assert data["id_number_hash"] == person.id_number_hash
    # An empty value is not handed to the mask.
    person.birth_date = None
    assert snapshot(person)["birth_date"] is None
    # Left out by field name or by column name (attname).
    org = Organisation.objects.get(name="湟源县人民医院")
    org.audit_exclude = ("region", "legal_rep")
    assert "region_id" not in snapshot(org) and "legal_rep" not in snapshot(org) and snapshot(org)["name"]
    org.audit_exclude = ("region_id",)
    assert "region_id" not in snapshot(org) and "legal_rep" in snapshot(org)
    org.audit_masks = {"name": lambda v: v[:2] + "…", "legal_rep": lambda v: "masked"}
    org.legal_rep = ""
    assert snapshot(org)["name"] == "湟源…" and snapshot(org)["legal_rep"] == ""


def test_changed_fields_are_sorted_unchanged_ones_dropped_and_masked_again():
    event = AuditEvent(model="labour.Person",
                       before={"name": "甲", "birth_date": "1990-01-01", "note": "", "id_number_masked": "630123********1237"},
                       after={"name": "乙", "birth_date": "1991-05-05", "note": "", "phone_masked": "139****3456"})
    assert event.changed_fields() == [
        ("birth_date", "1990年代", "1990年代"),
        ("id_number_masked", "6301**********1237", None),
        ("name", "甲", "乙"),
        ("phone_masked", None, "139****3456"),
    ]
    created = AuditEvent(model="pairings.Organisation", before=None, after={"name": "新单位", "legal_rep": ""})
    assert created.changed_fields() == [("legal_rep", None, ""), ("name", None, "新单位")]
    deleted = AuditEvent(model="no-such-model", before={"a": 1}, after=None)
    assert deleted.changed_fields() == [("a", 1, None)]


def test_masks_of():
    assert masks_of("labour.Person") is Person.audit_masks
    assert masks_of("pairings.Organisation") == {}
    assert masks_of("nothing.Here") == {} and masks_of("no-dot") == {} and masks_of("") == {}


def test_an_event_holds_the_actor_and_the_values_as_given(county, users):
    long_name = "名" * 200
    with time_machine.travel(datetime.datetime(2022, 6, 26, 1, 2, 3, 987654, tzinfo=datetime.timezone.utc),
                             tick=False):
        with acting_as(users["liuhe"], username=long_name):
            event = record("admin", model="pairings.Pairing", object_id=None, pairing_id=county.pk,
                           summary="摘" * 600, before={"amount": Decimal("1.50")},
                           after={"on": datetime.date(2022, 6, 26)}, region_path="/9/")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.at == datetime.datetime(2022, 6, 26, 1, 2, 3, 987000, tzinfo=datetime.timezone.utc)
    assert stored.actor_id == users["liuhe"].pk and stored.actor_name == "名" * 150 and stored.ip == ""
    assert stored.object_id == "" and stored.pairing_id == county.pk and stored.region_path == ""
    assert stored.summary == "摘" * 500 and stored.before == {"amount": "1.50"} and stored.after == {"on": "2022-06-26"}
    assert stored.hash == stored.compute_hash() and str(stored) == f"#{stored.seq} admin pairings.Pairing:"
    unfiled = record("admin", model="pairings.Region", object_id=7, region_path="/9/")
    assert (unfiled.object_id, unfiled.region_path, unfiled.pairing_id) == ("7", "/9/", None)
    assert set(AuditEvent.objects.for_pairings([county.pk])) >= {stored}
    assert unfiled not in set(AuditEvent.objects.for_pairings([county.pk]))
    assert verify_chain()[2] == ""


def test_where_an_event_is_filed(county):
    org = Organisation.objects.get(name="湟源县人民医院")
    region = Region.objects.get(name="湟源县")
    agreement = Agreement.objects.filter(pairing=county).first()
    assert audit_region_path(org) == org.region.path and audit_pairing_id(org) is None
    assert audit_region_path(region) == region.path
    assert audit_pairing_id(agreement) == county.pk
    org.region = None
    assert audit_region_path(org) == ""
    assert audit_region_path(object()) == "" and audit_pairing_id(object()) is None

    class NoPath:
        region_id = 1

        def audit_region_path(self):
            return None

    class OwnRegion:
        region_id = 1

    class RegionWithoutId:
        pass

    no_path, own, without_id = NoPath(), OwnRegion(), RegionWithoutId()
    no_path.region = own.region = without_id.region = region
    assert audit_region_path(no_path) == "" and audit_region_path(own) == region.path
    assert audit_region_path(without_id) == ""


def test_a_records_own_pairing_wins_over_its_pairing_attribute(county):
    # A pairing files its events under itself: it has no `pairing_id`, only
    # its own `audit_pairing_id()`.
    assert not hasattr(county, "pairing_id") and audit_pairing_id(county) == county.pk

    class Own:
        pairing_id = 5

        def audit_pairing_id(self):
            return 9

    class NotCallable:
        pairing_id = 5
        audit_pairing_id = 9

    assert audit_pairing_id(Own()) == 9 and audit_pairing_id(NotCallable()) == 5
    event = record_for(county, "update")
    assert (event.pairing_id, event.region_path) == (county.pk, "")
    (created,) = record_created([county])
    assert (created.pairing_id, created.region_path) == (county.pk, "")
    # A record of a pairing that also has a region of its own is filed under
    # the pairing alone: its region is never read.
    agreement = Agreement.objects.filter(pairing=county).first()
    agreement.audit_region_path = lambda: "/9/"
    assert audit_region_path(agreement) == "/9/"
    event = record_for(agreement, "update")
    (created,) = record_created([agreement])
    assert (event.pairing_id, event.region_path) == (created.pairing_id, created.region_path) == (county.pk, "")


def test_record_for_files_and_names_the_event(county):
    org = Organisation.objects.get(name="湟源县人民医院")
    event = record_for(org, "update", before={"a": 1}, after={"a": 2})
    assert (event.model, event.object_id, event.pairing_id) == ("pairings.Organisation", str(org.pk), None)
    assert event.region_path == org.region.path and event.summary == str(org)
    assert event.before == {"a": 1} and event.after == {"a": 2}
    agreement = Agreement.objects.filter(pairing=county).first()
    event = record_for(agreement, "workflow", summary="审定")
    assert (event.pairing_id, event.region_path, event.summary) == (county.pk, "", "审定")
    agreement.title = "长" * 600
    assert record_for(agreement, "update").summary == str(agreement)[:500]


def test_events_of_a_bulk_insert_equal_those_of_one_save_at_a_time(county):
    region = Region.objects.get(name="湟源县")
    saved = Organisation(name="逐个保存的单位（示例）", kind="enterprise", region=region)
    saved.save()
    one = AuditEvent.objects.get(model="pairings.Organisation", object_id=str(saved.pk))
    bulk = Organisation.objects.bulk_create([
        Organisation(name="批量保存的单位（示例）", kind="enterprise", region=region),
        Organisation(name="批量保存的单位二（示例）", kind="enterprise", region=Region.objects.get(name="六合区")),
    ])
    events = record_created(bulk)
    assert [e.action for e in events] == ["create", "create"]
    first, second = (AuditEvent.objects.get(seq=e.seq) for e in events)
    assert (first.model, first.object_id, first.pairing_id) == ("pairings.Organisation", str(bulk[0].pk), None)
    assert first.region_path == one.region_path == region.path and second.region_path == bulk[1].region.path
    assert first.summary == str(bulk[0]) and first.before is None
    assert first.after == snapshot(bulk[0]) and set(first.after) == set(one.after)
    assert {k: v for k, v in first.after.items() if k not in ("id", "name", "version")} == {
        k: v for k, v in one.after.items() if k not in ("id", "name", "version")}
    assert second.seq == first.seq + 1 and second.prev_hash == first.hash
    agreements = Agreement.objects.bulk_create([Agreement(pairing=county, year=2031, title="批量协议")])
    (event,) = record_created(agreements)
    assert (event.pairing_id, event.region_path) == (county.pk, "")
    assert record_created([]) == []
    assert verify_chain()[2] == ""


def test_events_inserted_together_read_back_whole(county):
    # record_many inserts in one statement (COPY on PostgreSQL): the values
    # before and after, and their absence, come back as they were hashed.
    events = record_many([
        ("update", {"model": "tests.Probe", "object_id": 1, "pairing_id": county.pk, "summary": "改",
                    "before": {"amount": "1.00"}, "after": {"amount": "2.00", "名称": "二"}}),
        ("delete", {"model": "tests.Probe", "object_id": 2, "pairing_id": county.pk,
                    "before": {"items": [1, "二", None]}, "after": None}),
        ("create", {"model": "tests.Probe", "object_id": 3, "pairing_id": county.pk, "after": {"n": 3}}),
    ])
    stored = [AuditEvent.objects.get(seq=e.seq) for e in events]
    assert [(s.before, s.after) for s in stored] == [
        ({"amount": "1.00"}, {"amount": "2.00", "名称": "二"}), ({"items": [1, "二", None]}, None), (None, {"n": 3})]
    assert [s.hash for s in stored] == [e.hash for e in events] == [s.compute_hash() for s in stored]
    assert verify_chain()[2] == ""


def test_an_empty_chain_without_a_head_verifies():
    from xiezuo.audit.models import AuditHead

    AuditEvent.objects.all().delete()
    AuditHead.objects.all().delete()
    assert verify_chain() == (0, None, "")
    first = record("admin", summary="第一条")
    assert (first.seq, first.prev_hash) == (1, "0" * 64)
    assert verify_chain() == (1, None, "")
