"""The `consumption` figures section, read from the maintained totals only.

`from_totals` never touches the sales table: four SQL statements over
`SaleTotal`, `BuyerTotal`, `ProductTotal` (with the names of channels,
buyers, products and suppliers) and the suppliers, then the agreement
targets. `from_rows` computes the same dict by aggregating the sales
themselves; it is the reference the benchmark and the tests compare with.
"""

from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum

from lib.money import yuan_str
from xiezuo.figures import by_year, section
from xiezuo.pairings.models import AgreementTarget

from .models import Buyer, Product, Sale, SaleTotal, Supplier
from .totals import fen_sum

TOP = 10
UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10_000), "亿元": Decimal(100_000_000), "": Decimal(10_000)}


def _yuan(fen):
    return yuan_str(Decimal(fen or 0) / 100)


def target_yuan(pairing_id, years):
    """Sum the pairing's agreed `consumption` targets for the years, in yuan
    (targets are written in 万元 as the agreements state them)."""
    rows = AgreementTarget.objects.filter(agreement__pairing_id=pairing_id, agreement__year__in=years,
                                          indicator="consumption").values_list("value", "unit")
    values = [value * UNIT_FACTORS.get(unit.strip(), Decimal(10_000)) for value, unit in rows]
    return sum(values) if values else None


