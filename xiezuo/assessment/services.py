"""From the figures registry to indicators, dashboards and roll-ups.

Figures are computed per pairing (with its subtree) and year by the
sections registered in `xiezuo.figures`, and cached in `FiguresCache` until
the audit chain shows a change in the subtree. Indicator rows combine the
catalogue, the year's agreement targets, the computed or hand-entered
actuals and the completion. Roll-ups add up county pairs.
"""

import datetime
import json
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, OperationalError, connection, transaction
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

from lib.money import grouped, yuan_str
from xiezuo import figures as registry
from xiezuo.audit.models import AuditHead
from xiezuo.pairings.models import AgreementTarget, Pairing

from . import computations
from .computations import AMOUNT, COUNT, RATE
from .models import FiguresCache, Indicator, ManualActual, PeriodFigures, SelfEvaluation

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


def _compute(ids, year, sections=None):
    result = {"pairing_id": ids[0], "years": [year]}
    for name, fn in registry.SECTIONS.items():
        if sections is None or name in sections:
            result[name] = fn(ids, [year])
    return result


def kept_parts(parts, recomputed):
    """The stored dashboard parts that a recomputation of the sections
    `recomputed` leaves valid: those built from none of them. A part names
    the sections whose reads cover every table it reads (checked by
    tests/assessment/test_precise_cache.py), so a change that can alter it
    makes one of them stale."""
    return {name: part for name, part in (parts or {}).items()
            if isinstance(part, dict) and not set(part.get("sections") or registry.SECTIONS) & recomputed}


def _entry(existing, pairing_id, year, figures, seq, today, recomputed, parts=None):
    """A newly computed cache entry, not yet written (`save_entry`)."""
    entry = FiguresCache(pk=existing.pk if existing is not None else None, pairing_id=pairing_id, year=year,
                         figures=figures, audit_seq=seq, computed_on=today, dashboard="", parts=parts or {})
    entry.recomputed, entry.unsaved = recomputed, True
    return entry


def save_entry(entry):
    """Write a computed entry, with its dashboard when one was built from it:
    one UPDATE of the existing row, else an INSERT."""
    values = {"figures": entry.figures, "audit_seq": entry.audit_seq, "computed_on": entry.computed_on,
              "dashboard": entry.dashboard, "parts": entry.parts}
    try:
        with transaction.atomic():
            if not (entry.pk and FiguresCache.objects.filter(pk=entry.pk).update(**values)):
                saved, _ = FiguresCache.objects.update_or_create(pairing_id=entry.pairing_id, year=entry.year,
                                                                 defaults=values)
                entry.pk = saved.pk
    except (IntegrityError, OperationalError):
        # Another request stored the same figures first (theirs are as good),
        # or the database is busy writing: the figures are served uncached.
        pass
    entry.unsaved = False
    return entry


def cache_entries(pairing_ids_by_root, years, save=True):
    """Return {(root id, year): FiguresCache} for several pairings and years.

    Reads the cache (one query), reads the audit events since the oldest
    entry (one query) and recomputes, per entry, only the sections those
    events can have changed for that year (`stale_sections`); an entry not
    computed today, or missing, is computed whole. `entry.recomputed` tells
    which sections were computed now (empty: served from the cache).
    With `save=False` a computed entry is left `unsaved` for the caller to
    write with what it builds from it (`store_dashboard`: one write).
    """
    today = timezone.localdate()
    roots = list(pairing_ids_by_root)
    cached = {(c.pairing_id, c.year): c for c in FiguresCache.objects.filter(pairing_id__in=roots, year__in=years)}
    valid = {k: c for k, c in cached.items() if c.computed_on == today}
    changes = []
    if valid:
        all_ids = {i for ids in pairing_ids_by_root.values() for i in ids}
        changes = changes_since(min(c.audit_seq for c in valid.values()), all_ids)
    head = None
    result = {}
    for root in roots:
        for year in years:
            entry = valid.get((root, year))
            if entry is None:
                stale = None  # everything
            else:
                stale, touched = stale_sections(changes, entry.audit_seq, set(pairing_ids_by_root[root]), year)
                if not touched:
                    entry.recomputed = frozenset()
                    result[(root, year)] = entry
                    continue
            if head is None:
                head = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
            if stale is not None and not stale:
                # No figure changed, but the dashboard built beside them shows
                # more (targets, hand-entered actuals, the self-evaluation's
                # state): keep the figures, rebuild the dashboard.
                result[(root, year)] = _entry(entry, root, year, entry.figures, head, today, frozenset(), entry.parts)
                continue
            if stale is None or stale >= set(registry.SECTIONS):
                figures, done = _compute(pairing_ids_by_root[root], year), frozenset(registry.SECTIONS)
            else:
                figures = {**entry.figures, **_compute(pairing_ids_by_root[root], year, stale)}
                done = frozenset(stale)
            figures = json.loads(json.dumps(figures, cls=DjangoJSONEncoder))
            parts = kept_parts(entry.parts, done) if entry is not None else {}
            result[(root, year)] = _entry(cached.get((root, year)), root, year, figures, head, today, done, parts)
    if save:
        for entry in result.values():
            if getattr(entry, "unsaved", False):
                save_entry(entry)
    return result


