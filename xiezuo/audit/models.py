"""A tamper-evident audit trail.

Every event stores the hash of the event before it. Changing or deleting a
row in the database breaks the chain at that row, which `audit_verify` finds.
A single head row, locked while an event is appended, keeps the sequence
gap-free even with concurrent writers and lets the verifier notice a deleted
last event.
"""

import datetime
import decimal
import hashlib
import json
import uuid

from django.db import connections, models, router, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.chinese import chinese, in_chinese

from .context import current_actor

GENESIS = "0" * 64


def jsonable(value):
    """Turn a model value into JSON that reads back identically on every database."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (bytes, memoryview)):
        return "<binary>"
    return str(value)


def snapshot(instance):
    """Return the stored field values of a model instance as JSON data.

    Fields listed in the model's `audit_exclude` are left out, and those in
    `audit_masks` (field name → masking function) are kept masked: the trail
    shows that a phone number changed without holding the number.
    """
    exclude = set(getattr(instance, "audit_exclude", ()))
    masks = getattr(instance, "audit_masks", {})
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.attname in exclude:
            continue
        value = getattr(instance, field.attname)
        if field.name in masks and value:
            value = masks[field.name](value)
        data[field.attname] = jsonable(value)
    return data


class AuditHead(models.Model):
    """The one row that holds the chain's last sequence number and hash."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)


class AuditEventQuerySet(models.QuerySet):
    def for_pairings(self, pairing_ids):
        return self.filter(pairing_id__in=pairing_ids)


class AuditEvent(models.Model):
    ACTIONS = [
        ("create", _("新增")),
        ("update", _("修改")),
        ("delete", _("删除")),
        ("view_pii", _("查看个人信息")),
        ("export_pii", _("导出个人信息")),
        ("import", _("导入")),
        ("workflow", _("流程操作")),
        ("admin", _("管理操作")),
    ]

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150)
    ip = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=16, choices=ACTIONS)
    model = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    pairing_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # For events of no pairing (organisations, regions): where the record
    # lies, so that auditors read them by region as they read organisations.
    region_path = models.CharField(max_length=255, blank=True, default="")
    summary = models.CharField(max_length=500, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.model}:{self.object_id}"

    def payload(self):
        return {
            "seq": self.seq,
            "at": jsonable(self.at),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "ip": self.ip,
            "action": self.action,
            "model": self.model,
            "object_id": self.object_id,
            "pairing_id": self.pairing_id,
            "summary": self.summary,
            "before": self.before,
            "after": self.after,
            "prev_hash": self.prev_hash,
            # Hashed only when set, so events written before the field existed keep their hashes.
            **({"region_path": self.region_path} if self.region_path else {}),
        }

    def compute_hash(self):
        canonical = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def changed_fields(self):
        """Return (field, before, after) of the fields that changed, as shown.

        Values of the model's `audit_masks` fields are masked again on the
        way out. The stored events cannot be rewritten (the chain would
        break), so this is what keeps an event written before a mask was
        added or tightened from showing more than a new one; every mask
        gives back an already masked value unchanged.
        """
        before, after = self.before or {}, self.after or {}
        masks = masks_of(self.model)
        keys = sorted(set(before) | set(after))
        shown = []
        for k in keys:
            b, a = before.get(k), after.get(k)
            if b == a:
                continue
            if k in masks:
                b, a = (masks[k](v) if v else v for v in (b, a))
            shown.append((k, b, a))
        return shown


def masks_of(label):
    """Return the `audit_masks` of a model given as "app.Model" ({} for none)."""
    from django.apps import apps

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return {}
    return getattr(model, "audit_masks", {})


def _now_ms():
    """Return now, cut to whole milliseconds.

    Both databases keep microseconds, but Django's JSON serialisation (used by
    dumpdata/loaddata, e.g. to move a county's data from SQLite to
    PostgreSQL) keeps only milliseconds; an event time that survives every
    round trip keeps the chain's hashes valid after such a move.
    """
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _event(actor, seq, prev_hash, at, action, *, model="", object_id="", pairing_id=None, summary="", before=None,
           after=None, region_path=""):
    event = AuditEvent(
        seq=seq,
        at=at,
        actor_id=actor.user_id,
        actor_name=actor.username[:150],
        ip=actor.ip or "",
        action=action,
        model=model,
        object_id=str(object_id or ""),
        pairing_id=pairing_id,
        region_path=region_path if pairing_id is None else "",
        summary=summary[:500],
        before=jsonable(before),
        after=jsonable(after),
        prev_hash=prev_hash,
    )
    event.hash = event.compute_hash()
    return event


