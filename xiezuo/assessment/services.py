"""From the figures registry to indicators, dashboards and roll-ups.

Figures are computed per pairing (with its subtree) and year by the
sections registered in `xiezuo.figures`, and cached in `FiguresCache` until
the audit chain shows a change in the subtree. Indicator rows combine the
catalogue, the year's agreement targets, the computed or hand-entered
actuals and the completion. Roll-ups add up county pairs.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from lib.money import grouped, yuan_str
from xiezuo import figures as registry
from xiezuo.audit.models import AuditHead
from xiezuo.pairings.models import AgreementTarget, Pairing

from . import computations
from .computations import AMOUNT, COUNT, RATE
from .models import FiguresCache, Indicator, ManualActual, SelfEvaluation

HUNDRED = Decimal(100)
TWO = Decimal("0.01")


# --- figures, cached ---------------------------------------------------------

def subtree_ids(pairings):
    """Return {pairing id: [its id, then its descendants' ids]} in one query."""
    pairings = list(pairings)
    ids = {p.pk: [p.pk] for p in pairings}
    if not pairings:
        return ids
    q = Q()
    for p in pairings:
        q |= Q(path__startswith=p.path)
    rows = Pairing.objects.filter(q).values_list("pk", "path")
    by_path = sorted(((p.path, p.pk) for p in pairings), key=lambda t: -len(t[0]))
    for pk, path in rows:
        for root_path, root in by_path:
            if path.startswith(root_path) and pk != root:
                ids[root].append(pk)
    return ids


def _compute(ids, year):
    result = {"pairing_id": ids[0], "years": [year]}
    for name, fn in registry.SECTIONS.items():
        result[name] = fn(ids, [year])
    return result


def _store(pairing_id, year, figures, seq, today):
    try:
        with transaction.atomic():
            entry, _ = FiguresCache.objects.update_or_create(
                pairing_id=pairing_id, year=year,
                defaults={"figures": figures, "audit_seq": seq, "computed_on": today, "dashboard": ""})
            return entry
    except (IntegrityError, OperationalError):
        # Another request stored the same figures first (theirs are as good),
        # or the database is busy writing: the figures are served uncached.
        return FiguresCache(pairing_id=pairing_id, year=year, figures=figures, audit_seq=seq, computed_on=today)


def cache_entries(pairing_ids_by_root, years):
    """Return {(root id, year): FiguresCache} for several pairings and years.

    Reads the cache (one query), checks it against the audit chain (one
    query) and recomputes only the stale or missing entries.
    """
    today = timezone.localdate()
    roots = list(pairing_ids_by_root)
    cached = {(c.pairing_id, c.year): c for c in FiguresCache.objects.filter(pairing_id__in=roots, year__in=years)}
    valid = {k: c for k, c in cached.items() if c.computed_on == today}
    if valid:
        oldest = min(c.audit_seq for c in valid.values())
        all_ids = {i for ids in pairing_ids_by_root.values() for i in ids}
        changed = _changed_since_by_seq(oldest, all_ids)
        for key, c in list(valid.items()):
            ids = [*pairing_ids_by_root[key[0]], None]
            if any(changed.get(i, -1) > c.audit_seq for i in ids):
                del valid[key]
    missing = [(r, y) for r in roots for y in years if (r, y) not in valid]
    if missing:
        head = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
        for root, year in missing:
            valid[(root, year)] = _store(root, year, _compute(pairing_ids_by_root[root], year), head, today)
    return valid


def figures_by_year(pairing_ids_by_root, years):
    """Return {(root id, year): figures}, from the cache where it is valid."""
    return {k: c.figures for k, c in cache_entries(pairing_ids_by_root, years).items()}


def store_dashboard(entry, text):
    """Keep the dashboard JSON beside the figures it was built from."""
    if entry.pk:
        try:
            with transaction.atomic():
                FiguresCache.objects.filter(pk=entry.pk, audit_seq=entry.audit_seq).update(dashboard=text)
        except OperationalError:
            pass  # busy: built again next time


# Catalogue changes carry no pairing but change every dashboard's indicators.
GLOBAL_MODELS = ("assessment.Indicator",)


def _changed_since_by_seq(seq, ids):
    """Return {pairing id: newest audit seq} for events newer than `seq`
    (key None: a change of the catalogue, which concerns every pairing).

    Scans the audit chain forward from `seq` (its unique index) rather than
    every event of the pairings: the work is proportional to the changes since
    the cache was made. The unary plus keeps the planner (SQLite and
    PostgreSQL alike) from choosing the pairing index instead.
    """
    if not ids:
        return {}
    ids = list(ids)
    marks = ",".join(["%s"] * len(ids))
    models = ",".join(["%s"] * len(GLOBAL_MODELS))
    sql = (f"SELECT CASE WHEN model IN ({models}) THEN NULL ELSE pairing_id END, MAX(seq) FROM audit_auditevent "
           f"WHERE seq > %s AND (+pairing_id IN ({marks}) OR model IN ({models})) GROUP BY 1")
    with connection.cursor() as cur:
        cur.execute(sql, [*GLOBAL_MODELS, seq, *ids, *GLOBAL_MODELS])
        return dict(cur.fetchall())


def default_year(pairing):
    """The year a dashboard opens on: the latest agreement year, else this year."""
    from django.db.models import Max

    return pairing.agreements.aggregate(y=Max("year"))["y"] or today().year


def warm(pairing_id):
    """Recompute, after a change, the figures a change of this pairing made
    stale: of the pairing and every pairing above it (whose roll-ups count
    it), for the years whose figures were being looked at (cached) and the
    year the dashboard opens on. Run on the job queue after an import
    (`tasks.warm_figures`), so the next person opening a dashboard gets it
    from the cache instead of waiting for the sums."""
    pairing = Pairing.objects.filter(pk=pairing_id).first()
    if pairing is None:
        return {}
    pairings = [*pairing.ancestors(), pairing]
    ids = [p.pk for p in pairings]
    years = set(FiguresCache.objects.filter(pairing_id__in=ids).values_list("year", flat=True))
    years.add(default_year(pairing))
    return cache_entries(subtree_ids(pairings), sorted(years))


def figures_for(pairing, year):
    return figures_by_year(subtree_ids([pairing]), [year])[(pairing.pk, year)]


# --- numbers -------------------------------------------------------------------

def serialise(value, kind):
    """Serialise a number the way the API writes it."""
    if value is None:
        return None
    if kind == AMOUNT:
        return yuan_str(value)
    if kind == RATE:
        return str(Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP))
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else str(value.quantize(TWO))


def completion(actual, target):
    """Return actual/target as a percent with two places, or None."""
    if actual is None or target is None or Decimal(target) == 0:
        return None
    return (Decimal(actual) * HUNDRED / Decimal(target)).quantize(TWO, rounding=ROUND_HALF_UP)


def display(value, indicator):
    """Write a value in the indicator's own unit: 4300万元, 150人次, 85.50%."""
    if value is None:
        return "—"
    value = Decimal(value)
    if indicator.kind == AMOUNT and indicator.unit == "万元":
        value = value / 10_000
    elif indicator.kind == AMOUNT and indicator.unit == "亿元":
        value = value / 100_000_000
    # lib.money's grouping: 4300万元 as offices write it, 12,345.6万元 beyond four digits.
    return f"{grouped(value.quantize(TWO, rounding=ROUND_HALF_UP).normalize())}{indicator.unit}"


def target_value(indicator, target):
    """Convert an agreement target to the base unit of the actual, using the
    target's own unit when it was written with one."""
    if target is None:
        return None
    unit = target.unit or indicator.unit
    if indicator.kind == AMOUNT:
        factor = {"万元": Decimal(10_000), "亿元": Decimal(100_000_000), "万": Decimal(10_000)}.get(unit, Decimal(1))
        return target.value * factor
    return target.value


# --- indicator rows ------------------------------------------------------------

def targets_by_pairing(pairing_ids, years):
    """Return {(pairing id, year): {indicator code: AgreementTarget}} in one query."""
    out = {}
    rows = AgreementTarget.objects.filter(agreement__pairing_id__in=pairing_ids, agreement__year__in=years) \
        .select_related("agreement")
    for t in rows:
        out.setdefault((t.agreement.pairing_id, t.agreement.year), {})[t.indicator] = t
    return out


def manual_by_pairing(pairing_ids, years):
    out = {}
    for m in ManualActual.objects.filter(pairing_id__in=pairing_ids, year__in=years):
        out.setdefault((m.pairing_id, m.year), {})[m.indicator_id] = m
    return out


def indicator_row(indicator, figures, target, manual):
    kind = indicator.kind
    if indicator.is_manual:
        actual = indicator.target_in_base(manual.value) if manual else None
        if actual is not None and kind == COUNT:
            actual = int(actual)
    else:
        actual = computations.evaluate(indicator.computation, figures)
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "side": indicator.side,
        "kind": kind,
        "computation": indicator.computation,
        "target": serialise(target, kind),
        "actual": serialise(actual, kind),
        "completion": serialise(completion(actual, target), RATE),
        "target_display": display(target, indicator) if target is not None else "—",
        "actual_display": display(actual, indicator),
        "evidence": (manual.note if manual else "") if indicator.is_manual else "",
        "disaggregations": [
            {"name": label, "computation": key,
             "actual": serialise(computations.evaluate(key, figures), computations.kind_of(key))}
            for label, key in indicator.disaggregation_list()
        ],
    }


