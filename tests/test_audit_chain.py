"""The audit chain's tamper detection, field by field: the platform's promise
to auditors. Each edit is made behind the ORM's back, as someone with the
database would make it."""

import io

import pytest
from django.core.management import CommandError, call_command

from xiezuo.audit.models import AuditEvent, AuditHead, record

pytestmark = pytest.mark.django_db

FIELDS = {
    "at": lambda e: e.at.replace(year=e.at.year - 1),
    "actor_id": lambda e: (e.actor_id or 0) + 1,
    "actor_name": lambda e: e.actor_name + "x",
    "ip": lambda e: "10.9.9.9",
    "action": lambda e: "delete" if e.action != "delete" else "create",
    "model": lambda e: e.model + "x",
    "object_id": lambda e: e.object_id + "9",
    "pairing_id": lambda e: (e.pairing_id or 0) + 1,
    "summary": lambda e: e.summary + "（改）",
    "before": lambda e: {**(e.before or {}), "amount": "1.00"},
    "after": lambda e: {**(e.after or {}), "amount": "1.00"},
    "region_path": lambda e: "/999/",
}


def verify():
    call_command("audit_verify", stdout=io.StringIO())


def middle_event():
    return AuditEvent.objects.order_by("seq")[10]


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_every_field_edited_in_the_database_is_detected(field):
    target = middle_event()
    AuditEvent.objects.filter(pk=target.pk).update(**{field: FIELDS[field](target)})
    with pytest.raises(CommandError, match=f"第{target.seq}条事件.*内容与哈希不符"):
        verify()


@pytest.mark.parametrize("field", ["after", "summary", "prev_hash"])
def test_an_event_rewritten_with_its_hash_recomputed_breaks_the_next_link(field):
    target = middle_event()
    if field == "prev_hash":
        target.prev_hash = "f" * 64
    else:
        setattr(target, field, FIELDS[field](target))
    target.hash = target.compute_hash()
    AuditEvent.objects.filter(pk=target.pk).update(**{field: getattr(target, field), "hash": target.hash})
    # A rewritten prev_hash is caught on the event itself, anything else on the next one.
    seq = target.seq if field == "prev_hash" else target.seq + 1
    with pytest.raises(CommandError, match=f"第{seq}条事件.*前一条哈希不匹配"):
        verify()


def test_the_last_event_rewritten_with_its_hash_recomputed_is_caught_at_the_head():
    record("admin", model="tests.Probe", summary="最后一条")
    last = AuditEvent.objects.order_by("-seq").first()
    last.summary = "改写的最后一条"
    last.hash = last.compute_hash()
    AuditEvent.objects.filter(pk=last.pk).update(summary=last.summary, hash=last.hash)
    with pytest.raises(CommandError, match=f"链尾哈希不符：第{last.seq}条"):
        verify()


def test_the_head_moved_back_over_a_deleted_last_event_is_caught():
    record("admin", model="tests.Probe", summary="将被删除")
    last = AuditEvent.objects.order_by("-seq").first()
    AuditEvent.objects.filter(pk=last.pk).delete()
    AuditHead.objects.filter(pk=1).update(seq=last.seq - 1)  # the hash still names the deleted event
    with pytest.raises(CommandError, match="链尾哈希不符"):
        verify()


def test_an_untouched_chain_verifies():
    record("admin", model="tests.Probe", summary="完好")
    verify()


def rewrite(event, field, value):
    """Edit one field of a stored event and store a hash recomputed over it,
    as someone who knows the hashing would."""
    setattr(event, field, value)
    event.hash = event.compute_hash()
    AuditEvent.objects.filter(pk=event.pk).update(**{field: getattr(event, field), "hash": event.hash})


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_every_field_rewritten_with_its_hash_recomputed_breaks_the_next_link(field):
    target = middle_event()
    rewrite(target, field, FIELDS[field](target))
    with pytest.raises(CommandError, match=f"第{target.seq + 1}条事件.*前一条哈希不匹配"):
        verify()


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_every_field_of_the_last_event_rewritten_with_its_hash_is_caught_at_the_head(field):
    record("admin", model="tests.Probe", object_id="7", summary="最后一条", before={"amount": "2.00"},
           after={"amount": "3.00"})
    last = AuditEvent.objects.order_by("-seq").first()
    rewrite(last, field, FIELDS[field](last))
    with pytest.raises(CommandError, match=f"链尾：链尾哈希不符：第{last.seq}条（最后一条）事件被改写。此前{last.seq}条完好"):
        verify()


def test_the_hash_itself_edited_is_detected_on_its_event():
    target = middle_event()
    AuditEvent.objects.filter(pk=target.pk).update(hash="e" * 64)
    with pytest.raises(CommandError, match=f"第{target.seq}条事件（id={target.pk}）：内容与哈希不符（事件被修改）。"
                                           f"此前{target.seq - 1}条完好"):
        verify()


def test_a_deleted_event_in_the_middle_is_a_gap_in_the_sequence():
    target = middle_event()
    AuditEvent.objects.filter(pk=target.pk).delete()
    with pytest.raises(CommandError, match=f"第{target.seq + 1}条事件.*序号不连续：缺少第{target.seq}条，"
                                           f"下一条为第{target.seq + 1}条"):
        verify()


def test_a_deleted_last_event_is_caught_by_the_head_count():
    record("admin", model="tests.Probe", summary="将被删除")
    last = AuditEvent.objects.order_by("-seq").first()
    AuditEvent.objects.filter(pk=last.pk).delete()
    with pytest.raises(CommandError, match=f"链尾不符：记录的最后一条为第{last.seq}条，实际为第{last.seq - 1}条"):
        verify()


def test_the_chain_is_read_in_batches_and_a_break_past_the_first_batch_is_found():
    from xiezuo.audit.models import verify_chain

    record("admin", model="tests.Probe", summary="完好")
    total = AuditEvent.objects.count()
    assert verify_chain(batch=7) == (total, None, "")
    target = AuditEvent.objects.order_by("seq")[15]
    AuditEvent.objects.filter(pk=target.pk).update(summary="改")
    count, broken, reason = verify_chain(batch=7)
    assert (count, broken.seq, reason) == (target.seq - 1, target.seq, "内容与哈希不符（事件被修改）")


def test_an_untouched_chain_says_how_many_events_it_holds():
    record("admin", model="tests.Probe", summary="完好")
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().strip() == f"审计链完整：共{AuditEvent.objects.count()}条事件。"


def test_a_broken_link_is_told_by_its_own_whole_reason():
    from xiezuo.audit.models import verify_chain

    target = middle_event()
    AuditEvent.objects.filter(pk=target.pk).update(prev_hash="f" * 64)
    count, broken, reason = verify_chain()
    assert (count, broken.pk, reason) == (target.seq - 1, target.pk, "前一条哈希不匹配（前面的事件被修改或删除）")
