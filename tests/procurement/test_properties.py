"""Properties of the threshold and period rules over many values (no database:
the rules read only the process's own fields)."""

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from xiezuo.procurement.models import Tender
from xiezuo.procurement.rules import RULES

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)
kinds = st.sampled_from(["works", "goods", "services", "consultancy"])


@given(amount=amounts, kind=kinds, band=st.decimals(min_value=0, max_value=50, places=2),
       threshold=st.integers(min_value=10_000, max_value=50_000_000))
def test_just_below_fires_exactly_inside_the_band(amount, kind, band, threshold):
    rule = RULES["JUST_BELOW"]
    params = {**rule.defaults(), kind: f"{threshold}.00", "band_percent": str(band)}
    t = Tender(item_kind=kind, method="open", estimated_value=amount, year=2023)
    fired = bool(rule.fn(t, params, None))
    floor = Decimal(threshold) * (100 - band) / 100
    assert fired == (floor <= amount < threshold)


@given(start=st.dates(min_value=datetime.date(2018, 6, 1), max_value=datetime.date(2030, 1, 1)),
       days=st.integers(min_value=0, max_value=60), minimum=st.integers(min_value=1, max_value=40),
       method=st.sampled_from(["open", "selective", "rfq", "single_source"]))
def test_bid_period_fires_iff_fewer_days_than_the_minimum_for_tendering(start, days, minimum, method):
    t = Tender(item_kind="works", method=method, estimated_value=Decimal(1), year=start.year,
               docs_issued=start, bid_deadline=start + datetime.timedelta(days=days))
    hits = RULES["BID_PERIOD"].fn(t, {"min_days": minimum}, None)
    assert bool(hits) == (method in ("open", "selective") and days < minimum)
    if hits:
        assert hits[0].figures["days"] == days


@given(amount=amounts, kind=kinds)
def test_single_source_above_is_monotonic_in_the_threshold(amount, kind):
    rule = RULES["SINGLE_SOURCE_ABOVE"]
    t = Tender(item_kind=kind, method="single_source", estimated_value=amount, year=2023)
    fired = [bool(rule.fn(t, {**rule.defaults(), kind: f"{x}.00"}, None)) for x in (10_000, 1_000_000, 100_000_000)]
    # Raising the threshold can only silence the rule, never make it fire.
    assert fired == sorted(fired, reverse=True)
