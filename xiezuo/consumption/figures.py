"""The `consumption` figures section, read from the maintained totals only.

`from_totals` never touches the sales table: six small queries over
`SaleTotal`, `BuyerTotal`, `ProductTotal`, suppliers and the agreement
targets. `from_rows` computes the same dict by aggregating the sales
themselves; it is the reference the benchmark and the tests compare with.
"""

from decimal import Decimal

from django.db.models import Count, Sum

from lib.money import yuan_str
from xiezuo.figures import by_year, section
from xiezuo.pairings.models import AgreementTarget

from .models import Buyer, BuyerTotal, Channel, Product, ProductTotal, Sale, SaleTotal, Supplier
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


def _named_buyers(rows):
    """Attach names to the top rows (grouping by id alone keeps the GROUP BY
    narrow). Values, not model instances: the section is recomputed on the
    first view after every edit of a sale."""
    rows = list(rows)
    names = {pk: (name, kind) for pk, name, kind in
             Buyer.objects.filter(pk__in=[r["buyer"] for r in rows]).values_list("pk", "name", "kind")}
    return [(r["buyer"], *names[r["buyer"]], r["fen"]) for r in rows]


def _named_products(rows):
    rows = list(rows)
    names = {pk: (name, supplier) for pk, name, supplier in
             Product.objects.filter(pk__in=[r["product"] for r in rows])
             .values_list("pk", "name", "supplier__organisation__name")}
    return [(r["product"], *names[r["product"]], r["fen"]) for r in rows]


def _assemble(pairing_ids, years, cells, buyers, products, suppliers_with_sales):
    """Build the section from grouped rows.

    cells: (channel_id, kind, year, month, fen, n); buyers/products: (id, fen) sorted desc."""
    channels = {pk: (code, name, kind) for pk, code, name, kind in
                Channel.objects.filter(pk__in={c[0] for c in cells}).values_list("pk", "code", "name", "kind")}
    total = purchased = helped = count = 0
    by_channel, by_month = {}, {}
    for channel_id, kind, year, month, fen, n in cells:
        total += fen
        count += n
        if kind == Sale.PURCHASED:
            purchased += fen
        else:
            helped += fen
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
        "suppliers": {
            "registered": Supplier.objects.filter(pairing_id__in=pairing_ids).count(),
            "with_sales": suppliers_with_sales,
        },
        "target": yuan_str(target) if target is not None else None,
        "completion": yuan_str(total_yuan * 100 / target) if target else None,
    }


def from_totals(pairing_ids, years):
    base = {"pairing_id__in": pairing_ids, "year__in": years}
    cells = [(r["channel"], r["kind"], r["year"], r["month"], r["fen"], r["n"]) for r in
             SaleTotal.objects.filter(**base).values("channel", "kind", "year", "month")
             .annotate(fen=Sum("amount_fen"), n=Sum("n")).filter(n__gt=0).order_by()]
    buyers = _named_buyers(BuyerTotal.objects.filter(**base).values("buyer")
                           .annotate(fen=Sum("amount_fen"), n=Sum("n")).filter(n__gt=0).order_by("-fen", "buyer")[:TOP])
    products = _named_products(ProductTotal.objects.filter(**base).values("product")
                               .annotate(fen=Sum("amount_fen"), n=Sum("n")).filter(n__gt=0)
                               .order_by("-fen", "product")[:TOP])
    with_sales = (ProductTotal.objects.filter(**base, n__gt=0)
                  .aggregate(s=Count("product__supplier", distinct=True))["s"])
    return _assemble(pairing_ids, years, cells, buyers, products, with_sales)


def from_rows(pairing_ids, years):
    """Compute the same figures by aggregating the sales (the naive way)."""
    sales = Sale.objects.filter(pairing_id__in=pairing_ids, year__in=years).order_by()
    cells = [(r["channel"], r["kind"], r["year"], r["month"], r["fen"], r["n"]) for r in
             sales.values("channel", "kind", "year", "month").annotate(fen=fen_sum(), n=Count("id"))]
    buyers = _named_buyers(sales.values("buyer").annotate(fen=fen_sum()).order_by("-fen", "buyer")[:TOP])
    products = _named_products(sales.values("product").annotate(fen=fen_sum()).order_by("-fen", "product")[:TOP])
    with_sales = sales.aggregate(s=Count("supplier", distinct=True))["s"]
    return _assemble(pairing_ids, years, cells, buyers, products, with_sales)


@section("consumption", reads=("consumption", "pairings.agreement", "pairings.agreementtarget", "pairings.region",
                                  "pairings.organisation"))
def consumption_section(pairing_ids, years):
    return from_totals(pairing_ids, years)


@by_year("consumption")
def consumption_by_year(pairing_ids, years):
    """The trend's consumption total of each year, from the same cells of
    the maintained totals as `from_totals` (one grouped query)."""
    fen = {y: 0 for y in years}
    for row in (SaleTotal.objects.filter(pairing_id__in=pairing_ids, year__in=years)
                .values("channel", "kind", "year", "month").annotate(fen=Sum("amount_fen"), n=Sum("n"))
                .filter(n__gt=0).order_by()):
        fen[row["year"]] += row["fen"]
    return {y: {"total": _yuan(fen[y])} for y in years}