def fresh_cached(root, pairing_ids, years, sections):
    """Return {year: cached figures} for the years whose cache entry of
    `root` is of today and has none of `sections` made stale by a later
    change (two queries, whatever the number of years). Nothing is computed:
    the caller computes the other years its own way (the trends, grouped)."""
    today = timezone.localdate()
    valid = {c.year: c for c in FiguresCache.objects.filter(pairing_id=root, year__in=years, computed_on=today)}
    if not valid:
        return {}
    changes = changes_since(min(c.audit_seq for c in valid.values()), set(pairing_ids))
    wanted, fresh = set(sections), {}
    for year, entry in valid.items():
        stale, _ = stale_sections(changes, entry.audit_seq, set(pairing_ids), year)
        if not stale & wanted and all(name in entry.figures for name in wanted):
            fresh[year] = entry.figures
    return fresh


def period_figures(pairing, years, sections=None):
    """Return `figures.compute(pairing, years, sections)` from the cache
    where it is valid.

    One year is the dashboard's entry (`cache_entries`). A run of several
    years is a `PeriodFigures` entry: its sections that no audit event since
    can have changed in any of the years (`stale_sections`), computed today,
    are served as they are; the others asked for are computed and stored
    beside them. So the five-year figures cost what the one-year figures
    cost once computed, and an edit of one section (a sale) leaves the
    others (the labour figures, counted person by person over the period)
    as they were. Years that are not a run are computed, not cached.
    """
    years = sorted(set(years))
    names = [name for name in registry.SECTIONS if sections is None or name in sections]
    ids = subtree_ids([pairing])[pairing.pk]
    result = {"pairing_id": pairing.pk, "years": years}
    if len(years) == 1:
        figures = cache_entries({pairing.pk: ids}, years)[(pairing.pk, years[0])].figures
        return {**result, **{name: figures[name] for name in names}}
    if years != list(range(years[0], years[-1] + 1)):
        return registry.compute(pairing, years, names)
    today = timezone.localdate()
    # Read before anything is computed: a change made meanwhile is newer and
    # makes its sections stale next time.
    head = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    entry = PeriodFigures.objects.filter(pairing=pairing, first_year=years[0], last_year=years[-1]).first()
    kept, changed = {}, entry is None
    if entry is not None and entry.computed_on == today:
        changes = changes_since(entry.audit_seq, ids)
        stale = set()
        for year in years:
            sections_of_year, touched = stale_sections(changes, entry.audit_seq, set(ids), year)
            stale |= sections_of_year
            changed = changed or touched
        kept = {name: value for name, value in entry.figures.items() if name not in stale}
    elif entry is not None:
        changed = True  # another day: every section again
    missing = [name for name in names if name not in kept]
    if missing:
        computed = {name: registry.SECTIONS[name](ids, years) for name in missing}
        kept.update(json.loads(json.dumps(computed, cls=DjangoJSONEncoder)))
    if missing or changed:
        _save_period(pairing.pk, years, kept, head, today)
    return {**result, **{name: kept[name] for name in names}}


def _save_period(pairing_id, years, figures, seq, today):
    try:
        with transaction.atomic():
            PeriodFigures.objects.update_or_create(
                pairing_id=pairing_id, first_year=years[0], last_year=years[-1],
                defaults={"figures": figures, "audit_seq": seq, "computed_on": today})
    except (IntegrityError, OperationalError):
        # Another request stored the same period first (its figures are as
        # good), or the database is busy writing: served uncached this time.
        pass


