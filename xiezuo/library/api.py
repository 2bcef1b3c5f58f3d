"""JSON endpoints of the project library: the same scope helpers and the
same form as the pages."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from lib.money import yuan_str
from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.api_helpers import IF_MATCH, etag_of, loaded_version_from, save_or_409, state_change
from xiezuo.api_types import Year, choices, year_query
from xiezuo.funds.models import ProjectCategory

from .forms import EntryForm
from .models import LibraryEntry

router = Router(tags=["项目库"])

Stage = choices(LibraryEntry, "stage", blank=True)
Action = Literal[tuple(a for a in LibraryEntry.ACTIONS)]


class StepOut(Schema):
    action: str
    action_display: str
    date: datetime.date
    user: str
    opinion: str


class EntryOut(Schema):
    id: int
    pairing: int
    year: int
    name: str
    township: int | None
    village: int | None
    unit_name: str
    applicant: str
    category: str
    category_name: str
    content: str
    implementing_unit: int | None
    coop_funds: str
    other_funds: str
    other_sources: str
    benefit: str
    linkage: str
    hotline: str
    stage: str
    stage_display: str
    removed_reason: str
    version: int


class EntryDetailOut(EntryOut):
    steps: list[StepOut]
    allowed_actions: list[str]
    project: int | None


class EntryIn(Schema):
    pairing: int | None = None
    year: Year
    name: str
    category: str
    township: int | None = None
    village: int | None = None
    unit_name: str = ""
    content: str
    implementing_unit: int | None = None
    coop_funds: Decimal = Decimal("0")
    other_funds: Decimal = Decimal("0")
    other_sources: str = ""
    benefit: str = ""
    linkage: str = ""
    hotline: str = ""


class StepIn(Schema):
    action: Action
    date: datetime.date | None = None
    opinion: str = ""


def entry_out(e):
    return {"id": e.pk, "pairing": e.pairing_id, "year": e.year, "name": e.name, "township": e.township_id,
            "village": e.village_id, "unit_name": e.unit_name, "applicant": e.applicant,
            "category": e.category.code, "category_name": e.category.name, "content": e.content,
            "implementing_unit": e.implementing_unit_id, "coop_funds": yuan_str(e.coop_funds),
            "other_funds": yuan_str(e.other_funds), "other_sources": e.other_sources, "benefit": e.benefit,
            "linkage": e.linkage, "hotline": e.hotline, "stage": e.stage, "stage_display": e.get_stage_display(),
            "removed_reason": e.removed_reason, "version": e.version}


def entry_detail_out(e, user):
    data = entry_out(e)
    project = getattr(e, "project", None) if hasattr(e, "project") else None
    data.update(steps=[{"action": s.action, "action_display": s.get_action_display(), "date": s.date,
                        "user": str(s.user or ""), "opinion": s.opinion} for s in e.steps.select_related("user")],
                allowed_actions=e.allowed_actions(scope_for(user)), project=project.pk if project else None)
    return data


def _get(request, pk, perm="read"):
    return scope_for(request.user).get(LibraryEntry.objects.for_detail(), pk, perm)


@router.get("/pairings/{pairing_id}/library", response=list[EntryOut])
def list_entries(request, pairing_id: int, year: int | None = year_query(), stage: Stage = ""):
    pairing = get_pairing(request.user, pairing_id)
    qs = scope_for(request.user).filter(LibraryEntry.objects.in_subtree(pairing)).select_related("category",
                                                                                                 "village")
    if year:
        qs = qs.filter(year=year)
    if stage:
        qs = qs.filter(stage=stage)
    return [entry_out(e) for e in qs.order_by("-year", "name", "pk")]


def _save(request, pairing, entry, data, loaded=None):
    values = {k: v for k, v in data.dict().items() if v is not None}
    values.setdefault("pairing", entry.pairing_id)
    category = ProjectCategory.objects.filter(code=data.category).first()
    if category is None:
        raise ValidationError({"category": [_("项目类别“%(code)s”不存在") % {"code": data.category}]})
    values["category"] = category.pk
    if loaded is not None:
        values["loaded_version"] = loaded
    form = EntryForm(values, instance=entry, pairing=pairing, scope=scope_for(request.user))
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return save_or_409(form.save)


@router.post("/pairings/{pairing_id}/library", response={201: EntryDetailOut})
def create_entry(request, pairing_id: int, data: EntryIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    with transaction.atomic():
        entry = _save(request, pairing, LibraryEntry(pairing=pairing), data)
        entry.record_application(request.user)
    return Status(201, entry_detail_out(_get(request, entry.pk), request.user))


@router.get("/library/{library_entry_id}", response=EntryDetailOut)
def get_entry(request, library_entry_id: int, response: HttpResponse):
    entry = _get(request, library_entry_id)
    response["ETag"] = etag_of(entry)
    return entry_detail_out(entry, request.user)


@router.put("/library/{library_entry_id}", response=EntryDetailOut)
def update_entry(request, library_entry_id: int, data: EntryIn, response: HttpResponse):
    entry = _get(request, library_entry_id, "write")
    _save(request, entry.pairing, entry, data, loaded_version_from(request, entry))
    entry = _get(request, library_entry_id)
    response["ETag"] = etag_of(entry)
    return entry_detail_out(entry, request.user)


@router.post("/library/{library_entry_id}/steps", response=EntryDetailOut, openapi_extra=IF_MATCH,
             description="须带 If-Match（读取条目时的 ETag）；条目已被他人修改则 412。")
def take_step(request, library_entry_id: int, data: StepIn):
    entry = _get(request, library_entry_id)
    state_change(request, entry,
                 lambda loaded: entry.take(request.user, data.action, data.opinion, data.date, loaded_version=loaded))
    return entry_detail_out(_get(request, library_entry_id), request.user)
