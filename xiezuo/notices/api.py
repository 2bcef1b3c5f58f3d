"""JSON endpoints of the notices: the same scope helpers, the same form and
the same model steps as the pages. Postings (with their photos) and
feedback (with personal data) are recorded on the pages only."""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from lib.money import yuan_str
from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.api_helpers import IF_MATCH, etag_of, loaded_version_from, save_or_409, state_change
from xiezuo.funds.models import Project

from .forms import NoticeForm
from .models import CONTENT_FIELDS, Notice

router = Router(tags=["公告公示"])

Stage = Literal["plan", "implementation", "result"]


class NoticeOut(Schema):
    id: int
    pairing: int
    project: int | None
    library_entry: int | None
    stage: str
    stage_display: str
    title: str
    name: str
    place: str
    content: str
    coop_funds: str
    other_funds: str
    fund_sources: str
    implementing_unit: str
    benefit: str
    linkage: str
    results: str
    hotline: str
    start_date: datetime.date
    end_date: datetime.date
    status: str
    status_display: str
    channels: list[str]
    feedback_count: int
    missing: list[str]
    version: int


class NoticeIn(Schema):
    title: str | None = None
    name: str | None = None
    place: str | None = None
    content: str | None = None
    fund_sources: str | None = None
    implementing_unit: str | None = None
    benefit: str | None = None
    linkage: str | None = None
    results: str | None = None
    hotline: str
    start_date: datetime.date
    end_date: datetime.date


class NewNoticeIn(NoticeIn):
    stage: Stage


class StepIn(Schema):
    action: Literal["publish", "withdraw"]
    date: datetime.date | None = None
    reason: str = ""


def notice_out(n):
    return {"id": n.pk, "pairing": n.pairing_id, "project": n.project_id, "library_entry": n.library_entry_id,
            "stage": n.stage, "stage_display": n.get_stage_display(), "title": n.title, "name": n.name,
            "place": n.place, "content": n.content, "coop_funds": yuan_str(n.coop_funds),
            "other_funds": yuan_str(n.other_funds), "fund_sources": n.fund_sources,
            "implementing_unit": n.implementing_unit, "benefit": n.benefit, "linkage": n.linkage,
            "results": n.results, "hotline": n.hotline, "start_date": n.start_date, "end_date": n.end_date,
            "status": n.status, "status_display": n.get_status_display(),
            "channels": [p.channel for p in n.postings.all()], "feedback_count": len(n.feedback.all()),
            "missing": n.missing(timezone.localdate()), "version": n.version}


def _get(request, pk, perm="read"):
    return scope_for(request.user).get(Notice.objects.select_related("pairing", "project", "library_entry")
                                       .prefetch_related("postings", "feedback"), pk, perm)


def _save(notice, data, loaded=None):
    values = {f: getattr(notice, f) for f in CONTENT_FIELDS}
    values.update({k: v for k, v in data.dict().items() if v is not None and k != "stage"})
    values["stage"] = notice.stage
    if loaded is not None:
        values["loaded_version"] = loaded
    form = NoticeForm(values, instance=notice)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return save_or_409(form.save)


@router.get("/pairings/{pairing_id}/notices", response=list[NoticeOut])
def list_notices(request, pairing_id: int):
    pairing = get_pairing(request.user, pairing_id)
    qs = scope_for(request.user).filter(Notice.objects.within(pairing)).select_related(
        "project", "library_entry").prefetch_related("postings", "feedback")
    return [notice_out(n) for n in qs.order_by("-start_date", "-pk")]


@router.post("/projects/{project_id}/notices", response={201: NoticeOut})
def create_notice(request, project_id: int, data: NewNoticeIn):
    project = scope_for(request.user).get(Project.objects.select_related("implementing_unit", "township", "village"),
                                          project_id, "write")
    notice = Notice.draft_for(project, data.stage)
    notice.is_demo = False
    saved = _save(notice, data)
    return Status(201, notice_out(_get(request, saved.pk)))


@router.get("/notices/{notice_id}", response=NoticeOut)
def get_notice(request, notice_id: int, response: HttpResponse):
    notice = _get(request, notice_id)
    response["ETag"] = etag_of(notice)
    return notice_out(notice)


@router.put("/notices/{notice_id}", response=NoticeOut, openapi_extra=IF_MATCH,
            description="只有草稿可以修改；须带 If-Match。")
def update_notice(request, notice_id: int, data: NoticeIn, response: HttpResponse):
    notice = _get(request, notice_id, "write")
    _save(notice, data, loaded_version_from(request, notice))
    notice = _get(request, notice_id)
    response["ETag"] = etag_of(notice)
    return notice_out(notice)


@router.post("/notices/{notice_id}/steps", response=NoticeOut, openapi_extra=IF_MATCH,
             description="发布或撤回；须带 If-Match（读取公示时的 ETag）。")
def take_step(request, notice_id: int, data: StepIn):
    notice = _get(request, notice_id, "write")
    if data.action == "publish":
        state_change(request, notice, lambda loaded: notice.publish(request.user, data.date, loaded_version=loaded))
    else:
        state_change(request, notice, lambda loaded: notice.withdraw(request.user, data.reason, loaded_version=loaded))
    return notice_out(_get(request, notice_id))
