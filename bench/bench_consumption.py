"""Consumption figures at scale: maintained totals versus the naive aggregate.

Builds a fresh SQLite database under var/bench/, loads N sales (default
2,000,000; set BENCH_CONSUMPTION_ROWS or pass a number after `--`) through
`bulk_create_sales`, then in the same run times

- the figures endpoint GET /api/v1/pairings/{id}/figures?from=2021&to=2022
  (a real request through Django's test client with a Bearer token), whose
  `consumption` section reads only the totals tables,
- the naive aggregate: the same section computed with SUM/GROUP BY over the
  sales rows (`figures.from_rows`),
- the first page of the sales list (page and API) and a page deep in the list
  (keyset cursor), which must not depend on the number of rows.

It checks that both ways give identical figures and that the totals match a
recomputation from the rows, prints the results as Markdown and returns 0
only when the endpoint is at least 20 times faster than the naive aggregate.
"""

import datetime
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

TARGET_RATIO = 20
BATCH = 10_000


def rows_wanted():
    args = [a for a in sys.argv[1:] if a.isdigit()]
    return int(args[0]) if args else int(os.environ.get("BENCH_CONSUMPTION_ROWS", "2000000"))


def setup_django(db_path):
    from bench import common

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    common.setup_django(f"sqlite:///{db_path}", migrate=False)
    from django.conf import settings

    if settings.DATABASES["default"]["NAME"] != str(db_path):
        raise SystemExit("Django was already set up with another database; run this benchmark on its own")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reference_rows(rng):
    """Create the minimal rows: regions, one pairing with a target, a user,
    and the suppliers, products, buyers and channels the sales refer to."""
    from xiezuo.accounts.models import APIToken, Membership, User
    from xiezuo.consumption.models import Buyer, Channel, Product
    from xiezuo.consumption.services import register_supplier
    from xiezuo.pairings.models import Agreement, AgreementTarget, Pairing, Region

    def region(code, name, level, parent=None):
        r = Region.objects.create(code=code, name=name, level=level, parent=parent)
        r.full_name = r.make_full_name()
        r.save()
        return r

    js = region("320000000000", "江苏省", "province")
    nj = region("320100000000", "南京市", "city", js)
    lh = region("320116000000", "六合区", "county", nj)
    qh = region("630000000000", "青海省", "province")
    xn = region("630100000000", "西宁市", "city", qh)
    hy = region("630123000000", "湟源县", "county", xn)
    pairing = Pairing.objects.create(level="county", east_region=lh, west_region=hy)
    for year in (2021, 2022):
        agreement = Agreement.objects.create(pairing=pairing, year=year, title=f"{year}年协议")
        AgreementTarget.objects.create(agreement=agreement, indicator="consumption", value=Decimal("500"), unit="万元")
    user = User.objects.create(username="bench")
    Membership.objects.create(user=user, pairing=pairing, role="east")
    token = APIToken.issue(user)
    suppliers = [register_supplier(pairing, name=f"示例供应商{i:03d}（示例）", kind=("enterprise", "coop", "farm")[i % 3],
                                   region=hy, is_demo=True) for i in range(50)]
    products = [Product.objects.create(pairing=pairing, supplier=suppliers[i % 50], name=f"示例产品{i:03d}",
                                       category="other", unit="公斤", is_demo=True) for i in range(200)]
    buyers = [Buyer.objects.create(pairing=pairing, name=f"示例采购单位{i:03d}（示例）",
                                   kind=("gov", "public", "soe", "private", "union")[i % 5], is_demo=True)
              for i in range(500)]
    Channel.objects.create(pairing=pairing, code="hall", name="六合湟源消费扶贫专馆", kind=Channel.HALL)
    channels = list(Channel.usable_by(pairing))
    return pairing, user, token, products, buyers, channels