def figures_by_year(pairing_ids_by_root, years):
    """Return {(root id, year): figures}, from the cache where it is valid."""
    return {k: c.figures for k, c in cache_entries(pairing_ids_by_root, years).items()}


def store_dashboard(entry, text):
    """Keep the dashboard JSON, and the parts it was built with, beside the
    figures they were built from (written together when the figures are new)."""
    entry.dashboard = text
    if getattr(entry, "unsaved", False):
        save_entry(entry)
    elif entry.pk:
        try:
            with transaction.atomic():
                FiguresCache.objects.filter(pk=entry.pk, audit_seq=entry.audit_seq).update(
                    dashboard=text, parts=entry.parts)
        except OperationalError:
            pass  # busy: built again next time


# Catalogue changes carry no pairing but change every dashboard's indicators.
GLOBAL_MODELS = ("assessment.Indicator",)
# Actions that change no ledger data (reading personal data is logged, not a change).
READ_ACTIONS = ("view_pii", "export_pii")
# Models whose rows count in exactly the year of their `year` field in every
# section that reads them: a change of one touches that year (before and
# after). Any other model's change touches every year of the sections that
# read it (a disbursement counts in its project's year, a job in every year
# it spans: not worth tracing for a cache).
YEAR_FIELD_MODELS = frozenset({
    "consumption.sale", "consumption.canteenbudget", "funds.fundreceipt", "funds.project",
    "pairings.agreement", "procurement.tender", "industry.agreeditem", "labour.labouryearrule",
})
# Beyond this many events since the oldest entry (a big import), the events'
# contents are not read: their sections are stale in every year.
MAX_EVENTS_READ = 2000


class Change:
    """What one audit event can have changed: in which pairing (None: every
    pairing), which sections, which years (None: every year)."""

    __slots__ = ("seq", "pairing_id", "sections", "years")

    def __init__(self, seq, pairing_id, sections, years):
        self.seq, self.pairing_id, self.sections, self.years = seq, pairing_id, sections, years


def _years_of(model, before, after):
    if model.lower() not in YEAR_FIELD_MODELS:
        return None
    years = {snap.get("year") for snap in (before, after) if isinstance(snap, dict)}
    if not years or not all(isinstance(y, int) for y in years):
        return None
    return frozenset(years)


def changes_since(seq, ids):
    """The changes (audit events newer than `seq`) of the pairings `ids`, and
    the pairing-less ones that concern every pairing (the catalogue, national
    settings such as the labour year rule). Scans the audit chain forward from
    `seq` (its unique index): the work is proportional to the changes since
    the cache was made. The unary plus keeps the planner (SQLite and
    PostgreSQL alike) from choosing the pairing index instead."""
    if not ids:
        return []
    ids = list(ids)
    marks = ",".join(["%s"] * len(ids))
    reads = ",".join(["%s"] * len(READ_ACTIONS))
    where = f"seq > %s AND action NOT IN ({reads}) AND (+pairing_id IN ({marks}) OR pairing_id IS NULL)"
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM audit_auditevent WHERE {where}", [seq, *READ_ACTIONS, *ids])
        if cur.fetchone()[0] > MAX_EVENTS_READ:
            cur.execute(f"SELECT MAX(seq), pairing_id, model FROM audit_auditevent WHERE {where} "
                        "GROUP BY pairing_id, model", [seq, *READ_ACTIONS, *ids])
            rows = [(s, p, m, None, None) for s, p, m in cur.fetchall()]
        else:
            cur.execute(f"SELECT seq, pairing_id, model, before, after FROM audit_auditevent WHERE {where}",
                        [seq, *READ_ACTIONS, *ids])
            rows = cur.fetchall()
    changes = []
    for event_seq, pairing_id, model, before, after in rows:
        sections = registry.sections_reading(model) if model else set(registry.SECTIONS)
        if model in GLOBAL_MODELS:
            sections = set(registry.SECTIONS)
        if pairing_id is None and not sections:
            continue  # accounts, tokens: nothing a pairing's dashboard shows
        before, after = _json(before), _json(after)
        changes.append(Change(event_seq, pairing_id, frozenset(sections), _years_of(model or "", before, after)))
    return changes


