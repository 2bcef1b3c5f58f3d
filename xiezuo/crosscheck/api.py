"""口径核对 over the API: the same check as the page, input through its form."""

from django.core.exceptions import ValidationError
from ninja import Router, Schema

from xiezuo.accounts.scope import get_pairing, scope_for

from . import services
from .forms import CheckForm

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
