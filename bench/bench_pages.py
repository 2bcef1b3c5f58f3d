"""Page timings of a clerk's day at a realistic county's volume.

`make bench-pages` builds (once per database, then reuses) the demo plus the
volume of a busy county — 200,000 sales over 2021–2025 with distinct
amounts, 5,000 employment records of 2,500 workers, 300 projects and 453
disbursements — on SQLite and, when it is reachable, on PostgreSQL; then,
in one process per database, times every page of a west-office clerk's day
through Django's test client (the whole request: middleware, session, scoping,
templates) against the login page as the trivial baseline, and counts each
page's queries.

What is warm: each page is asked once before it is timed (the figures cache,
Django's template cache and the database's page cache are warm); the
`after an edit` line changes one sale of the year first, so the dashboard
recomputes the sections that read sales.

The figures endpoint for one year and for five (2021–2025), cached (each
asked once first) and on the first request after an edit of a job (the
labour section computed again), and two
in-process comparisons, each for one year and for five, old path against new on the same data in the same
run (issue 22): the labour employment figures counted person by person in
Python (tests/labour/oracle.py, the section's code before) against the
grouped SQL statement, and the trends' headline figures computed by a pass
of every section per year against the grouped queries by year; answers
compared.

Environment: BENCH_REPEAT (default 5, the median is reported),
BENCH_REGENERATE=1 to rebuild the data, BENCH_PAGES_PG=0 to skip PostgreSQL,
BENCH_PAGES_SCALE (default 1) to scale the volume (regenerate when changing it),
BENCH_PAGES_PG_DB to name the PostgreSQL database (default xiezuo_bench_pages).
Results: docs/benchmarks/pages.md.
"""

import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench" / "pages"
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = os.environ.get("BENCH_PAGES_PG_DB", "xiezuo_bench_pages")
YEARS = [2021, 2022, 2023, 2024, 2025]
YEAR = 2024
SCALE = float(os.environ.get("BENCH_PAGES_SCALE", "1"))
VOLUME = {k: max(1, round(v * SCALE)) for k, v in
          {"sales": 200_000, "workers": 2_500, "employment": 5_000, "projects": 300, "disbursements": 453}.items()}


def env_for(db_url, var_dir):
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": db_url, "XIEZUO_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "xiezuo.settings",
        "DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0", "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40, "XIEZUO_PII_KEY": "bench-only-pii-key-" + "y" * 40,
        "LOG_LEVEL": "ERROR",
    })
    return env


def pg_reachable():
    if os.environ.get("BENCH_PAGES_PG") == "0":
        return False
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means: no PostgreSQL here
        return False


