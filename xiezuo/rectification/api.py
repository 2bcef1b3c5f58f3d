"""JSON endpoints of rectification tasks: list, create, read, change and
take a step. Input goes through the page's form and the steps through the
model's methods, so a rule holds whichever door a task comes in by."""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.api_helpers import IF_MATCH, etag_of, loaded_version_from, save_or_409, state_change
from xiezuo.api_types import choices, year_query

from .forms import RectificationForm
from .models import Rectification
from .views import filtered

router = Router(tags=["问题整改"])

Source = choices(Rectification, "source")
SourceFilter = choices(Rectification, "source", blank=True)
StatusFilter = choices(Rectification, "status", blank=True)


class RectificationIn(Schema):
    source: Source
    problem: str
    source_ref: str = ""
    found_on: datetime.date
    owner_unit: int | None = None
    owner_person: str = ""
    deadline: datetime.date
    measures: str = ""
    evidence: str = ""


class StepIn(Schema):
    step: Literal["submit", "close", "send_back"]
    reason: str = ""


class RectificationOut(Schema):
    id: int
    pairing: int
    source: str
    source_display: str
    finding: int | None
    project: int | None
    health_rule: str
    problem: str
    source_ref: str
    found_on: datetime.date
    year: int
    owner_unit: int | None
    owner_unit_name: str
    owner_person: str
    deadline: datetime.date
    measures: str
    evidence: str
    status: str
    status_display: str
    overdue: bool
    submitted_by: str
    closed_by: str
    closed_on: datetime.date | None
    return_reason: str
    allowed_steps: list[str]
    is_demo: bool
    version: int


def task_out(t, user):
    return {"id": t.pk, "pairing": t.pairing_id, "source": t.source, "source_display": str(t.get_source_display()),
            "finding": t.finding_id, "project": t.project_id, "health_rule": t.health_rule, "problem": t.problem,
            "source_ref": t.source_ref, "found_on": t.found_on, "year": t.year, "owner_unit": t.owner_unit_id,
            "owner_unit_name": str(t.owner_unit or ""), "owner_person": t.owner_person, "deadline": t.deadline,
            "measures": t.measures, "evidence": t.evidence, "status": t.status,
            "status_display": str(t.get_status_display()), "overdue": t.is_overdue(),
            "submitted_by": str(t.submitted_by or ""), "closed_by": str(t.closed_by or ""), "closed_on": t.closed_on,
            "return_reason": t.return_reason, "allowed_steps": t.allowed_steps(user), "is_demo": t.is_demo,
            "version": t.version}


def _tasks():
    return Rectification.objects.select_related("owner_unit", "submitted_by", "closed_by")


def _save(request, task, data, loaded=None):
    values = {k: v for k, v in data.dict().items() if v is not None}
    if loaded is not None:
        values["loaded_version"] = loaded
    form = RectificationForm(values, instance=task, user=request.user)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return save_or_409(form.save)


@router.get("/pairings/{pairing_id}/rectifications", response=list[RectificationOut])
def list_tasks(request, pairing_id: int, year: int | None = year_query(), status: StatusFilter = "",
               source: SourceFilter = "", overdue: bool = False):
    pairing = get_pairing(request.user, pairing_id)
    qs = scope_for(request.user).filter(_tasks().within(pairing))
    qs = filtered(qs, {"status": status, "source": source, "overdue": overdue}, year)
    return [task_out(t, request.user) for t in qs[:1000]]


@router.post("/pairings/{pairing_id}/rectifications", response={201: RectificationOut})
def create_task(request, pairing_id: int, data: RectificationIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    task = _save(request, Rectification(pairing=pairing), data)
    return Status(201, task_out(task, request.user))


@router.get("/rectifications/{rectification_id}", response=RectificationOut)
def get_task(request, rectification_id: int, response: HttpResponse):
    task = scope_for(request.user).get(_tasks(), rectification_id)
    response["ETag"] = etag_of(task)
    return task_out(task, request.user)


@router.put("/rectifications/{rectification_id}", response=RectificationOut)
def update_task(request, rectification_id: int, data: RectificationIn, response: HttpResponse):
    task = scope_for(request.user).get(_tasks(), rectification_id, "write")
    loaded = loaded_version_from(request, task)
    if not task.may_edit(request.user):
        raise ValidationError(gettext("已申请销号或已销号的整改任务不能修改；退回后方可修改"))
    saved = _save(request, task, data, loaded)
    response["ETag"] = etag_of(saved)
    return task_out(saved, request.user)


@router.post("/rectifications/{rectification_id}/steps", response=RectificationOut, openapi_extra=IF_MATCH,
             description="申请销号（submit）、销号（close）或退回（send_back，须填 reason）。须带 If-Match；"
                         "销号与退回须由申请销号以外的另一人办理。")
def take_step(request, rectification_id: int, data: StepIn, response: HttpResponse):
    task = scope_for(request.user).get(_tasks(), rectification_id, "write")
    if data.step == "submit":
        state_change(request, task, lambda loaded: task.submit(request.user, loaded_version=loaded))
    elif data.step == "close":
        state_change(request, task, lambda loaded: task.close(request.user, loaded_version=loaded))
    else:
        state_change(request, task, lambda loaded: task.send_back(request.user, data.reason, loaded_version=loaded))
    task = scope_for(request.user).get(_tasks(), rectification_id)
    response["ETag"] = etag_of(task)
    return task_out(task, request.user)