def indicator_rows(pairing, year, figures, indicators=None):
    """Return the indicator rows of a pairing-year (3 queries)."""
    indicators = list(indicators if indicators is not None else Indicator.objects.active())
    targets = targets_by_pairing([pairing.pk], [year]).get((pairing.pk, year), {})
    manual = manual_by_pairing([pairing.pk], [year]).get((pairing.pk, year), {})
    return [indicator_row(ind, figures, target_value(ind, targets.get(ind.code)), manual.get(ind.pk))
            for ind in indicators]


def indicators_for(pairing, year):
    """Return (rows, self-evaluation or None) for a pairing-year."""
    evaluation = SelfEvaluation.objects.filter(pairing=pairing, year=year).first()
    if evaluation and evaluation.is_locked and evaluation.snapshot.get("indicators"):
        return evaluation.snapshot["indicators"], evaluation
    return indicator_rows(pairing, year, figures_for(pairing, year)), evaluation


def indicators_for_figures(pairing, year, figures):
    """Return (rows, self-evaluation or None): a confirmed year reports what
    was confirmed, any other year the live figures."""
    evaluation = SelfEvaluation.objects.filter(pairing=pairing, year=year).first()
    if evaluation and evaluation.is_locked and evaluation.snapshot.get("indicators"):
        return evaluation.snapshot["indicators"], evaluation
    return indicator_rows(pairing, year, figures), evaluation