def pg_database(regenerate):
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone()
        if exists and regenerate:
            conn.execute(f'DROP DATABASE "{PG_DB}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{PG_DB}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB


def main():
    from bench.common import load_average, machine

    load_at_start = load_average()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    regenerate = os.environ.get("BENCH_REGENERATE") == "1"
    targets = [("SQLite", f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}", BENCH_DIR / "sqlite")]
    if regenerate:
        for suffix in ("", "-wal", "-shm"):
            Path(str(BENCH_DIR / "bench.sqlite3") + suffix).unlink(missing_ok=True)
    if pg_reachable():
        targets.append(("PostgreSQL", pg_database(regenerate), BENCH_DIR / "pg"))
    results = []
    for label, url, var in targets:
        var.mkdir(parents=True, exist_ok=True)
        out = var / "result.json"
        out.unlink(missing_ok=True)
        child = subprocess.run([sys.executable, "-c", "import bench.bench_pages as b; raise SystemExit(b.run())",
                                label, str(out)], cwd=ROOT, env=env_for(url, var))
        if child.returncode != 0 or not out.exists():
            print(f"{label}: the run failed ({child.returncode})")
            return 1
        results.append(json.loads(out.read_text()))
    report = render(machine(), results, load_at_start)
    print(report)
    (ROOT / "docs" / "benchmarks").mkdir(parents=True, exist_ok=True)
    (ROOT / "docs" / "benchmarks" / "pages.md").write_text(report, encoding="utf-8")
    return 0


# --- the volume ------------------------------------------------------------------

def generate(county):
    """Add a busy county's volume to the demo, straight into the tables (the
    maintained sales totals rebuilt from the rows by the module's own code)."""
    from django.db import connection, transaction

    from bench.bench_assessment import insert_model
    from xiezuo.audit.models import record
    from xiezuo.consumption import totals
    from xiezuo.consumption.models import Buyer, Channel, Product, Sale
    from xiezuo.funds.models import Disbursement, Project, ProjectCategory
    from xiezuo.labour.models import Employment, Person

    rnd = random.Random(20221226)
    made = {}
    with transaction.atomic(), connection.cursor() as cur:
        products = list(Product.objects.filter(pairing=county).values_list("pk", "supplier_id"))
        channels = list(Channel.objects.values_list("pk", flat=True))
        Buyer.objects.bulk_create([Buyer(pairing=county, kind="public", is_demo=True,
                                         name=f"南京市六合区第{i + 1}机关事业单位职工食堂（示例）") for i in range(400)])
        buyers = list(Buyer.objects.filter(pairing=county).values_list("pk", flat=True))

        def sales():
            for i in range(VOLUME["sales"]):
                y, m, d = rnd.choice(YEARS), rnd.randint(1, 12), rnd.randint(1, 28)
                product, supplier = rnd.choice(products)
                amount = Decimal(rnd.randint(5_000, 9_000_000)) / 100  # distinct amounts to the fen
                blank = rnd.random() < 0.2
                qty = None if blank else Decimal(rnd.randint(1, 5_000)) / 10
                price = None if blank else (amount / qty).quantize(Decimal("0.01"))
                if price is not None:
                    amount = (qty * price).quantize(Decimal("0.01"))
                    if not price:
                        qty = price = None
                yield (county.pk, f"{y}-{m:02d}-{d:02d}", y, m, rnd.choice(buyers), supplier, product,
                       rnd.choice(channels), "purchased" if i % 3 else "helped",
                       None if qty is None else str(qty), None if price is None else str(price), str(amount),
                       f"XF{y}{i:07d}")

        made["sales"] = insert_model(cur, Sale, ["pairing", "date", "year", "month", "buyer", "supplier", "product",
                                                 "channel", "kind", "quantity", "unit_price", "amount", "voucher_no"],
                                     sales())
        totals.rebuild()

        root = int(county.path.split("/")[1])
        cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{Person._meta.db_table}"')
        first = cur.fetchone()[0] + 1
        households = [c for c, _ in Person.HOUSEHOLDS]
        made["workers"] = insert_model(cur, Person, ["id", "pairing", "tree_root", "name", "household_type", "is_demo"], (
            (first + i, county.pk, root, f"务工人员{i:04d}（示例）", rnd.choice(households), True)
            for i in range(VOLUME["workers"])))
        destinations = [c for c, _ in Employment.DESTINATIONS]
        forms = [c for c, _ in Employment.FORMS]

        def jobs():
            for i in range(VOLUME["employment"]):
                y = rnd.choice(YEARS)
                # (person, start) is the natural key: a worker's two jobs start in different halves of a month.
                start = datetime.date(y, rnd.randint(1, 12), (i // VOLUME["workers"]) * 14 + rnd.randint(1, 14))
                end = None if rnd.random() < 0.3 else start + datetime.timedelta(days=rnd.randint(10, 700))
                yield (county.pk, first + i % VOLUME["workers"], rnd.choice(destinations), rnd.choice(forms),
                       start.isoformat(), end and end.isoformat(), f"{rnd.randint(200_000, 900_000) / 100:.2f}",
                       f"江苏省南京市六合区第{i % 97 + 1}用工企业有限公司（示例）", True)

        made["employment"] = insert_model(cur, Employment, ["pairing", "person", "destination", "form", "start", "end",
                                                            "monthly_income", "employer", "is_demo"], jobs())

        categories = list(ProjectCategory.objects.values_list("pk", flat=True))
        statuses = [s for s in Project.ALLOCATING]
        now = datetime.datetime.now(datetime.timezone.utc).isoformat()
        made["projects"] = insert_model(cur, Project, ["pairing", "code", "name", "year", "category", "coop_funds",
                                                       "other_funds", "status", "updated_at", "is_demo"], (
            (county.pk, f"BP{i:05d}", f"湟源县{i + 1}号乡村振兴产业配套基础设施建设项目（示例）", rnd.choice(YEARS),
             rnd.choice(categories), f"{rnd.randint(300_000, 9_000_000)}.00", "0.00", rnd.choice(statuses), now, True)
            for i in range(VOLUME["projects"])))
        cur.execute(f'SELECT id, year, coop_funds FROM "{Project._meta.db_table}" WHERE code LIKE %s', ["BP%"])
        projects = cur.fetchall()
        made["disbursements"] = insert_model(cur, Disbursement, ["project", "date", "amount", "purpose", "status"], (
            (pk, f"{y}-{rnd.randint(3, 12):02d}-{rnd.randint(1, 28):02d}", f"{Decimal(c) / 3:.2f}", "按进度拨付（示例）",
             "confirmed")
            for pk, y, c in (projects[i % len(projects)] for i in range(VOLUME["disbursements"]))))
        record("import", model="bench", pairing_id=county.pk,
               summary=f"基准测试数据生成：{json.dumps(made, ensure_ascii=False)}")
    return made


# --- the run ---------------------------------------------------------------------

def pages(county):
    """A west-office clerk's day: (label, path)."""
    from django.urls import reverse

    from xiezuo.funds.models import Project

    p, y = county.pk, f"?year={YEAR}"
    project = Project.objects.filter(pairing=county, year=YEAR).order_by("pk").first()
    return [
        ("首页 home", reverse("home")),
        ("看板 dashboard page", reverse("assessment:dashboard", args=[p]) + y),
        ("看板数据 dashboard JSON", f"/api/v1/pairings/{p}/dashboard{y}"),
        ("五年趋势 trends JSON", f"/api/v1/pairings/{p}/trends?from={YEARS[0]}&to={YEARS[-1]}"),
        ("年度数据 figures JSON, one year", f"/api/v1/pairings/{p}/figures{y}"),
        ("五年数据 figures JSON, five years", f"/api/v1/pairings/{p}/figures?from={YEARS[0]}&to={YEARS[-1]}"),
        ("劳务协作 labour overview, five years", reverse("labour_overview", args=[p])
         + f"?from={YEARS[0]}&to={YEARS[-1]}"),
        ("资金与项目 funds overview", reverse("funds_overview", args=[p]) + y),
        ("项目列表 projects", reverse("project_list", args=[p]) + y),
        ("项目详情 project detail", reverse("project_detail", args=[project.pk])),
        ("拨付列表 disbursements", reverse("disbursement_list", args=[p]) + y),
        ("消费帮扶 sales list", reverse("consumption_sales", args=[p]) + y),
        ("消费帮扶 sales list, as it opens (no filter)", reverse("consumption_sales", args=[p])),
        ("832份额 share", reverse("consumption_share832", args=[p]) + y),
        ("劳务协作 labour overview", reverse("labour_overview", args=[p]) + y),
        ("就业台账 employment list", reverse("labour_employment_list", args=[p]) + y),
        ("产业协作 industry", reverse("industry_home", args=[p]) + y),
        ("台账 ledgers page", reverse("ledger_index", args=[p])),
        ("年度自评 self-evaluation", reverse("assessment:self_evaluations", args=[p])),
    ]


def measure(client, path, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)  # warm
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} → {response.status_code}")
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(path)
            b"".join(response) if response.streaming else response.content
            times.append(time.perf_counter() - t0)
    return statistics.median(times), len(ctx.captured_queries)


def run():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from xiezuo.accounts.models import User
    from xiezuo.pairings.models import Pairing

    label, out = sys.argv[1], Path(sys.argv[2])
    call_command("migrate", verbosity=0)
    county = Pairing.objects.filter(level="county", east_region__name="六合区", west_region__name="湟源县").first()
    t0 = time.perf_counter()
    made = None
    marker = Path(os.environ["XIEZUO_VAR_DIR"]) / "generated.json"
    if county is None or not marker.exists():
        call_command("load_demo", verbosity=0)
        county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
        made = generate(county)
        marker.write_text(json.dumps({"made": made, "seconds": time.perf_counter() - t0}))
    info = json.loads(marker.read_text())
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    repeat = int(os.environ.get("BENCH_REPEAT", "5"))

    anonymous = Client()
    trivial, trivial_q = measure(anonymous, "/login/", repeat)
    clerk = Client()
    clerk.force_login(User.objects.get(username="huangyuan"))
    rows = []
    for name, path in pages(county):
        seconds, queries = measure(clerk, path, repeat)
        rows.append({"page": name, "path": path, "ms": seconds * 1000, "ratio": seconds / trivial, "queries": queries})

    # The dashboard after an edit of one sale of the year (first request after it).
    from xiezuo.consumption.models import Sale

    after = []
    for _ in range(repeat):
        sale = Sale.objects.filter(pairing=county, year=YEAR).order_by("?").first()
        sale.amount += Decimal("0.01")
        sale.quantity = sale.unit_price = None
        sale.save()
        t = time.perf_counter()
        clerk.get(f"/api/v1/pairings/{county.pk}/dashboard?year={YEAR}")
        after.append(time.perf_counter() - t)
    edit = statistics.median(after)
    rows.append({"page": "看板数据 dashboard JSON, first request after an edit of a sale", "path": "",
                 "ms": edit * 1000, "ratio": edit / trivial, "queries": None})
    # The figures of one year and of five, first request after an edit of a
    # job: the labour section (counted person by person over the period) is
    # computed again, the other sections are served as they were.
    from xiezuo.labour.models import Employment

    for what, path in (("one year", f"/api/v1/pairings/{county.pk}/figures?year={YEAR}"),
                       ("five years", f"/api/v1/pairings/{county.pk}/figures?from={YEARS[0]}&to={YEARS[-1]}")):
        clerk.get(path)
        after = []
        for _ in range(repeat):
            job = Employment.objects.filter(pairing=county).order_by("?").first()
            job.monthly_income = (job.monthly_income or Decimal(0)) + Decimal("1")
            job.save()
            t = time.perf_counter()
            clerk.get(path)
            after.append(time.perf_counter() - t)
        edit = statistics.median(after)
        rows.append({"page": f"figures JSON, {what}, first request after an edit of a job", "path": path,
                     "ms": edit * 1000, "ratio": edit / trivial, "queries": None})
    compared = compare_paths(county, repeat)
    out.write_text(json.dumps({"database": label, "trivial_ms": trivial * 1000, "trivial_queries": trivial_q,
                               "rows": rows, "compared": compared, "made": info["made"], "generated_seconds": info["seconds"],
                               "repeat": repeat}, ensure_ascii=False))
    return 0


def timed_queries(fn, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, len(ctx.captured_queries), result


def compare_paths(county, repeat):
    """Old path against new on the same data: (what, old ms, old queries,
    new ms, new queries, same answers)."""
    from django.utils import timezone

    from tests.labour import oracle
    from xiezuo import figures as registry
    from xiezuo.assessment import dashboard as dash
    from xiezuo.assessment import services
    from xiezuo.labour.figures import employment_figures

    ids = services.subtree_ids([county])[county.pk]
    today = timezone.localdate()
    rows = []
    # One year and five: the grouped statement should cost about the same
    # for both (issue 22: "five years cost about what one year costs").
    for years in ([YEAR], YEARS):
        old = timed_queries(lambda: oracle.employment(ids, years, today), repeat)
        new = timed_queries(lambda: employment_figures(ids, {"all": years}, today)[0]["all"], repeat)
        rows.append({"what": f"labour employment figures, {len(years)} year(s)", "old": old[:2], "new": new[:2],
                     "same": old[2] == new[2]})
    for years in ([YEAR], YEARS):
        old = timed_queries(lambda: dash.trends(years, {y: services._compute(ids, y) for y in years}), repeat)
        new = timed_queries(lambda: dash.trends(years, registry.headline_by_year(ids, years, dash.TREND_PATHS)),
                            repeat)
        rows.append({"what": f"trends' headline figures, {len(years)} year(s)", "old": old[:2], "new": new[:2],
                     "same": old[2] == new[2]})
    return rows


def render(machine, results, load_at_start):
    from bench.common import load_average

    lines = [
        "# Benchmark: pages of a clerk's day at a realistic county's volume",
        "",
        f"Run: `make bench-pages`, {datetime.date.today().isoformat()}.",
        "",
        f"- Machine: {machine}; load average (1 min) {load_at_start} when the run began, {load_average()} "
        "when it ended",
        f"- Volume on top of the demo: {results[0]['made']}",
        "- Each page through Django's test client as the west office (session, middleware, scoping, templates),",
        f"  median of {results[0]['repeat']} after one warm-up request; baseline: the login page, anonymous",
        f"- Load average when the report was written: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[2]:.1f} (15 min)",
        "- What is warm: the figures cache, templates and the database's pages (each page asked once first);",
        "  the lines \"after an edit\" change one sale (or one job) of the county before each request",
        "",
    ]
    for r in results:
        lines += [f"## {r['database']}", "",
                  f"Trivial page (login): {r['trivial_ms']:.1f} ms, {r['trivial_queries']} queries.", "",
                  "| page | median | × trivial | queries |", "|---|---|---|---|"]
        for row in r["rows"]:
            q = "" if row["queries"] is None else row["queries"]
            lines.append(f"| {row['page']} | {row['ms']:.1f} ms | {row['ratio']:.1f}x | {q} |")
        lines += ["", "Old path against new, in process, same data (median; queries of one call):", "",
                  "| what | old (per person / per year) | new (grouped SQL) | speed-up | same answers |",
                  "|---|---|---|---|---|"]
        for c in r.get("compared", []):
            (old_ms, old_q), (new_ms, new_q) = c["old"], c["new"]
            lines.append(f"| {c['what']} | {old_ms:.1f} ms, {old_q} queries | {new_ms:.1f} ms, {new_q} queries | "
                         f"{old_ms / new_ms:.1f}x | {'yes' if c['same'] else '**no**'} |")
        pages = {row["page"]: row["ms"] for row in r["rows"]}
        for one, five, what in (("年度数据 figures JSON, one year", "五年数据 figures JSON, five years", "cached"),
                                ("figures JSON, one year, first request after an edit of a job",
                                 "figures JSON, five years, first request after an edit of a job",
                                 "first request after an edit of a job")):
            if pages.get(one) and pages.get(five):
                lines.append(f"\nfigures JSON ({what}): five years take {pages[five] / pages[one]:.2f}x one year.")
        by_what = {c["what"]: c["new"][0] for c in r.get("compared", [])}
        for what in ("labour employment figures", "trends' headline figures"):
            one, five = by_what.get(f"{what}, 1 year(s)"), by_what.get(f"{what}, 5 year(s)")
            if one and five:
                lines.append(f"\n{what}, new path: five years take {five / one:.2f}x one year.")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