def generate(n, rng, pairing, products, buyers, channels):
    """Yield n sales in date order over 2021–2022 with random keys."""
    from xiezuo.consumption.models import Sale

    start, days = datetime.date(2021, 1, 1), 730
    kinds = (Sale.PURCHASED, Sale.HELPED)
    prices = [Decimal(rng.randint(100, 50000)) / 100 for _ in range(997)]
    for i in range(n):
        product = products[rng.randrange(len(products))]
        quantity = Decimal(rng.randint(1, 500))
        price = prices[i % 997]
        yield Sale(pairing_id=pairing.pk, date=start + datetime.timedelta(days=i * days // n),
                   buyer_id=buyers[rng.randrange(len(buyers))].pk, product_id=product.pk,
                   supplier_id=product.supplier_id, channel_id=channels[rng.randrange(len(channels))].pk,
                   kind=kinds[rng.randrange(2)], quantity=quantity, unit_price=price, amount=quantity * price)


def median_time(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], result


def main():
    from bench.common import machine

    n = rows_wanted()
    base = Path(__file__).resolve().parent.parent
    db_path = base / "var" / "bench" / "consumption.sqlite3"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    setup_django(db_path)

    import json

    from django.db import connection
    from django.test import Client

    from xiezuo.audit.context import acting_as
    from xiezuo.consumption import figures, totals
    from xiezuo.consumption.services import bulk_create_sales

    rng = random.Random(832)
    pairing, user, token, products, buyers, channels = reference_rows(rng)
    with connection.cursor() as cursor:
        # A bigger page cache for the load (index inserts in buyer/product order).
        cursor.execute("PRAGMA cache_size = -262144")
    t0 = time.perf_counter()
    with acting_as(username="bench"):
        loaded = bulk_create_sales(generate(n, rng, pairing, products, buyers, channels), batch_size=BATCH,
                                   summary="基准测试批量载入")
    load_s = time.perf_counter() - t0
    print(f"loaded {loaded:,} sales in {load_s:.1f} s ({loaded / load_s:,.0f} rows/s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    api = Client()
    api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    url = f"/api/v1/pairings/{pairing.pk}/figures?from=2021&to=2022"
    years = [2021, 2022]

    def endpoint():
        r = api.get(url, secure=True)
        assert r.status_code == 200, r.content[:300]
        return r.json()

    endpoint()  # warm up (imports, first connection)
    endpoint_s, endpoint_json = median_time(endpoint, 7)
    section_s, from_totals = median_time(lambda: figures.from_totals([pairing.pk], years), 7)
    naive_s, naive = median_time(lambda: figures.from_rows([pairing.pk], years), 3)
    naive = json.loads(json.dumps(naive))
    equal = endpoint_json["consumption"] == naive
    diffs = totals.differences()

    page = Client()
    page.force_login(user)
    list_url = f"/pairings/{pairing.pk}/consumption/sales/"
    page.get(list_url, secure=True)
    first_page_s, r = median_time(lambda: page.get(list_url, secure=True), 7)
    assert r.status_code == 200 and r.content.count(b"sale-row") == 50
    api_list = f"/api/v1/pairings/{pairing.pk}/consumption/sales"
    api_first_s, first = median_time(lambda: api.get(api_list, secure=True).json(), 7)
    # A page about half-way down the list: keyset cost does not grow with depth.
    from xiezuo.consumption.models import Sale

    middle = Sale.objects.filter(pairing=pairing).order_by("-date", "-id").values_list("date", "id")[n // 2]
    deep_url = f"{api_list}?cursor={middle[0].isoformat()}.{middle[1]}"
    api_deep_s, deep = median_time(lambda: api.get(deep_url, secure=True).json(), 7)
    filtered_url = f"{api_list}?buyer={buyers[7].pk}&date_from=2022-01-01&date_to=2022-12-31"
    api_filtered_s, filtered = median_time(lambda: api.get(filtered_url, secure=True).json(), 7)

    ratio = naive_s / endpoint_s
    section_ratio = naive_s / section_s
    ok = equal and not diffs and ratio >= TARGET_RATIO and len(first["items"]) == 50 and len(deep["items"]) == 50
    c = endpoint_json["consumption"]
    report = f"""
| item | value |
|---|---|
| machine | {machine()} |
| database | SQLite {connection.Database.sqlite_version} (file, WAL) |
| sales loaded | {loaded:,} in {load_s:.1f} s ({loaded / load_s:,.0f} rows/s, batches of {BATCH:,}, totals updated once per batch) |
| reference rows | 1 pairing, 50 suppliers, 200 products, 500 buyers, {len(channels)} channels |
| figures `total` 2021–2022 | {c['total']} yuan ({c['count']:,} sales), target {c['target']}, completion {c['completion']}% |
| figures endpoint (whole request, all sections), median of 7 | {endpoint_s * 1000:.1f} ms |
| `consumption` section from totals, median of 7 | {section_s * 1000:.1f} ms |
| naive aggregate over the rows (same section), median of 3 | {naive_s * 1000:.1f} ms |
| **ratio naive / endpoint** | **{ratio:.0f}x** (target ≥ {TARGET_RATIO}x) |
| ratio naive / section | {section_ratio:.0f}x |
| figures equal | {'yes' if equal else 'NO'} |
| totals equal to recomputation from rows | {'yes' if not diffs else f'NO ({len(diffs)} differences)'} |
| sales list page, first page (HTML, 50 rows + totals row), median of 7 | {first_page_s * 1000:.1f} ms |
| sales API, first page, median of 7 | {api_first_s * 1000:.1f} ms |
| sales API, page at row {n // 2:,} (keyset cursor), median of 7 | {api_deep_s * 1000:.1f} ms |
| sales API, one buyer in 2022 (totals row from BuyerTotal: {filtered['total']['source']}) | {api_filtered_s * 1000:.1f} ms |
| result | {'PASS' if ok else 'FAIL'} |
"""
    print(report, flush=True)
    (db_path.parent / "consumption.md").write_text(report, encoding="utf-8")
    if not equal:
        print("figures differ:\n", json.dumps(endpoint_json["consumption"], ensure_ascii=False)[:2000], "\n",
              json.dumps(naive, ensure_ascii=False)[:2000])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
