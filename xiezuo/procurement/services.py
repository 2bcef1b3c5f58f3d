"""The rule engine: which settings are in force for a process, and the
recomputation of its findings whenever a record or a rule set changes.

Recomputation is synchronous and runs inside the caller's transaction, so a
saved bid and the findings it causes commit or roll back together. Several
saves can be grouped with `batch()` so a form that writes many rows
recomputes once at the end.
"""

import contextlib
import contextvars
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from .models import OPEN, SEVERITIES, Finding, RuleSet, Tender
from .rules import RULES, coerce

_pending = contextvars.ContextVar("procurement_pending", default=None)


@dataclass
class Effective:
    """A rule's setting after layering national and county rule sets."""

    code: str
    name: str
    enabled: bool
    severity: str
    params: dict
    law: str
    article: str
    rule_version: object  # the RuleSetVersion that supplied the setting, or None for code defaults
    overridden: bool = False

    @property
    def severity_display(self):
        return dict(SEVERITIES)[self.severity]


def _layers(pairing):
    """Return the rule sets that apply to a pairing, national first, then the
    sets of its ancestors from the top down to the pairing itself."""
    ids = [int(x) for x in pairing.path.strip("/").split("/") if x]
    sets = list(RuleSet.objects.filter(Q(pairing__isnull=True) | Q(pairing_id__in=ids)))
    depth = {pid: i for i, pid in enumerate(ids)}
    return sorted(sets, key=lambda s: -1 if s.pairing_id is None else depth[s.pairing_id])


def effective_settings(pairing, date, layers=None):
    """Return {rule code: Effective} in force for a process of `pairing` started on `date`
    (or, with `layers`, what those rule sets alone give)."""
    result = {
        code: Effective(code, r.name, True, r.severity, r.defaults(), r.law, r.article, None)
        for code, r in RULES.items()
    }
    for ruleset in (_layers(pairing) if layers is None else layers):
        version = ruleset.version_on(date)
        if version is None:
            continue
        for s in version.settings.all():
            eff = result.get(s.rule_code)
            if eff is None:
                continue  # a rule retired from the code
            eff.enabled, eff.severity = s.enabled, s.severity
            eff.params = coerce(RULES[s.rule_code], {**eff.params, **(s.params or {})})
            eff.law, eff.article = s.law or eff.law, s.article or eff.article
            eff.overridden = not ruleset.is_national
            eff.rule_version = version
    return result


def layers_for(pairing):
    """Return the rule sets that apply to a pairing, national first."""
    return _layers(pairing)


def inherited_settings(version):
    """Return what a version's rules would be without it: for a county
    version the layers above it, for the national set the code defaults."""
    ruleset = version.ruleset
    if ruleset.is_national:
        return effective_settings(None, version.effective_from, layers=[])
    above = [s for s in _layers(ruleset.pairing) if s.pk != ruleset.pk]
    return effective_settings(None, version.effective_from, layers=above)


class Context:
    """Finds the processes a rule compares with: same project, same buyer."""

    def same_project_kind(self, t):
        return list(Tender.objects.filter(project_id=t.project_id, item_kind=t.item_kind).order_by("pk"))

    def split_group(self, t):
        same = Q(project_id=t.project_id) | Q(buyer_id=t.buyer_id, year=t.year)
        return list(Tender.objects.filter(same, item_kind=t.item_kind).exclude(method=OPEN).order_by("pk"))

    def buyer_supplier_awards(self, t):
        key = Q(award_supplier_uscc=t.award_supplier_uscc) if t.award_supplier_uscc else Q(
            award_supplier=t.award_supplier, award_supplier_uscc="")
        return list(Tender.objects.filter(key, buyer_id=t.buyer_id, year=t.year).exclude(award_supplier="")
                    .order_by("pk"))


def evaluate(tender, settings=None):
    """Return [(Effective, Hit)] for a process, without touching findings."""
    if settings is None:
        settings = effective_settings(tender.pairing, tender.process_date)
    ctx = Context()
    out = []
    for code, eff in settings.items():
        if not eff.enabled:
            continue
        for hit in RULES[code].fn(tender, eff.params, ctx):
            out.append((eff, hit))
    return out


def recompute(tender_ids):
    """Bring the findings of these processes in line with the rules in force."""
    tenders = (Tender.objects.filter(pk__in=tender_ids).select_related("pairing", "buyer")
               .prefetch_related("bids", "amendments", "findings"))
    cache = {}
    with transaction.atomic():
        for t in tenders:
            key = (t.pairing_id, t.process_date)
            if key not in cache:
                cache[key] = effective_settings(t.pairing, t.process_date)
            _apply(t, evaluate(t, cache[key]))


def _apply(tender, hits):
    existing = {(f.rule_code, f.key): f for f in tender.findings.all()}
    seen = set()
    for eff, hit in hits:
        seen.add((eff.code, hit.key))
        values = {"rule_name": eff.name, "law": eff.law, "article": eff.article, "severity": eff.severity,
                  "explanation": hit.explanation, "figures": hit.figures, "rule_version": eff.rule_version,
                  "active": True, "pairing_id": tender.pairing_id}
        finding = existing.get((eff.code, hit.key))
        if finding is None:
            Finding.objects.create(tender=tender, rule_code=eff.code, key=hit.key, **values)
            continue
        changed = [k for k, v in values.items() if getattr(finding, k) != v]
        if changed:
            for k in changed:
                setattr(finding, k, values[k])
            finding.save()
    for k, finding in existing.items():
        if k not in seen and finding.active:
            finding.active = False
            finding.save()


def _run(ids):
    if ids:
        recompute(ids)


def _request(ids):
    pending = _pending.get()
    if pending is None:
        _run(set(ids))
    else:
        pending.update(ids)


@contextlib.contextmanager
def batch():
    """Defer recomputation until the block ends, then recompute once."""
    if _pending.get() is not None:
        yield
        return
    pending = set()
    with collecting(pending):
        yield
    _run(pending)


@contextlib.contextmanager
def collecting(pending):
    """Gather into `pending` the processes that saves inside the block would
    recompute, without recomputing them; the caller runs `recompute(pending)`
    once when all its writes are done.

    For writes spread over several calls that share one transaction but no
    enclosing block (a ledger import writes rows as it reads them and has a
    last step only when nothing went wrong): a `batch()` held open across
    those calls would stay open whenever the last step is skipped. Inside a
    `batch()` the batch gathers them as usual.
    """
    if _pending.get() is not None:
        yield
        return
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)


def tender_changed(tender, previous):
    """Recompute a process and the processes grouped with it by a rule: the
    same project, or the same buyer in the same year (before and after the
    change: moving a process out of a group changes the group)."""
    projects, q = set(), Q(pk__in=[])
    current = {"project_id": getattr(tender, "project_id", None), "buyer_id": getattr(tender, "buyer_id", None),
               "year": getattr(tender, "year", None)}
    for item in (previous or {}, current):
        if item.get("project_id"):
            projects.add(item["project_id"])
        if item.get("buyer_id") and item.get("year"):
            q |= Q(buyer_id=item["buyer_id"], year=item["year"])
    if projects:
        q |= Q(project_id__in=projects)
    _request(Tender.objects.filter(q).values_list("pk", flat=True))


def ruleset_changed(ruleset):
    """Recompute every process the rule set applies to."""
    qs = Tender.objects.all()
    if ruleset.pairing_id:
        qs = qs.filter(pairing__path__startswith=ruleset.pairing.path)
    _request(qs.values_list("pk", flat=True))