def record(action, *, model="", object_id="", pairing_id=None, summary="", before=None, after=None, region_path=""):
    """Append one event to the chain, inside the caller's transaction."""
    actor = current_actor()
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event = _event(actor, head.seq + 1, head.hash, _now_ms(), action, model=model, object_id=object_id,
                       pairing_id=pairing_id, summary=summary, before=before, after=after, region_path=region_path)
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def record_many(entries):
    """Append many events to the chain at once, inside the caller's
    transaction; `entries` are (action, keyword arguments of `record`).

    The same events, in the same order, as calling `record` for each: one
    lock of the head, one multi-row insert and one move of the head instead
    of a round of queries per event (a big import creating thousands of
    people spent most of its time, on PostgreSQL, waiting on those rounds).
    """
    if not entries:
        return []
    actor = current_actor()
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev, at, events = head.seq, head.hash, _now_ms(), []
        for action, fields in entries:
            seq += 1
            event = _event(actor, seq, prev, at, action, **fields)
            prev = event.hash
            events.append(event)
        _insert_events(events)
        head.seq, head.hash = seq, prev
        head.save(update_fields=["seq", "hash"])
    return events


def record_for(instance, action, before=None, after=None, summary=""):
    pairing_id = audit_pairing_id(instance)
    return record(
        action,
        model=instance._meta.label,
        object_id=instance.pk,
        pairing_id=pairing_id,
        region_path=audit_region_path(instance) if pairing_id is None else "",
        # Stored text: a record's name in Chinese whatever the actor reads.
        summary=summary or in_chinese(instance)[:500],
        before=before,
        after=after,
    )


_EVENT_FIELDS = ("seq", "at", "actor_id", "actor_name", "ip", "action", "model", "object_id", "pairing_id",
                 "region_path", "summary", "before", "after", "prev_hash", "hash")


def _insert_events(events):
    """Insert new events: with COPY on PostgreSQL (Django's bulk insert sends
    the JSON columns as arrays of JSON values, dumped one by one — slower
    than the rows themselves), else with bulk_create."""
    connection = connections[router.db_for_write(AuditEvent)]
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        return
    q = connection.ops.quote_name
    columns = ", ".join(q(AuditEvent._meta.get_field(f).column) for f in _EVENT_FIELDS)
    dump = json.dumps
    connection.ensure_connection()
    with connection.connection.cursor() as raw, \
            raw.copy(f"COPY {q(AuditEvent._meta.db_table)} ({columns}) FROM STDIN") as copy:
        write = copy.write_row
        for e in events:
            write((e.seq, e.at, e.actor_id, e.actor_name, e.ip, e.action, e.model, e.object_id, e.pairing_id,
                   e.region_path, e.summary, None if e.before is None else dump(e.before),
                   None if e.after is None else dump(e.after), e.prev_hash, e.hash))


def record_created(instances):
    """Record a `create` event for each of many saved instances of a tracked
    model that were inserted in bulk: the event its own save would have left
    (`tracking._post_save`), all appended with `record_many`."""
    entries = []
    with chinese():  # stored text: records' names in Chinese whatever the actor reads
        for instance in instances:
            pairing_id = audit_pairing_id(instance)
            entries.append(("create", {
                "model": instance._meta.label, "object_id": instance.pk, "pairing_id": pairing_id,
                "region_path": audit_region_path(instance) if pairing_id is None else "",
                "summary": str(instance)[:500], "before": None, "after": snapshot(instance)}))
    return record_many(entries)


def audit_region_path(instance):
    """Return the region path an event of no pairing is filed under: the
    record's own (`audit_region_path()`), its region's, or "" (national)."""
    getter = getattr(instance, "audit_region_path", None)
    if callable(getter):
        return getter() or ""
    region = getattr(instance, "region", None) if hasattr(instance, "region_id") else None
    return getattr(region, "path", "") or ""


def audit_pairing_id(instance):
    getter = getattr(instance, "audit_pairing_id", None)
    if callable(getter):
        return getter()
    return getattr(instance, "pairing_id", None)


def verify_chain(batch=5000):
    """Return (count, first_broken_event_or_None, reason)."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    qs = AuditEvent.objects.order_by("seq")
    last_seq = 0
    while True:
        chunk = list(qs.filter(seq__gt=last_seq)[:batch])
        if not chunk:
            break
        for event in chunk:
            if event.seq != expected_seq:
                return count, event, f"序号不连续：缺少第{expected_seq}条，下一条为第{event.seq}条"
            if event.prev_hash != prev_hash:
                return count, event, "前一条哈希不匹配（前面的事件被修改或删除）"
            if event.compute_hash() != event.hash:
                return count, event, "内容与哈希不符（事件被修改）"
            prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
            last_seq = event.seq
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != count:
        return count, None, f"链尾不符：记录的最后一条为第{head_seq}条，实际为第{count}条（末尾事件被删除）"
    if head_hash != prev_hash:
        # The last event was rewritten with a hash of its own: nothing after
        # it links to it, only the head remembers what it was.
        return count, None, f"链尾哈希不符：第{count}条（最后一条）事件被改写"
    return count, None, ""
