"""JSON API of the industry module, under the same scoping as the pages.

Input is validated by the very forms the pages use, so a row refused on a
page is refused here with the same Chinese message, and related rows (an
enterprise, a park, a meeting) can only be chosen from what the user sees.
Amounts are yuan as decimal strings with two places.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.shortcuts import get_object_or_404
from ninja import Body, Router, Schema, Status

from lib.ids import normalize_uscc
from lib.money import yuan_str
from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.pairings.models import Organisation

from . import services
from .forms import OfficialForm
from .ledgers import LEDGERS
from .models import AgreedItem, Visit

router = Router(tags=["产业合作与交流互访"])


def _value(obj, field):
    value = getattr(obj, field.attname)
    if isinstance(field, models.DecimalField) and "amount" in field.name:
        return yuan_str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(field, models.FileField):
        return bool(value)
    return value


def serialize(obj):
    """Return a row as JSON data: stored fields, display labels, names of
    related rows and the rule flags the pages show."""
    out = {"id": obj.pk, "year": obj.year}
    for field in obj._meta.concrete_fields:
        if field.name in ("id", "version"):
            continue
        out[field.name] = _value(obj, field)
        if field.choices:
            out[f"{field.name}_display"] = getattr(obj, f"get_{field.name}_display")()
        if field.is_relation and out[field.name] is not None:
            out[f"{field.name}_name"] = str(getattr(obj, field.name))
    out["version"] = obj.version
    if hasattr(obj, "arrived_exceeds_agreed"):
        out["arrived_exceeds_agreed"] = obj.arrived_exceeds_agreed
    if isinstance(obj, AgreedItem):
        out["overdue"] = obj.is_overdue()
        out["notes"] = [note_out(n) for n in obj.notes.all()]  # prefetched in lists
    if isinstance(obj, Visit):
        out["officials"] = [{"side": o.side, "name": o.name, "post": o.post, "role": o.role}
                            for o in obj.officials.all()]
        out["places"] = obj.place_list()
    return out


def note_out(n):
    return {"id": n.pk, "date": n.date.isoformat(), "text": n.text, "status_from": n.status_from,
            "status_to": n.status_to, "author": str(n.author) if n.author_id else None}


def _ledger(slug):
    from django.http import Http404

    if slug not in LEDGERS:
        raise Http404("台账不存在")
    return LEDGERS[slug]


def _invalid(errors):
    return ValidationError({k: [str(m) for m in v] for k, v in errors.items()})


@router.get("/pairings/{pairing_id}/industry/{slug}", response=list[dict])
def list_rows(request, pairing_id: int, slug: str, year: int | None = None, q: str = "", overdue: bool = False):
    """List a ledger (parks, investments, workshops, donations, visits, items) of
    a pairing and its subtree; `year` as on the pages; `overdue=true` for items
    overdue today."""
    ledger = _ledger(slug)
    pairing = get_pairing(request.user, pairing_id)
    qs = scope_for(request.user).filter(ledger.model.objects.within(pairing)).select_related(
        *ledger.related).prefetch_related(*ledger.prefetch)
    qs = ledger.filtered(qs, {"q": q, "year": str(year) if year else ""})
    if overdue and slug == "items":
        qs = qs.overdue()
    return [serialize(o) for o in qs[:5000]]


@router.get("/industry/{slug}/{pk}", response=dict)
def get_row(request, slug: str, pk: int):
    ledger = _ledger(slug)
    obj = get_object_or_404(ledger.model, pk=pk)
    get_pairing(request.user, obj.pairing_id)
    return serialize(obj)


def _officials(data):
    forms = [OfficialForm(data=o) for o in data]
    errors = {f"officials[{i}].{k}": v for i, f in enumerate(forms) if not f.is_valid() for k, v in f.errors.items()}
    if errors:
        raise _invalid(errors)
    return forms


def _enterprise_by_code(user, code):
    """Find a registered enterprise the user sees by its 统一社会信用代码."""
    try:
        code = normalize_uscc(code)
    except ValueError as e:
        raise ValidationError({"enterprise_uscc": [str(e)]}) from None
    org = Organisation.objects.filter(scope_for(user).region_q(), uscc=code).first()
    if org is None:
        raise ValidationError({"enterprise_uscc": [f"未找到统一社会信用代码为{code}的单位，请先登记单位"]})
    return org.pk


@router.post("/pairings/{pairing_id}/industry/{slug}", response={201: dict})
def create_row(request, pairing_id: int, slug: str, data: dict = Body(...)):
    """Create a ledger row; fields as in the page form (dates YYYY-MM-DD, amounts
    in yuan, related rows by id). Investments may name the enterprise by
    `enterprise_uscc` instead of `enterprise`. Visits take `officials`:
    [{side, name, post, role}]."""
    ledger = _ledger(slug)
    pairing = get_pairing(request.user, pairing_id, "write")
    if slug == "investments" and data.get("enterprise_uscc") and not data.get("enterprise"):
        data = {**data, "enterprise": _enterprise_by_code(request.user, data["enterprise_uscc"])}
    instance = ledger.model(pairing=pairing)
    # Fields left out take the model's defaults, as the page's form shows them.
    defaults = {name: getattr(instance, instance._meta.get_field(name).attname) for name in ledger.form.Meta.fields}
    payload = {**{k: v for k, v in defaults.items() if v not in (None, "")},
               "pairing": pairing.pk, **{k: v for k, v in data.items() if k != "officials"}}
    form = ledger.form(data=payload, instance=instance, pairing=pairing, user=request.user)
    officials = _officials(data.get("officials") or []) if slug == "visits" else []
    if not form.is_valid():
        raise _invalid(form.errors)
    with transaction.atomic():
        obj = form.save()
        for f in officials:
            f.instance.visit = obj
            f.save()
    return Status(201, serialize(obj))


@router.put("/industry/{slug}/{pk}", response={200: dict, 409: dict})
def update_row(request, slug: str, pk: int, data: dict = Body(...)):
    """Replace a row's fields. Send the `version` you read: if someone saved
    in between, the change is refused (409) instead of overwriting theirs."""
    ledger = _ledger(slug)
    obj = get_object_or_404(ledger.model, pk=pk)
    pairing = get_pairing(request.user, obj.pairing_id, "write")
    payload = {"pairing": obj.pairing_id, **data, "loaded_version": data.get("version")}
    form = ledger.form(data=payload, instance=obj, pairing=pairing, user=request.user)
    if not form.is_valid():
        raise _invalid(form.errors)
    try:
        obj = form.save()
    except ValidationError as e:
        if getattr(e, "code", None) == "conflict":
            return Status(409, {"detail": e.messages[0]})
        raise
    return serialize(obj)


class StatusIn(Schema):
    status: str
    text: str = ""


class NoteIn(Schema):
    text: str
    date: datetime.date | None = None


def _item(request, pk, perm):
    item = get_object_or_404(AgreedItem, pk=pk)
    get_pairing(request.user, item.pairing_id, perm)
    return item


@router.post("/industry/items/{pk}/status", response=dict)
def change_status(request, pk: int, data: StatusIn):
    """Move an agreed item one step (未启动→推进中→已完成; 搁置 and reopening
    need `text`); the step is kept as a progress note."""
    item = _item(request, pk, "write")
    services.change_status(item, data.status, user=request.user, text=data.text)
    return serialize(item)


@router.get("/industry/items/{pk}/notes", response=list[dict])
def list_notes(request, pk: int):
    return [note_out(n) for n in _item(request, pk, "read").notes.select_related("author")]


@router.post("/industry/items/{pk}/notes", response={201: dict})
def add_note(request, pk: int, data: NoteIn):
    """Append a dated progress note (notes cannot be changed or deleted)."""
    item = _item(request, pk, "write")
    note = services.add_note(item, data.text, date=data.date, user=request.user)
    return Status(201, note_out(note))
