"""The dashboard's figure on the ledger page a card opens.

`{% dashboard_figures pairing year "labour.employed" %}` states, above a
ledger list, the indicators computed from that ledger for the pairing (with
its subtree) and year, exactly as the dashboard's cards show them (the
confirmed snapshot for a locked year), so the card and the page it opens
always give the same number.
"""

from django import template

from xiezuo.front.params import FIRST_YEAR, LAST_YEAR, int_or_none

register = template.Library()


@register.inclusion_tag("assessment/_dashboard_figures.html")
def dashboard_figures(pairing, year, *computations):
    from xiezuo.assessment import services

    year = int_or_none(str(year or ""), FIRST_YEAR, LAST_YEAR)
    if pairing is None or year is None:
        return {"rows": []}
    rows, _ = services.indicators_for(pairing, year)
    wanted = set(computations)
    return {"rows": [r for r in rows if r["computation"] in wanted], "year": year, "pairing": pairing}
