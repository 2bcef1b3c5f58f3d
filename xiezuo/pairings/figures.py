"""The `pairing` section: sub-pairings, coverage by level, agreements.

`coverage` counts the pairings below the pairing (not itself) by level,
every level of `Pairing.LEVELS` present with 0 where there is none, as a
stock: a pairing counts from the year of its `since` date (an undated one
in every year), like parks (docs/modules/rules.md, "Indicator catalogue").
"""

from django.db.models import Count

from xiezuo.figures import section

from .models import Agreement, Pairing


@section("pairing", reads=("pairings",))
def pairing_section(pairing_ids, years):
    subs = Pairing.objects.filter(pk__in=pairing_ids[1:])
    by_level = {row["level"]: row["n"] for row in subs.values("level").annotate(n=Count("pk")).order_by("level")}
    formed = subs.formed_by(max(years))
    coverage = {code: 0 for code, _ in Pairing.LEVELS}
    for row in formed.values("level").annotate(n=Count("pk")).order_by("level"):
        coverage[row["level"]] = row["n"]
    agreements = Agreement.objects.filter(pairing_id__in=pairing_ids, year__in=years)
    return {
        "sub_pairings": sum(by_level.values()),
        "sub_pairings_by_level": by_level,
        # 结对覆盖: pairings formed by the end of the last year, by level.
        "coverage": coverage,
        "coverage_total": sum(coverage.values()),
        "agreements": agreements.count(),
        "agreement_years": sorted(set(agreements.values_list("year", flat=True))),
    }