def _assemble(pairing_ids, years, cells, buyers, products, suppliers):
    """Build the section from grouped rows.

    cells: (channel id, code, name, channel kind, sale kind, year, month, fen, n);
    buyers: (id, name, kind, fen) and products: (id, name, supplier, fen),
    the top ones in order; suppliers: (registered, with sales)."""
    total = purchased = helped = count = 0
    channels, by_channel, by_month = {}, {}, {}
    for channel_id, code, name, channel_kind, kind, year, month, fen, n in cells:
        total += fen
        count += n
        if kind == Sale.PURCHASED:
            purchased += fen
        else:
            helped += fen
        channels[channel_id] = (code, name, channel_kind)
        by_channel[channel_id] = by_channel.get(channel_id, 0) + fen
        key = f"{year}-{month:02d}"
        by_month[key] = by_month.get(key, 0) + fen
    target = target_yuan(pairing_ids[0], years)
    total_yuan = Decimal(total) / 100
    return {
        "total": _yuan(total),
        "purchased": _yuan(purchased),
        "helped_sales": _yuan(helped),
        "count": count,
        "by_channel": [
            {"id": cid, "code": channels[cid][0], "name": channels[cid][1], "kind": channels[cid][2],
             "amount": _yuan(fen)}
            for cid, fen in sorted(by_channel.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "by_month": [{"month": m, "amount": _yuan(fen)} for m, fen in sorted(by_month.items())],
        "top_buyers": [{"id": i, "name": name, "kind": kind, "amount": _yuan(fen)} for i, name, kind, fen in buyers],
        "top_products": [{"id": i, "name": name, "supplier": sup, "amount": _yuan(fen)}
                         for i, name, sup, fen in products],
        "suppliers": {"registered": suppliers[0], "with_sales": suppliers[1]},
        "target": yuan_str(target) if target is not None else None,
        "completion": yuan_str(total_yuan * 100 / target) if target else None,
    }


# The maintained totals read in four plain SQL statements (the same on SQLite
# and PostgreSQL). Why not QuerySets: the section is recomputed on the first
# view of a dashboard after every sale edit, and building the SQL of its nine
# ORM queries cost 3.3 ms of the section's 3.7 ms at national scale (the
# statements themselves: 0.4 ms; docs/BENCHMARKS.md). A top list is cut in a
# subquery grouped by id alone, then joined to its names.
_CELLS = """
SELECT t.channel_id, c.code, c.name, c.kind, t.kind, t.year, t.month, SUM(t.amount_fen), SUM(t.n)
FROM consumption_saletotal t JOIN consumption_channel c ON c.id = t.channel_id
WHERE {where} GROUP BY t.channel_id, c.code, c.name, c.kind, t.kind, t.year, t.month HAVING SUM(t.n) > 0"""
_TOP_BUYERS = """
SELECT b.id, b.name, b.kind, g.fen
FROM (SELECT t.buyer_id, SUM(t.amount_fen) AS fen FROM consumption_buyertotal t
      WHERE {where} GROUP BY t.buyer_id HAVING SUM(t.n) > 0 ORDER BY fen DESC, t.buyer_id LIMIT %s) g
JOIN consumption_buyer b ON b.id = g.buyer_id ORDER BY g.fen DESC, g.buyer_id"""
_TOP_PRODUCTS = """
SELECT p.id, p.name, o.name, g.fen
FROM (SELECT t.product_id, SUM(t.amount_fen) AS fen FROM consumption_producttotal t
      WHERE {where} GROUP BY t.product_id HAVING SUM(t.n) > 0 ORDER BY fen DESC, t.product_id LIMIT %s) g
JOIN consumption_product p ON p.id = g.product_id
JOIN consumption_supplier s ON s.id = p.supplier_id JOIN pairings_organisation o ON o.id = s.organisation_id
ORDER BY g.fen DESC, g.product_id"""
_SUPPLIERS = """
SELECT (SELECT COUNT(*) FROM consumption_supplier WHERE pairing_id IN ({pairings})),
       (SELECT COUNT(DISTINCT p.supplier_id) FROM consumption_producttotal t
        JOIN consumption_product p ON p.id = t.product_id WHERE {where} AND t.n > 0)"""


def from_totals(pairing_ids, years):
    pairings, in_years = ",".join(["%s"] * len(pairing_ids)), ",".join(["%s"] * len(years))
    where = f"t.pairing_id IN ({pairings}) AND t.year IN ({in_years})"
    args = [*pairing_ids, *years]
    with connection.cursor() as cursor:
        # PostgreSQL sums a bigint as numeric: int() as the ORM does.
        cursor.execute(_CELLS.format(where=where), args)
        cells = [(*row[:7], int(row[7]), int(row[8])) for row in cursor.fetchall()]
        cursor.execute(_TOP_BUYERS.format(where=where), [*args, TOP])
        buyers = [(*row[:3], int(row[3])) for row in cursor.fetchall()]
        cursor.execute(_TOP_PRODUCTS.format(where=where), [*args, TOP])
        products = [(*row[:3], int(row[3])) for row in cursor.fetchall()]
        cursor.execute(_SUPPLIERS.format(pairings=pairings, where=where), [*pairing_ids, *args])
        suppliers = cursor.fetchone()
    return _assemble(pairing_ids, years, cells, buyers, products, suppliers)


def from_rows(pairing_ids, years):
    """Compute the same figures by aggregating the sales (the naive way)."""
    sales = Sale.objects.filter(pairing_id__in=pairing_ids, year__in=years).order_by()
    cells = sales.values_list("channel", "channel__code", "channel__name", "channel__kind", "kind", "year", "month")\
        .annotate(fen=fen_sum(), n=Count("id"))
    top_buyers = sales.values("buyer").annotate(fen=fen_sum()).order_by("-fen", "buyer")[:TOP]
    names = Buyer.objects.in_bulk([r["buyer"] for r in top_buyers])
    buyers = [(r["buyer"], names[r["buyer"]].name, names[r["buyer"]].kind, r["fen"]) for r in top_buyers]
    top_products = sales.values("product").annotate(fen=fen_sum()).order_by("-fen", "product")[:TOP]
    named = Product.objects.select_related("supplier__organisation").in_bulk([r["product"] for r in top_products])
    products = [(r["product"], named[r["product"]].name, named[r["product"]].supplier.organisation.name, r["fen"])
                for r in top_products]
    suppliers = (Supplier.objects.filter(pairing_id__in=pairing_ids).count(),
                 sales.aggregate(s=Count("supplier", distinct=True))["s"])
    return _assemble(pairing_ids, years, list(cells), buyers, products, suppliers)


@section("consumption", reads=("consumption", "pairings.agreement", "pairings.agreementtarget", "pairings.region",
                                  "pairings.organisation"))
def consumption_section(pairing_ids, years):
    return from_totals(pairing_ids, years)


@by_year("consumption")
def consumption_by_year(pairing_ids, years):
    """The trend's consumption total of each year, summed from the same
    maintained totals as `from_totals` (one grouped query; a key emptied by
    deletions holds 0 fen, so it adds nothing)."""
    fen = dict.fromkeys(years)  # None: no key, 0.00 (`_yuan`)
    fen.update(SaleTotal.objects.filter(pairing_id__in=pairing_ids, year__in=years).values("year")
               .annotate(fen=Sum("amount_fen")).order_by().values_list("year", "fen"))
    return {y: {"total": _yuan(fen[y])} for y in years}
