from django.db.models import Count

from xiezuo.figures import section

from .models import Agreement, Pairing


@section("pairing", reads=("pairings",))
def pairing_section(pairing_ids, years):
    subs = Pairing.objects.filter(pk__in=pairing_ids[1:])
    by_level = {row["level"]: row["n"] for row in subs.values("level").annotate(n=Count("pk")).order_by("level")}
    agreements = Agreement.objects.filter(pairing_id__in=pairing_ids, year__in=years)
    return {
        "sub_pairings": sum(by_level.values()),
        "sub_pairings_by_level": by_level,
        "agreements": agreements.count(),
        "agreement_years": sorted(set(agreements.values_list("year", flat=True))),
    }
