"""口径核对 over the API: the same check as the page, input through its form."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Router, Schema, Status

from xiezuo.accounts.scope import get_pairing, scope_for

from . import services, views
from .forms import CheckForm, NewBriefingForm
from .models import Briefing

router = Router(tags=["口径核对"])


class CheckIn(Schema):
    text: str
    date: str | None = None


@router.post("/pairings/{pairing_id}/crosscheck", response=dict)
def crosscheck(request, pairing_id: int, data: CheckIn):
    """Check every figure of a text against the ledgers the user may read.

    `date` (YYYY-MM-DD) dates the text: 今年 and 去年 count from it; without
    it, today. Each claim carries the number as written and as a value
    (amounts in yuan), what it claims, the ledger's value and the verdict:
    consistent, inconsistent, bound_kept, bound_broken or unknown (with the
    reason; a pairing the user may not read is 无权查看)."""
    pairing = get_pairing(request.user, pairing_id)
    form = CheckForm(data={"text": data.text, "date": data.date or ""}, uploads=False)
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    on = form.cleaned_data["on"]
    claims = services.check(form.cleaned_data["content"], pairing, scope_for(request.user), on)
    return {"pairing": pairing.pk, "date": on.isoformat(), "counts": services.tally(claims),
            "claims": [c.as_json() for c in claims]}


class BriefingIn(Schema):
    period: str
    year: int
    number: int | None = None
    issue_no: int | None = None
    issuer: str | None = None


def briefing_json(item, user, check=False):
    out = {"id": item.pk, "pairing": item.pairing_id, "period": item.period, "year": item.year,
           "number": item.number, "period_text": item.period_text, "issue_no": item.issue_no,
           "issuer": item.issuer, "issued_on": item.issued_on.isoformat(), "title": item.title,
           "version": item.version, "docx": reverse("crosscheck_briefing_docx", args=[item.pk])}
    if check:
        claims = services.check("\n".join(item.lines()), item.pairing, scope_for(user), item.issued_on)
        out.update(lead=item.lead, sections=item.sections, sources=item.sources,
                   counts=services.tally(claims), claims=[c.as_json() for c in claims])
    return out


@router.get("/pairings/{pairing_id}/briefings", response=list[dict])
def briefings(request, pairing_id: int):
    """The pairing's 信息简报 drafts, newest first."""
    pairing = get_pairing(request.user, pairing_id)
    return [briefing_json(b, request.user) for b in Briefing.objects.filter(pairing=pairing)]


@router.post("/pairings/{pairing_id}/briefings", response={201: dict})
def create_briefing(request, pairing_id: int, data: BriefingIn):
    """Draft a 简报 for a period: `period` month, quarter or year; `number`
    the month (1–12) or quarter (1–4). Input through the page's form; the
    answer holds the draft and its 口径核对 (every figure consistent)."""
    pairing = get_pairing(request.user, pairing_id, "write")
    form = NewBriefingForm(data={k: ("" if v is None else v) for k, v in data.dict().items()})
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    item = views.create_briefing(pairing, request.user, form.cleaned_data)
    return Status(201, briefing_json(item, request.user, check=True))


@router.get("/pairings/{pairing_id}/briefings/{briefing_id}", response=dict)
def briefing(request, pairing_id: int, briefing_id: int):
    """One draft: its text, sources and 口径核对 of the text as saved."""
    pairing = get_pairing(request.user, pairing_id)
    item = scope_for(request.user).get(Briefing.objects.filter(pairing=pairing).select_related("pairing"),
                                       briefing_id)
    return briefing_json(item, request.user, check=True)