# --- roll-up -------------------------------------------------------------------

def is_rate_key(key):
    return key.endswith("_rate") or key in ("completion",)


def add_figures(total, part):
    """Add two figures dicts: counts and amounts add up, nested dicts add up
    by key, lists and rates are dropped (a rate does not add up; known rates
    are recomputed by `recompute_rates`)."""
    out = dict(total)
    for key, value in part.items():
        if key in ("pairing_id", "years"):
            continue
        if isinstance(value, dict):
            out[key] = add_figures(out.get(key) or {}, value)
        elif isinstance(value, bool) or is_rate_key(key):
            out[key] = None
        elif isinstance(value, int):
            prev = out.get(key)
            out[key] = (prev if isinstance(prev, int) else 0) + value
        elif isinstance(value, str):
            try:
                number = Decimal(value)
            except ArithmeticError:
                continue
            prev = out.get(key)
            try:
                base = Decimal(prev) if isinstance(prev, str) else Decimal(0)
            except ArithmeticError:
                base = Decimal(0)
            out[key] = yuan_str(base + number)
        elif value is None and key not in out:
            out[key] = None
    return out


# Rates that can be rebuilt from summed parts: (section, rate, numerator, denominator).
# The execution rate's denominator is a setting (funds.figures.execution_base).
RATE_FORMULAS = [
    ("funds", "execution_rate", "disbursed", "EXECUTION_BASE"),
    ("consumption", "completion", "total", "target"),
]


def recompute_rates(figures):
    from xiezuo.funds.figures import execution_base

    for section, rate, num, den in RATE_FORMULAS:
        den = execution_base() if den == "EXECUTION_BASE" else den
        part = figures.get(section)
        if isinstance(part, dict) and num in part and den in part:
            try:
                value = completion(Decimal(part[num]), Decimal(part[den] or 0))
            except (ArithmeticError, TypeError):
                value = None
            part[rate] = serialise(value, RATE)
    return figures


def county_pairs_within(region, scope):
    """County pairs whose east or west party lies within the region (all of
    them for the national view), among those the user may read."""
    qs = Pairing.objects.filter(level="county", pk__in=scope.pairing_ids("read"))
    if region is not None:
        qs = qs.filter(Q(east_region__path__startswith=region.path) | Q(west_region__path__startswith=region.path))
    return list(qs.select_related("east_region", "west_region"))


def rollup(counties, year):
    """Return (summed figures, per-county figures, summed indicator rows)."""
    ids = subtree_ids(counties)
    by_key = figures_by_year(ids, [year])
    total = {}
    per_county = []
    for c in counties:
        f = by_key[(c.pk, year)]
        total = add_figures(total, f)
        per_county.append((c, f))
    recompute_rates(total)
    indicators = list(Indicator.objects.active())
    targets = targets_by_pairing([c.pk for c in counties], [year])
    rows = []
    for ind in indicators:
        summed = None
        for c in counties:
            t = targets.get((c.pk, year), {}).get(ind.code)
            if t is not None and ind.kind != RATE:
                summed = (summed or Decimal(0)) + target_value(ind, t)
        rows.append(indicator_row(ind, total, summed, None))
    return total, per_county, rows


def today():
    return timezone.localdate()


def month_range(year):
    return [datetime.date(year, m, 1) for m in range(1, 13)]
