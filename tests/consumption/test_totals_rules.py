"""The totals' rules one at a time, with exact results: which source answers
a filtered total (the totals tables or the rows) for each filter and date
range, the month and year alignments at their edges, `stored`,
`expected_from_rows`, `differences` and `rebuild` with and without pairing
ids, `Deltas.apply` (zero cells, more keys than a chunk, key order) and
`rows_total`."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.consumption import listing
from xiezuo.consumption.models import BuyerTotal, ProductTotal, Sale, SaleTotal
from xiezuo.consumption.totals import (
    CHUNK, TABLES, Deltas, _month_aligned, _year_aligned, differences, expected_from_rows, filtered_total, rebuild,
    rows_total, stored, upsert,
)
from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.django_db

D = datetime.date
FIELDS = dict(TABLES)


@pytest.mark.parametrize("date_from, date_to, aligned", [
    (None, None, True),
    (D(2022, 1, 1), None, True),
    (D(2022, 1, 2), None, False),
    (D(2022, 1, 31), None, False),
    (None, D(2022, 1, 31), True),
    (None, D(2022, 1, 30), False),
    (None, D(2022, 4, 30), True),
    (None, D(2024, 2, 29), True),  # leap year
    (None, D(2024, 2, 28), False),
    (None, D(2023, 2, 28), True),
    (D(2022, 3, 1), D(2022, 4, 30), True),
    (D(2022, 3, 2), D(2022, 4, 30), False),
    (D(2022, 3, 1), D(2022, 4, 29), False),
    (D(2022, 3, 31), D(2022, 4, 1), False),
])
def test_month_aligned_takes_first_and_last_days_only(date_from, date_to, aligned):
    assert _month_aligned(date_from, date_to) is aligned


@pytest.mark.parametrize("date_from, date_to, aligned", [
    (None, None, True),
    (D(2022, 1, 1), None, True),
    (D(2022, 1, 2), None, False),
    (D(2022, 2, 1), None, False),
    (D(2022, 12, 1), None, False),
    (None, D(2022, 12, 31), True),
    (None, D(2022, 12, 30), False),
    (None, D(2022, 11, 30), False),
    (None, D(2022, 1, 31), False),
    (D(2021, 1, 1), D(2022, 12, 31), True),
    (D(2021, 1, 1), D(2022, 12, 30), False),
    (D(2021, 1, 2), D(2022, 12, 31), False),
    (D(2021, 12, 31), D(2022, 1, 1), False),
])
def test_year_aligned_takes_the_first_and_last_day_of_a_year_only(date_from, date_to, aligned):
    assert _year_aligned(date_from, date_to) is aligned


@pytest.fixture
def sub(county):
    """A township pair under the county pair, with one sale of its own
    (buyer, product and channel of the demo's county sales): the totals of
    another pairing that every filter must leave out, or take in when its
    id is listed."""
    pairing = Pairing.objects.filter(parent=county).order_by("pk").first()
    sale_in(pairing, D(2022, 5, 10), "777.77")
    return pairing


def sale_in(pairing, day, amount, buyer_id=2, product_id=1, channel_id=10, kind=Sale.HELPED):
    from xiezuo.consumption.models import Product

    product = Product.objects.get(pk=product_id)
    sale = Sale(pairing=pairing, date=day, buyer_id=buyer_id, product=product, supplier_id=product.supplier_id,
                channel_id=channel_id, kind=kind, amount=Decimal(amount))
    sale.save()
    return sale


def from_rows(pairing_id, f):
    """(fen, count) of the filtered sales, summed here in Python."""
    amounts = list(listing.filtered(pairing_id, f).values_list("amount", flat=True))
    return int(sum(amounts, Decimal(0)) * 100), len(amounts)


def filter_cases(county, sub):
    return [
        # (pairing id or ids, filters, the source that answers)
        (county.pk, {}, "totals"),
        (county.pk, {"date_from": D(2021, 4, 1)}, "totals"),
        (county.pk, {"date_to": D(2022, 9, 30)}, "totals"),
        (county.pk, {"date_to": D(2021, 9, 30)}, "totals"),  # not the months up to 9 of later years
        (county.pk, {"date_from": D(2021, 4, 1), "date_to": D(2022, 9, 30)}, "totals"),
        (county.pk, {"date_from": D(2021, 11, 1), "date_to": D(2022, 2, 28), "channel": 10}, "totals"),
        (county.pk, {"kind": Sale.HELPED}, "totals"),
        (county.pk, {"channel": 10, "kind": Sale.PURCHASED}, "totals"),
        (county.pk, {"channel": 10, "kind": Sale.HELPED, "date_from": D(2022, 5, 1)}, "totals"),
        (county.pk, {"date_from": D(2030, 1, 1)}, "totals"),  # nothing: zero from the totals
        (county.pk, {"date_from": D(2022, 1, 15)}, "rows"),
        (county.pk, {"date_to": D(2022, 3, 15)}, "rows"),
        (county.pk, {"date_from": D(2022, 1, 15), "date_to": D(2022, 3, 31)}, "rows"),
        (county.pk, {"date_from": D(2022, 1, 1), "date_to": D(2022, 3, 30)}, "rows"),
        (county.pk, {"buyer": 2}, "totals"),
        (county.pk, {"buyer": 2, "date_from": D(2022, 1, 1)}, "totals"),
        (county.pk, {"buyer": 2, "date_to": D(2021, 12, 31)}, "totals"),
        (county.pk, {"buyer": 7, "date_from": D(2022, 1, 1), "date_to": D(2022, 12, 31), "channel": 10,
                     "kind": Sale.HELPED}, "totals"),
        (county.pk, {"buyer": 2, "date_from": D(2030, 1, 1)}, "totals"),
        (county.pk, {"buyer": 2, "date_from": D(2022, 3, 1)}, "rows"),
        (county.pk, {"buyer": 2, "date_to": D(2022, 6, 30)}, "rows"),
        (county.pk, {"product": 1}, "totals"),
        (county.pk, {"product": 1, "kind": Sale.HELPED, "date_from": D(2022, 1, 1)}, "totals"),
        (county.pk, {"product": 2, "channel": 10, "date_to": D(2021, 12, 31)}, "totals"),
        (county.pk, {"product": 1, "date_to": D(2022, 6, 30)}, "rows"),
        (county.pk, {"supplier": 2}, "totals"),
        (county.pk, {"supplier": 2, "product": 3}, "totals"),
        (county.pk, {"supplier": 3, "date_from": D(2022, 1, 1), "date_to": D(2022, 12, 31)}, "totals"),
        (county.pk, {"buyer": 2, "product": 1}, "rows"),
        (county.pk, {"buyer": 2, "supplier": 1}, "rows"),
        (sub.pk, {}, "totals"),
        (sub.pk, {"buyer": 2}, "totals"),
        ([county.pk, sub.pk], {}, "totals"),
        ([county.pk, sub.pk], {"date_from": D(2022, 5, 1), "date_to": D(2022, 5, 31), "kind": Sale.HELPED},
         "totals"),
        ([county.pk, sub.pk], {"buyer": 2, "date_from": D(2022, 1, 1)}, "totals"),
        ([county.pk, sub.pk], {"product": 1, "channel": 10}, "totals"),
    ]


def test_filtered_total_answers_from_the_totals_exactly_when_they_can(county, sub):
    for pairing_id, f, source in filter_cases(county, sub):
        got = filtered_total(pairing_id, f)
        if source == "rows":
            assert got is None, (pairing_id, f)
        else:
            assert got == (*from_rows(pairing_id, f), "totals"), (pairing_id, f)


def test_every_filter_case_narrows_and_the_other_pairing_counts_only_when_listed(county, sub):
    # The cases above would let a filter that is ignored pass if it did not
    # narrow anything: each one does here.
    everything = from_rows(county.pk, {})
    for pairing_id, f, source in filter_cases(county, sub):
        if f and source == "totals" and pairing_id == county.pk and f.get("date_from") != D(2030, 1, 1):
            assert 0 < from_rows(pairing_id, f)[1] < everything[1], f
    assert filtered_total(sub.pk, {}) == (77777, 1, "totals")
    assert filtered_total([county.pk, sub.pk], {}) == (everything[0] + 77777, everything[1] + 1, "totals")
    assert filtered_total(county.pk, {"date_from": D(2030, 1, 1)}) == (0, 0, "totals")
    # Each filter alone leaves out sales the others keep.
    f = {"date_from": D(2022, 5, 1), "date_to": D(2022, 5, 31), "kind": Sale.HELPED, "channel": 10}
    n = from_rows(county.pk, f)[1]
    for name in f:
        assert from_rows(county.pk, {k: v for k, v in f.items() if k != name})[1] > n, name
    assert filtered_total(county.pk, f) == (*from_rows(county.pk, f), "totals")


def test_the_sales_page_total_comes_from_the_rows_when_the_totals_cannot_answer(county, sub):
    f = {"date_from": D(2022, 1, 15), "buyer": 2}
    page = listing.sales_page(county.pk, f, limit=3)
    fen, n = from_rows(county.pk, f)
    assert (page["total_fen"], page["total_count"], page["total_source"]) == (fen, n, "rows")


def test_rows_total_of_rows_and_of_none(county, sub):
    qs = Sale.objects.filter(pairing=county, date__year=2022, kind=Sale.PURCHASED)
    assert rows_total(qs) == (*from_rows(county.pk, {"date_from": D(2022, 1, 1), "date_to": D(2022, 12, 31),
                                                     "kind": Sale.PURCHASED}), "rows")
    assert rows_total(Sale.objects.filter(pairing=sub)) == (77777, 1, "rows")
    assert rows_total(Sale.objects.none()) == (0, 0, "rows")


def keys_of(sub):
    return {
        SaleTotal: (sub.pk, 2022, 5, 10, Sale.HELPED),
        BuyerTotal: (sub.pk, 2, 2022, 10, Sale.HELPED),
        ProductTotal: (sub.pk, 1, 2022, 10, Sale.HELPED),
    }


def test_expected_from_rows_of_some_pairings_and_of_all(county, sub):
    keys = keys_of(sub)
    mine = expected_from_rows([sub.pk])
    assert mine == {model: {keys[model]: (77777, 1)} for model in keys}
    everything = expected_from_rows()
    for model in keys:
        assert {k: v for k, v in everything[model].items() if k[0] == sub.pk} == mine[model]
        county_keys = {k: v for k, v in everything[model].items() if k[0] == county.pk}
        assert len(county_keys) > 10
        assert sum(n for _, n in county_keys.values()) == Sale.objects.filter(pairing=county).count()
    assert expected_from_rows([county.pk, sub.pk]) == everything


def test_a_group_of_sales_summing_to_nothing_counts_zero_fen(county, sub):
    # A stored sale of 0.00 (the forms refuse it; the database holds what it
    # is given) is counted with 0 fen, not with a fen of its own.
    sale_in(sub, D(2022, 7, 1), "0.00")
    assert expected_from_rows([sub.pk])[SaleTotal][(sub.pk, 2022, 7, 10, Sale.HELPED)] == (0, 1)
    deltas = Deltas.from_queryset(Sale.objects.filter(pairing=sub), -1)
    assert deltas.by_table[SaleTotal] == {(sub.pk, 2022, 5, 10, Sale.HELPED): [-77777, -1],
                                          (sub.pk, 2022, 7, 10, Sale.HELPED): [0, -1]}


def tamper(sub):
    """Wrong stored totals of `sub`: keys the rows do not have (months 9 to
    12, one of them emptied to zero and so not stored), one missing."""
    fields = FIELDS[SaleTotal]
    for month, fen, n in ((9, 0, 3), (10, 500, 0), (11, 0, 0), (12, -20, 2)):
        SaleTotal.objects.create(**dict(zip(fields, (sub.pk, 2022, month, 10, Sale.HELPED))), amount_fen=fen, n=n)
    ProductTotal.objects.filter(pairing=sub).delete()


def test_stored_leaves_out_only_emptied_keys(county, sub):
    tamper(sub)
    keys = keys_of(sub)
    have = stored([sub.pk])
    assert have[SaleTotal] == {keys[SaleTotal]: (77777, 1), (sub.pk, 2022, 9, 10, Sale.HELPED): (0, 3),
                               (sub.pk, 2022, 10, 10, Sale.HELPED): (500, 0),
                               (sub.pk, 2022, 12, 10, Sale.HELPED): (-20, 2)}
    assert have[BuyerTotal] == {keys[BuyerTotal]: (77777, 1)}
    assert have[ProductTotal] == {}
    everything = stored()
    assert {k: v for k, v in everything[SaleTotal].items() if k[0] == sub.pk} == have[SaleTotal]
    assert len(everything[SaleTotal]) > len(have[SaleTotal]) + 10
    assert stored([county.pk, sub.pk]) == everything


def test_differences_lists_each_wrong_key_in_order_with_stored_and_expected(county, sub):
    tamper(sub)
    county_key = BuyerTotal.objects.filter(pairing=county, n__gt=0).order_by("pk").first()
    BuyerTotal.objects.filter(pk=county_key.pk).update(n=county_key.n + 5)
    county_diff = ("buyertotal", tuple(getattr(county_key, f) for f in FIELDS[BuyerTotal]),
                   (county_key.amount_fen, county_key.n + 5), (county_key.amount_fen, county_key.n))
    mine = [
        # SaleTotal's keys in the order of their texts: month "10" before "9"
        ("saletotal", (sub.pk, 2022, 10, 10, Sale.HELPED), (500, 0), (0, 0)),
        ("saletotal", (sub.pk, 2022, 12, 10, Sale.HELPED), (-20, 2), (0, 0)),
        ("saletotal", (sub.pk, 2022, 9, 10, Sale.HELPED), (0, 3), (0, 0)),
        ("producttotal", keys_of(sub)[ProductTotal], (0, 0), (77777, 1)),
    ]
    assert differences([sub.pk]) == mine
    assert differences([county.pk]) == [county_diff]
    assert differences() == [*mine[:3], county_diff, mine[3]]


def test_rebuild_of_some_pairings_leaves_the_others_alone(county, sub):
    tamper(sub)
    county_key = SaleTotal.objects.filter(pairing=county, n__gt=0).order_by("pk").first()
    SaleTotal.objects.filter(pk=county_key.pk).update(amount_fen=county_key.amount_fen + 1)
    county_before = stored([county.pk])
    rebuild([sub.pk])
    assert stored([sub.pk]) == expected_from_rows([sub.pk]) == {model: {key: (77777, 1)}
                                                                for model, key in keys_of(sub).items()}
    assert SaleTotal.objects.filter(pairing=sub).count() == 1  # the wrong keys are gone, not zeroed
    assert stored([county.pk]) == county_before
    assert [d[0] for d in differences()] == ["saletotal"]
    rebuild()
    assert differences() == []
    assert stored() == expected_from_rows()
    fixed = SaleTotal.objects.get(**dict(zip(FIELDS[SaleTotal], [getattr(county_key, f) for f in FIELDS[SaleTotal]])))
    assert (fixed.amount_fen, fixed.n) == (county_key.amount_fen, county_key.n)


def test_apply_skips_empty_cells_and_writes_the_others(county, sub):
    deltas = Deltas()
    sale_key = keys_of(sub)[SaleTotal]
    deltas.by_table[SaleTotal][sale_key] = [500, 0]  # an edit of the amount inside one key
    deltas.by_table[SaleTotal][(sub.pk, 2021, 1, 10, Sale.HELPED)] = [0, 0]
    deltas.by_table[SaleTotal][(sub.pk, 2021, 2, 10, Sale.HELPED)] = [0, 1]  # a sale of 0.00
    deltas.by_table[BuyerTotal][keys_of(sub)[BuyerTotal]] = [-77777, -1]
    deltas.apply()
    assert {(t.month, t.amount_fen, t.n) for t in SaleTotal.objects.filter(pairing=sub)} == {
        (5, 77777 + 500, 1), (2, 0, 1)}
    assert [(t.amount_fen, t.n) for t in BuyerTotal.objects.filter(pairing=sub)] == [(0, 0)]


def test_apply_writes_more_keys_than_a_chunk_in_key_order(county, sub):
    SaleTotal.objects.filter(pairing=sub).delete()
    deltas = Deltas()
    keys = [(sub.pk, year, month, 10, Sale.PURCHASED) for year in range(2000, 2040) for month in range(1, 13)]
    assert len(keys) > 2 * CHUNK
    for i, key in enumerate(reversed(keys)):  # the fen fall as the keys rise
        deltas.by_table[SaleTotal][key] = [i + 1, 1]
    for i in range(3):
        deltas.by_table[BuyerTotal][(sub.pk, 2, 2030 + i, 10, Sale.PURCHASED)] = [7, 1]
        deltas.by_table[ProductTotal][(sub.pk, 1, 2030 + i, 10, Sale.PURCHASED)] = [8, 1]
    with CaptureQueriesContext(connection) as ctx:
        deltas.apply()
    rows = list(SaleTotal.objects.filter(pairing=sub).order_by("pk").values_list(*FIELDS[SaleTotal], "amount_fen", "n"))
    assert [r[:5] for r in rows] == keys  # inserted in the order of the keys
    assert [r[5:] for r in rows] == [(len(keys) - i, 1) for i in range(len(keys))]
    assert BuyerTotal.objects.filter(pairing=sub, year__gte=2030).count() == 3
    assert ProductTotal.objects.filter(pairing=sub, year__gte=2030).count() == 3
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    if connection.vendor == "postgresql":
        assert len(inserts) == 3  # one statement per table, whatever the number of keys
    else:
        assert inserts == []  # SQLite: on the driver's connection, one statement per table and chunk


def test_upsert_adds_to_stored_keys_and_creates_new_ones(county, sub):
    fields = FIELDS[SaleTotal]
    old, new = keys_of(sub)[SaleTotal], (sub.pk, 2022, 6, 10, Sale.HELPED)
    upsert(SaleTotal, fields, [(old, (23, 2)), (new, (5, 1))])
    got = {t[:5]: t[5:] for t in SaleTotal.objects.filter(pairing=sub).values_list(*fields, "amount_fen", "n")}
    assert got == {old: (77777 + 23, 3), new: (5, 1)}


def test_column_sums_add_to_cells_already_there():
    # Sales added one by one, then as columns, then one by one and as columns
    # again: the columns' sums are added to the cells the rows made, never
    # written over them (the first read merges into empty tables, a later
    # one into filled tables).
    fields = ("pairing_id", "year", "month", "channel_id", "kind", "buyer_id", "product_id")
    row = (1, 2022, 3, 10, Sale.HELPED, 2, 1)
    deltas = Deltas()
    deltas.add(dict(zip(fields, row)), +1, fen=100)
    deltas.add_columns({f: [v, v] for f, v in zip(fields, row)}, [20, 3])
    assert deltas.by_table[SaleTotal] == {(1, 2022, 3, 10, Sale.HELPED): [123, 3]}
    deltas.add_columns({f: [v] for f, v in zip(fields, row)}, [4000])
    assert deltas.by_table[BuyerTotal] == {(1, 2, 2022, 10, Sale.HELPED): [4123, 4]}
    assert deltas.by_table[ProductTotal] == {(1, 1, 2022, 10, Sale.HELPED): [4123, 4]}
    fresh = Deltas()
    fresh.add_columns({f: [v, v] for f, v in zip(fields, row)}, [20, 3])
    assert fresh.by_table[SaleTotal] == {(1, 2022, 3, 10, Sale.HELPED): [23, 2]}


def test_differences_are_listed_in_the_order_of_their_keys_texts_whatever_the_sets_order(sub):
    fields = FIELDS[SaleTotal]
    for month in range(1, 13):
        for year in (2021, 2023):
            SaleTotal.objects.create(**dict(zip(fields, (sub.pk, year, month, 10, Sale.HELPED))),
                                     amount_fen=month, n=1)
    listed = [key[1:3] for table, key, _, _ in differences([sub.pk]) if table == "saletotal"]
    assert listed == [(year, month) for year in (2021, 2023)
                      for month in (1, 10, 11, 12, 2, 3, 4, 5, 6, 7, 8, 9)]
