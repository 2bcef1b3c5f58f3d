"""The self-evaluation's drafting from the ledgers, and whether a year is
locked. Its steps (submit, confirm, send back, reopen, refresh the snapshot)
are methods of `SelfEvaluation`, taken under its row lock."""

from django.db import transaction
from django.utils import timezone

from . import narrative, services
from .models import SelfEvaluation


def snapshot_of(pairing, year):
    """Return the figures and indicator rows as they stand now."""
    figures = services.figures_for(pairing, year)
    rows = services.indicator_rows(pairing, year, figures)
    return {"figures": figures, "indicators": rows}


def get_or_draft(pairing, year, user=None):
    """Return the year's self-evaluation, drafting one from the data if none
    exists yet (narratives drafted from the figures)."""
    evaluation = SelfEvaluation.objects.filter(pairing=pairing, year=year).first()
    if evaluation is None:
        with transaction.atomic():
            snap = snapshot_of(pairing, year)
            evaluation = SelfEvaluation.objects.create(
                pairing=pairing, year=year, snapshot=snap, snapshot_at=timezone.now(),
                narratives=narrative.draft_all(snap["figures"]), drafted_by=user,
                title=f"{pairing}{year}年度东西部协作工作自评报告")
    return evaluation


def is_locked(pairing_id, year):
    """Tell other modules whether a pairing-year has been confirmed."""
    return SelfEvaluation.objects.filter(pairing_id=pairing_id, year=year, status=SelfEvaluation.CONFIRMED).exists()


def snapshot_changes(evaluation):
    """Return the indicators whose live value differs from the snapshot's:
    [(name, unit, value in the snapshot, value now)], in catalogue order.
    A confirmed year reports its snapshot, so it has none to show."""
    if evaluation.is_locked:
        return []
    then = {row["code"]: row for row in (evaluation.snapshot or {}).get("indicators") or []}
    now = snapshot_of(evaluation.pairing, evaluation.year)["indicators"]
    changes = []
    for row in now:
        old = then.get(row["code"])
        before = old["actual_display"] if old else "—"
        if before != row["actual_display"]:
            changes.append((row["name"], row["unit"], before, row["actual_display"]))
    return changes
