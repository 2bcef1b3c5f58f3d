"""The self-evaluations' drafting from the ledgers, whether a year is
locked, and the 互评 comparison of the two sides' reports. Their steps
(submit for views, record a view, finalise, withdraw, reopen, refresh the
snapshot) are methods of `SelfEvaluation`, taken under its row lock."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from . import narrative, services
from .models import Indicator, SelfEvaluation, default_title

SIDES = (SelfEvaluation.EAST, SelfEvaluation.WEST)


def side_indicators(side):
    """The active indicators a side is assessed on: its own and both sides'."""
    return Indicator.objects.active().filter(side__in=[side, Indicator.BOTH])


def snapshot_of(pairing, year, side=SelfEvaluation.WEST):
    """Return the figures and the side's indicator rows as they stand now."""
    figures = services.figures_for(pairing, year)
    rows = services.indicator_rows(pairing, year, figures, side_indicators(side))
    return {"figures": figures, "indicators": rows}


def get_or_draft(pairing, year, user=None, side=SelfEvaluation.WEST):
    """Return the side's self-evaluation of the year, drafting one from the
    data if none exists yet (narratives drafted from the figures)."""
    evaluation = SelfEvaluation.objects.filter(pairing=pairing, year=year, side=side).first()
    if evaluation is None:
        with transaction.atomic():
            snap = snapshot_of(pairing, year, side)
            evaluation = SelfEvaluation.objects.create(
                pairing=pairing, year=year, side=side, snapshot=snap, snapshot_at=timezone.now(),
                narratives=narrative.draft_all(snap["figures"]), drafted_by=user,
                title=default_title(pairing, year, side))
    return evaluation


def locked_sides(pairing_id, year):
    """The sides whose report of the pairing-year is finalised (locked)."""
    return set(SelfEvaluation.objects.filter(pairing_id=pairing_id, year=year, status=SelfEvaluation.CONFIRMED)
               .values_list("side", flat=True))


def is_locked(pairing_id, year, side=None):
    """Tell other modules whether a pairing-year's report is finalised: the
    side's, or without a side either of them."""
    sides = locked_sides(pairing_id, year)
    return side in sides if side else bool(sides)


def covers(indicator_side, sides):
    """Whether an indicator of `indicator_side` is in a report of one of `sides`."""
    return bool(sides) and (indicator_side == Indicator.BOTH or indicator_side in sides)


def snapshot_changes(evaluation):
    """Return the indicators whose live value differs from the snapshot's:
    [(name, unit, value in the snapshot, value now)], in catalogue order.
    A finalised report keeps its snapshot, so it has none to show."""
    if evaluation.is_locked:
        return []
    then = {row["code"]: row for row in (evaluation.snapshot or {}).get("indicators") or []}
    now = snapshot_of(evaluation.pairing, evaluation.year, evaluation.side)["indicators"]
    changes = []
    for row in now:
        old = then.get(row["code"])
        before = old["actual_display"] if old else "—"
        if before != row["actual_display"]:
            changes.append((row["name"], row["unit"], before, row["actual_display"]))
    return changes


# --- 互评: the two sides' figures side by side ----------------------------------

FLAGS = {"actual": gettext_noop("完成值不一致"), "target": gettext_noop("目标值不一致"),
         "missing_east": gettext_noop("东部缺少该指标"), "missing_west": gettext_noop("西部缺少该指标")}


def cross_check(pairing, year):
    """Return the two sides' figures for every indicator side by side.

    Each side's figures are its report's snapshot, or — while it has drafted
    none — the live rows of its indicators. Returns
    {"sources": {side: (evaluation or None)}, "rows": [...], "differences": n}
    where each row is {code, name, unit, side, east, west (row or None),
    flag_codes: [actual|target|missing_east|missing_west], flags: [text], differs: bool}. An indicator of one side only stands in
    that side's report alone and is shown, not flagged; an indicator both
    reports should hold is flagged when one of them lacks it, and any
    indicator both hold is flagged when their target or actual differs."""
    evaluations = SelfEvaluation.objects.of_year(pairing, year)
    live = None
    by_side = {}
    for side in SIDES:
        evaluation = evaluations.get(side)
        if evaluation is not None:
            rows = (evaluation.snapshot or {}).get("indicators") or []
        else:
            if live is None:
                live = services.indicator_rows(pairing, year, services.figures_for(pairing, year))
            rows = [r for r in live if r["side"] in (side, Indicator.BOTH)]
        by_side[side] = {r["code"]: r for r in rows}
    order = {code: n for n, code in enumerate(Indicator.objects.order_by("order", "code").values_list("code", flat=True))}
    codes = sorted(set(by_side["east"]) | set(by_side["west"]), key=lambda c: (order.get(c, len(order)), c))
    out, differences = [], 0
    for code in codes:
        east, west = by_side["east"].get(code), by_side["west"].get(code)
        first = east or west
        codes = []
        if east and west:
            codes += ["actual"] if east.get("actual") != west.get("actual") else []
            codes += ["target"] if east.get("target") != west.get("target") else []
        else:
            missing = "west" if east else "east"
            if first["side"] in (missing, Indicator.BOTH):
                codes.append(f"missing_{missing}")
        differs = bool(codes)
        differences += differs
        out.append({"code": code, "name": first["name"], "unit": first["unit"], "side": first["side"],
                    "east": east, "west": west, "flag_codes": codes, "flags": [gettext(FLAGS[c]) for c in codes],
                    "differs": differs})
    return {"sources": {side: evaluations.get(side) for side in SIDES}, "rows": out, "differences": differences}
