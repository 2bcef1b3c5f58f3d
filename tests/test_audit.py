"""The tamper-evident audit trail."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from xiezuo.audit.context import acting_as
from xiezuo.audit.models import AuditEvent, record, record_many, verify_chain
from xiezuo.pairings.models import Organisation, Region

from .checklist import login, page_checklist

pytestmark = pytest.mark.django_db


def verify():
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_intact_chain_reports_count():
    n = AuditEvent.objects.count()
    assert n > 20
    assert verify() == f"审计链完整：共{n}条事件。\n"


def test_update_records_who_where_before_and_after(users):
    org = Organisation.objects.get(name="湟源县人民医院")
    with acting_as(users["huangyuan"], ip="10.1.2.3"):
        org.legal_rep = "示例院长"
        org.save()
    event = AuditEvent.objects.filter(model="pairings.Organisation", object_id=str(org.pk)).first()
    assert (event.action, event.actor_name, event.ip) == ("update", "huangyuan", "10.1.2.3")
    assert event.changed_fields() == [("legal_rep", "", "示例院长")]


def test_delete_records_the_last_values(users):
    org = Organisation.objects.create(name="临时单位", kind="other", region=Region.objects.get(name="大华镇"))
    pk = org.pk
    org.delete()
    event = AuditEvent.objects.filter(model="pairings.Organisation", object_id=str(pk)).first()
    assert event.action == "delete" and event.before["name"] == "临时单位" and event.after is None


def test_request_address_is_recorded(county):
    data = {"name": "示例单位", "kind": "other", "region": Region.objects.get(name="大华镇").pk}
    login("huangyuan").post(reverse("organisation_create"), data, REMOTE_ADDR="192.0.2.7")
    event = AuditEvent.objects.filter(model="pairings.Organisation").first()
    assert (event.actor_name, event.ip, event.after["name"]) == ("huangyuan", "192.0.2.7", "示例单位")


def test_editing_an_event_behind_the_orm_is_detected():
    target = AuditEvent.objects.order_by("seq")[5]
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["mallory", target.pk])
    with pytest.raises(CommandError, match=f"第{target.seq}条事件.*内容与哈希不符"):
        verify()


def test_deleting_an_event_is_detected():
    target = AuditEvent.objects.order_by("seq")[3]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    with pytest.raises(CommandError, match=f"缺少第{target.seq}条"):
        verify()


def test_deleting_the_last_event_is_detected():
    last = AuditEvent.objects.order_by("-seq").first()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match="末尾事件被删除"):
        verify()


def test_auditor_browses_and_filters(county):
    r = page_checklist(reverse("audit_list") + "?model=Pairing&action=create", allowed="shenji",
                       read_only=None, outsider=None)
    html = r.content.decode()
    assert "pairings.Pairing" in html and "pairings.Organisation" not in html
    # Other roles cannot read the trail.
    for username in ("liuhe", "lingdao", "outsider"):
        assert login(username).get(reverse("audit_list")).status_code == 403


def test_auditor_filter_with_bad_date_says_so():
    r = login("shenji").get(reverse("audit_list") + "?since=昨天")
    assert "日期“昨天”无法识别" in r.content.decode()


def test_chain_survives_a_dumpdata_loaddata_round_trip(tmp_path):
    from django.core import serializers

    events = list(AuditEvent.objects.order_by("seq"))
    data = serializers.serialize("json", events)
    AuditEvent.objects.all().delete()
    for obj in serializers.deserialize("json", data):
        obj.save()
    assert verify().startswith("审计链完整")


def test_api_changes_are_recorded_under_the_token_user(county):
    from .checklist import token_client

    body = {"year": 2031, "title": "令牌用户创建的协议"}
    r = token_client("liuhe").post(f"/api/v1/pairings/{county.pk}/agreements", body,
                                   content_type="application/json", REMOTE_ADDR="198.51.100.9")
    assert r.status_code == 201
    event = AuditEvent.objects.filter(model="pairings.Agreement").first()
    assert (event.actor_name, event.ip, event.after["title"]) == ("liuhe", "198.51.100.9", "令牌用户创建的协议")


def test_many_events_at_once_chain_like_one_at_a_time(county):
    before = AuditEvent.objects.first()
    record("admin", summary="one")
    events = record_many([("admin", {"summary": f"many {i}", "pairing_id": county.pk, "after": {"i": i}})
                          for i in range(3)])
    record("admin", summary="after")
    stored = list(AuditEvent.objects.filter(seq__gt=before.seq).order_by("seq"))
    assert [e.summary for e in stored] == ["one", "many 0", "many 1", "many 2", "after"]
    assert [e.seq for e in stored] == list(range(before.seq + 1, before.seq + 6))
    # Each links to the one before and holds the hash of its own content, as stored.
    for prev, event in zip([before, *stored], stored):
        assert event.prev_hash == prev.hash and event.hash == event.compute_hash()
    assert [e.hash for e in events] == [e.hash for e in stored[1:4]]
    assert stored[2].after == {"i": 1} and stored[2].pairing_id == county.pk
    assert verify_chain()[2] == ""