def _json(value):
    # PostgreSQL's driver returns JSON columns parsed; SQLite returns text.
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def stale_sections(changes, since, pairing_ids, year):
    """Return (sections, touched): the sections of an entry (computed as of
    audit seq `since`, for the pairings `pairing_ids` and `year`) that later
    changes may have altered, and whether any later change concerns the
    entry at all (its stored dashboard then goes, even if no figure did)."""
    stale, touched = set(), False
    for change in changes:
        if change.seq <= since:
            continue
        if change.pairing_id is not None and change.pairing_id not in pairing_ids:
            continue
        if change.years is not None and year not in change.years:
            continue
        stale |= change.sections
        touched = True
    return stale, touched


def default_year(pairing):
    """The year a dashboard opens on: the pairing's working year (see
    `Pairing.default_year`)."""
    return pairing.default_year()


def warm(pairing_id):
    """Recompute, after a change, the figures a change of this pairing made
    stale: of the pairing and every pairing above it (whose roll-ups count
    it), for the years whose figures were being looked at (cached) and the
    year the dashboard opens on, and for the periods looked at today. Run on
    the job queue after an import (`tasks.warm_figures`), so the next person
    opening a dashboard gets it from the cache instead of waiting for the
    sums."""
    pairing = Pairing.objects.filter(pk=pairing_id).first()
    if pairing is None:
        return {}
    pairings = [*pairing.ancestors(), pairing]
    ids = [p.pk for p in pairings]
    years = set(FiguresCache.objects.filter(pairing_id__in=ids).values_list("year", flat=True))
    years.add(default_year(pairing))
    entries = cache_entries(subtree_ids(pairings), sorted(years))
    # And the periods looked at today, each for the sections asked of it.
    by_id = {p.pk: p for p in pairings}
    for period in PeriodFigures.objects.filter(pairing_id__in=ids, computed_on=timezone.localdate()):
        period_figures(by_id[period.pairing_id], range(period.first_year, period.last_year + 1), list(period.figures))
    return entries


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
        "basis": indicator.basis,
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
    """Return (rows, {side: self-evaluation}) for a pairing-year."""
    return indicators_for_figures(pairing, year, figures_for(pairing, year))


def indicators_for_figures(pairing, year, figures):
    """Return (rows, {side: self-evaluation}): what a finalised report says
    is reported, the live figures otherwise (`reported_rows`)."""
    evaluations = SelfEvaluation.objects.of_year(pairing, year)
    return reported_rows(indicator_rows(pairing, year, figures), evaluations), evaluations


def finalised(evaluations):
    """The finalised reports with a snapshot, the west's first: where both
    hold an indicator of both sides, or the figures as a whole, the west's
    is reported (the west keeps most ledgers; our judgement)."""
    return [e for side in ("west", "east") if (e := evaluations.get(side)) and e.is_locked
            and (e.snapshot or {}).get("indicators")]


def reported_rows(live_rows, evaluations):
    """Replace live rows by those of the finalised reports that hold them."""
    done = finalised(evaluations)
    if not done:
        return live_rows
    frozen = {}
    for evaluation in reversed(done):  # the west's last, so it wins
        frozen.update({row["code"]: row for row in evaluation.snapshot["indicators"]})
    return [frozen.get(row["code"], row) for row in live_rows]


def reported_figures(live_figures, evaluations):
    """The figures a year reports: a finalised report's (the west's first), else live."""
    done = finalised(evaluations)
    return (done[0].snapshot.get("figures") if done else None) or live_figures


def year_locked(evaluations):
    """Whether every figure of the year is a finalised one: both reports finalised."""
    return all(evaluations.get(side) is not None and evaluations[side].is_locked for side in ("east", "west"))


def evaluation_states(evaluations):
    """{side: status or None} for the API."""
    return {side: (evaluations[side].status if side in evaluations else None) for side in ("east", "west")}


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
    # Distinct parties are counted once over all the trees, not once a tree.
    union = sorted({pk for c in counties for pk in ids[c.pk]})
    for name in registry.RECOUNT if counties else ():
        total[name] = registry.SECTIONS[name](union, [year])
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
