"""The figures endpoint: one JSON object with a section per module.

Each module registers a function `(pairing_ids, years) -> dict` under its
section name. `pairing_ids` is the pairing (first) and its whole subtree (a county
pair's figures include its township and school pairs); `years` is a list of
calendar years. Amounts are yuan as decimal strings, counts are integers.
"""

SECTIONS = {}


def section(name):
    def register(fn):
        SECTIONS[name] = fn
        return fn

    return register


def compute(pairing, years, sections=None):
    from xiezuo.pairings.models import Pairing

    subtree = Pairing.objects.filter(path__startswith=pairing.path).exclude(pk=pairing.pk)
    ids = [pairing.pk, *subtree.values_list("pk", flat=True)]
    result = {"pairing_id": pairing.pk, "years": list(years)}
    for name, fn in SECTIONS.items():
        if sections is None or name in sections:
            result[name] = fn(ids, list(years))
    return result
