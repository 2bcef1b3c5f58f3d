"""The figures endpoint: one JSON object with a section per module.

Each module registers a function `(pairing_ids, years) -> dict` under its
section name. `pairing_ids` is the pairing (first) and its whole subtree (a county
pair's figures include its township and school pairs); `years` is a list of
calendar years. Amounts are yuan as decimal strings, counts are integers.
"""

SECTIONS = {}
# {section: set of model labels ("app.model", lower case) or app labels it
# reads}; a section registered without `reads` is taken to read everything.
# The figures cache throws away only the sections a change can alter
# (assessment.services); tests/assessment/test_precise_cache.py checks every
# declaration against the tables the section really queries.
READS = {}
# Sections a roll-up over several county pairs computes again over the union
# of their trees instead of adding the pairs' figures up: they count distinct
# parties that may stand in two trees (an eastern enterprise investing in two
# counties is one enterprise of the province). Their tables are small, so the
# recount stays cheap at national scale.
RECOUNT = set()


def section(name, reads=None, recount=False):
    def register(fn):
        SECTIONS[name] = fn
        READS[name] = None if reads is None else frozenset(r.lower() for r in reads)
        if recount:
            RECOUNT.add(name)
        return fn

    return register


# {section: function (pairing_ids, years) -> {year: {key: value}}}: the
# headline figures of the multi-year trend (assessment.dashboard.TREND), each
# year's value equal to the section's own for that year alone, computed for
# all the years at once in a fixed number of grouped queries (GROUP BY year).
BY_YEAR = {}


def by_year(name):
    def register(fn):
        BY_YEAR[name] = fn
        return fn

    return register


def headline_by_year(pairing_ids, years, paths):
    """Return {year: {section: {key: value}}} for the dotted `paths`
    ("funds.received", …) of the sections that compute them by year."""
    years = sorted(set(years))
    result = {y: {} for y in years}
    for name in dict.fromkeys(path.partition(".")[0] for path in paths):
        if name not in BY_YEAR:
            continue
        for y, values in BY_YEAR[name](pairing_ids, years).items():
            result[y][name] = values
    return result


def sections_reading(model_label):
    """The sections whose figures a change of `model_label` may alter."""
    label = model_label.lower()
    app = label.partition(".")[0]
    reads_of = (READS.get(name) for name in SECTIONS)
    return {name for name, reads in zip(SECTIONS, reads_of) if reads is None or label in reads or app in reads}


def compute(pairing, years, sections=None):
    from xiezuo.pairings.models import Pairing

    subtree = Pairing.objects.filter(path__startswith=pairing.path).exclude(pk=pairing.pk)
    ids = [pairing.pk, *subtree.values_list("pk", flat=True)]
    result = {"pairing_id": pairing.pk, "years": list(years)}
    for name, fn in SECTIONS.items():
        if sections is None or name in sections:
            result[name] = fn(ids, list(years))
    return result


def cached(pairing, years, sections=None):
    """`compute`, served from the figures cache where it is valid: what
    pages and the API read (`assessment.services.period_figures`; the
    assessment app keeps the cache and knows when a change makes it stale)."""
    from xiezuo.assessment.services import period_figures

    return period_figures(pairing, years, sections)
