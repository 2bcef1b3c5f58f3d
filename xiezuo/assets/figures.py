"""The `assets` figures section.

- `by_kind`: {kind: {"count", "value"}} of the assets held at the end of
  the (last) year: handed over by then and not disposed of by then (one
  disposed of later still counts for the year); `count` and `value` their
  totals. Our judgement: no public text defines the count.
- `income`: the income (收益) of operating assets for the year(s), by the
  income's own year;
- `households` and `poor_households`: the households its shares reached
  in the year(s), and of them 脱贫户 (summed over the shares as entered: a
  household paid twice is counted twice, as the offices' ledgers do).
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Sum

from lib.money import yuan_str
from xiezuo.figures import section

from .models import KINDS, Asset, AssetIncome, AssetIncomeShare


@section("assets", reads=("assets",))
def assets_section(pairing_ids, years):
    day = datetime.date(max(years), 12, 31)
    by_kind = {code: {"count": 0, "value": Decimal("0")} for code, _ in KINDS}
    rows = (Asset.objects.filter(pairing_id__in=pairing_ids).held_on(day).values("kind")
            .annotate(n=Count("pk"), v=Sum("value")).order_by())
    for r in rows:
        by_kind[r["kind"]] = {"count": r["n"], "value": r["v"] or Decimal("0")}
    total = sum((k["value"] for k in by_kind.values()), Decimal("0"))
    income = AssetIncome.objects.filter(asset__pairing_id__in=pairing_ids, year__in=years).aggregate(
        s=Sum("amount"))["s"] or Decimal("0")
    shares = AssetIncomeShare.objects.filter(income__asset__pairing_id__in=pairing_ids,
                                             income__year__in=years).aggregate(h=Sum("households"),
                                                                                p=Sum("poor_households"))
    return {
        "count": sum(k["count"] for k in by_kind.values()),
        "value": yuan_str(total),
        "by_kind": {code: {"count": k["count"], "value": yuan_str(k["value"])} for code, k in by_kind.items()},
        "income": yuan_str(income),
        "households": shares["h"] or 0,
        "poor_households": shares["p"] or 0,
    }
