"""Benchmark of whole-ledger exports: `make bench-exports`.

The rows. 200,000 sales (BENCH_EXPORT_ROWS) as the sales ledger exports
them, shaped like bench_ledgers' realistic ledger (`RealisticSales`): its
5,000 buyers and 2,000 products with names of the length offices give them,
the nine channels, 直接采购/帮助销售, quantities whole or to one or three
places, random prices and amounts to the cent (nearly all distinct), dates
as date cells, a fifth of the vouchers and notes blank. Seeded: the same
rows every run.

The measures, each in its own subprocess, taking turns BENCH_EXPORT_REPEAT=3
times each, each reported by its median run:
  ours        lib.exports: `Book(text_format=True)`, the ledger's header
              written through `Sheet.cell`, the rows through `Sheet.stream`
              with the ledger's styles (amounts #,##0.00, text "@", dates,
              the quote prefix on formula-looking text);
  xlsxwriter  plain xlsxwriter in constant_memory mode writing the same
              rows and cells with the same formats (write_string with the
              text format, write_number, write_datetime; the quote prefix
              variant for formula-looking text), the fastest way it offers.
Each child builds its rows in a list first, outside the timing; the time is
the write to a finished .xlsx (the section's CPU time; wall beside it); the
memory is the peak resident size while writing above the resident size
before (the list of rows is the same in both). The first pair of files is
read back with python-calamine and compared cell by cell.

Then whole processes: `manage.py export_ledger sales` on a SQLite database
holding 200,000 and 1,000,000 sales (BENCH_EXPORT_WHOLE_ROWS; made once
under var/bench-exports/ with one plain INSERT of the rows and reused),
each run once, measured as the child's own user + sys CPU (os.wait4) and
its own peak resident size (VmHWM, printed as it exits): interpreter,
Django, the query, the file. BENCH_EXPORT_ROWS=0 runs only these.

Targets: ours ≤ 0.5x the CPU time of xlsxwriter constant_memory; the whole
export process's peak ≤ 150 MB at every size.
"""

import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-exports"
TARGET_RATIO = 0.5
TARGET_PEAK_MB = 150
REPEAT = int(os.environ.get("BENCH_EXPORT_REPEAT", "3"))

HEADER = ["*销售日期", "*采购单位", "供应商", "*产品", "*销售渠道", "*类型", "*数量", "单价（元）", "*金额（元）", "凭证号",
          "备注"]
MONEY_COLUMNS = (7, 8)


def rows_wanted():
    return int(os.environ.get("BENCH_EXPORT_ROWS", "200000"))


def whole_sizes():
    text = os.environ.get("BENCH_EXPORT_WHOLE_ROWS", "200000,1000000")
    return [int(n) for n in text.split(",") if n.strip() and int(n)]


def sales(n):
    """Yield n realistic sales as tuples of stored values: (date, buyer index,
    product index, channel index, kind, quantity, price, amount, voucher, note)."""
    from bench.bench_ledgers import RealisticSales

    rng = random.Random(RealisticSales.SEED + 10)
    n_buyers, n_products = RealisticSales.N_BUYERS, RealisticSales.N_SUPPLIERS * RealisticSales.PER_SUPPLIER
    first, cent = datetime.date(2022, 1, 1), Decimal("0.01")
    for i in range(n):
        day = first + datetime.timedelta(days=rng.randrange(365))
        shape = rng.random()
        if shape < 0.5:
            quantity = Decimal(rng.randint(1, 1000))
        elif shape < 0.8:
            quantity = Decimal(rng.randint(5, 5000)).scaleb(-1)
        else:
            quantity = Decimal(rng.randint(1, 200_000)).scaleb(-3)
        price = Decimal(rng.randint(100, 4_999_999)).scaleb(-2)
        amount = (quantity * price).quantize(cent, ROUND_HALF_UP)
        yield (day, rng.randrange(n_buyers), rng.randrange(n_products), rng.randrange(len(RealisticSales.CHANNELS)),
               "direct" if rng.random() < 0.7 else "helped", quantity, price, amount,
               "" if rng.random() < 0.2 else f"{day.year}{day.month:02d}-记-{i:07d}",
               "" if rng.random() < 0.2 else rng.choice(RealisticSales.NOTES))


def export_rows(n):
    """The cells the sales ledger exports for n realistic sales."""
    from bench.bench_ledgers import RealisticSales

    buyers, suppliers, products = RealisticSales.buyers(), RealisticSales.suppliers(), RealisticSales.products()
    kinds = {"direct": "直接采购", "helped": "帮助销售"}
    return [[day, buyers[b], suppliers[products[p][0]], products[p][1], RealisticSales.CHANNELS[c], kinds[kind],
             float(quantity), float(price), float(amount), voucher, note]
            for day, b, p, c, kind, quantity, price, amount, voucher, note in sales(n)]


# ------------------------------------------------------------- writers
def write_ours(rows, path):
    from lib.exports import Book

    book = Book(path, text_format=True)
    money = book.style(num_format="#,##0.00")
    header = book.style(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True, valign="vcenter")
    sheet = book.sheet("消费帮扶销售")
    sheet.row(0, 0, HEADER, header)
    sheet.stream(rows, [money if c in MONEY_COLUMNS else None for c in range(len(HEADER))], first_row=1)
    book.close()


def write_xlsxwriter(rows, path):
    import xlsxwriter

    from lib.exports import DANGEROUS

    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                    "strings_to_numbers": False})
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    text = wb.add_format({"num_format": "@"})
    quoted = wb.add_format({"num_format": "@", "quote_prefix": True})
    money = wb.add_format({"num_format": "#,##0.00"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("消费帮扶销售")
    for c, title in enumerate(HEADER):
        ws.write_string(0, c, title, header)
    number_formats = [money if c in MONEY_COLUMNS else None for c in range(len(HEADER))]
    write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if type(value) is str:
                if value:
                    write_string(r, c, value, quoted if value.startswith(DANGEROUS) else text)
            elif type(value) is float:
                write_number(r, c, value, number_formats[c])
            else:
                write_datetime(r, c, value, date)
    wb.close()


WRITERS = {"ours": write_ours, "xlsxwriter": write_xlsxwriter}


def memory_kb(field):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":"))


def child_writer(which, n, path):
    rows = export_rows(n)
    before = memory_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset the peak (VmHWM) to the current resident size
    t0, c0 = time.perf_counter(), time.process_time()
    WRITERS[which](rows, path)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "extra_mb": (memory_kb("VmHWM") - before) / 1024,
            "size_mb": Path(path).stat().st_size / 1e6}


def same_cells(a, b):
    """Compare two workbooks' first sheets cell by cell as the importer reads them."""
    import python_calamine

    def rows(path):
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        return book.get_sheet_by_index(0).iter_rows()

    n = 0
    for x, y in zip(rows(a), rows(b), strict=True):
        if x != y:
            raise AssertionError(f"row {n + 1} differs: {x} != {y}")
        n += 1
    return n


# ------------------------------------------------------ whole processes
def setup_django(db):
    sys.path.insert(0, str(ROOT))
    from bench import common

    common.setup_django(f"sqlite:///{db}")


def child_prepare(n, db):
    """Make a database holding n realistic sales of one pairing; print its id.

    The rows go in with one plain executemany INSERT: the export reads the
    sale table and its lookups only, and the application's own write path
    (maintained totals, audit events) would take most of an hour for a
    million rows on the shared machine."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    setup_django(db)
    from bench.bench_ledgers import fixture
    from django.db import connection, transaction

    from xiezuo.consumption.models import Buyer, Channel, Product, Sale
    from xiezuo.ledgers.services import command_user

    pairing = fixture("sales", "realistic")
    command_user()
    buyers = list(Buyer.objects.filter(pairing=pairing).order_by("pk").values_list("pk", flat=True))
    products = list(Product.objects.filter(pairing=pairing).order_by("pk").values_list("pk", "supplier_id"))
    channels = list(Channel.objects.filter(pairing=None).order_by("order", "pk").values_list("pk", flat=True))
    kinds = {"direct": Sale.PURCHASED, "helped": Sale.HELPED}
    columns = ("pairing_id", "date", "year", "month", "buyer_id", "supplier_id", "product_id", "channel_id", "kind",
               "quantity", "unit_price", "amount", "voucher_no", "voucher", "note", "is_demo", "version", "repeat_no")
    sql = (f"INSERT INTO consumption_sale ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, (
            (pairing.pk, day.isoformat(), day.year, day.month, buyers[b], products[p][1], products[p][0],
             channels[c % len(channels)], kinds[kind], str(quantity), str(price), str(amount), voucher, "", note,
             False, 1, None if voucher else 1)
            for day, b, p, c, kind, quantity, price, amount, voucher, note in sales(n)))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"pairing": pairing.pk, "rows": Sale.objects.filter(pairing=pairing).count()}


def child(argv):
    kind = argv[0]
    if kind == "prepare":
        out = child_prepare(int(argv[1]), Path(argv[2]))
    else:
        out = child_writer(kind, int(argv[1]), argv[2])
    print("RESULT " + json.dumps(out), flush=True)
    return 0


# -------------------------------------------------------------- parent
def run_process(cmd, env=None):
    """Run one command; return (its stdout, its own usage: CPU s, wall s, max RSS MB)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:6]} failed:\n{stdout[-2000:]}\n{stderr[-3000:]}")
    return stdout, {"cpu": usage.ru_utime + usage.ru_stime, "seconds": wall, "rss": usage.ru_maxrss / 1024}


def run_child(*args):
    stdout, usage = run_process([sys.executable, "-m", "bench.bench_exports", *map(str, args)])
    line = [x for x in stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):]), usage


def writers(n):
    print(f"rows: {n} sales x {len(HEADER)} columns; load average before: {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores", flush=True)
    WORK.mkdir(parents=True, exist_ok=True)
    runs = {name: [] for name in WRITERS}
    for i in range(REPEAT):
        for name in WRITERS:
            result, _ = run_child(name, n, WORK / f"{name}.xlsx")
            runs[name].append(result)
            print(f"{name} #{i + 1}: {result['cpu']:.2f} s CPU, {result['seconds']:.2f} s wall, "
                  f"+{result['extra_mb']:.0f} MB while writing, {result['size_mb']:.1f} MB file", flush=True)
        if i == 0:
            print(f"read back with python-calamine: {same_cells(WORK / 'ours.xlsx', WORK / 'xlsxwriter.xlsx')} rows, "
                  f"every cell equal", flush=True)
    ours = statistics.median(r["cpu"] for r in runs["ours"])
    theirs = statistics.median(r["cpu"] for r in runs["xlsxwriter"])
    ratio = ours / theirs
    wall = statistics.median(r["seconds"] for r in runs["ours"]) / statistics.median(
        r["seconds"] for r in runs["xlsxwriter"])
    print(f"medians of {REPEAT}: ours {ours:.2f} s CPU, xlsxwriter constant_memory {theirs:.2f} s CPU; "
          f"ratio {ratio:.2f}x (target ≤ {TARGET_RATIO}x), wall {wall:.2f}x; "
          f"load average after: {os.getloadavg()[0]:.1f}")
    return ratio <= TARGET_RATIO


PEAK_WRAPPER = """
import atexit, runpy, sys

def peak():
    with open("/proc/self/status") as fh:
        kb = next(line.split()[1] for line in fh if line.startswith("VmHWM:"))
    print("PEAK_KB", kb, flush=True)

atexit.register(peak)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def whole_process(n):
    WORK.mkdir(parents=True, exist_ok=True)
    db = WORK / f"sales-{n}.sqlite3"
    meta = WORK / f"sales-{n}.json"
    if not (db.exists() and meta.exists()):
        t0 = time.perf_counter()
        prepared, _ = run_child("prepare", n, db)
        meta.write_text(json.dumps(prepared))
        print(f"prepared {db.name}: {prepared['rows']} sales in {time.perf_counter() - t0:.0f} s", flush=True)
    prepared = json.loads(meta.read_text())
    out = WORK / f"export-{n}.xlsx"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "xiezuo.settings"}
    # The peak is the process's own VmHWM, printed as it exits: the
    # rusage of a child also counts what its parent held when it forked.
    command = ["manage.py", "export_ledger", "sales", "--pairing", str(prepared["pairing"]), "--out", str(out)]
    stdout, usage = run_process([sys.executable, "-c", PEAK_WRAPPER, *command], env)
    usage["rss"] = int(stdout.rsplit("PEAK_KB ", 1)[1].split()[0]) / 1024
    import python_calamine

    rows = sum(1 for _ in python_calamine.CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).iter_rows())
    ok = rows == n + 1 and usage["rss"] <= TARGET_PEAK_MB
    print(f"whole export of {n} sales (manage.py export_ledger): {usage['cpu']:.1f} s CPU, {usage['seconds']:.1f} s "
          f"wall, peak {usage['rss']:.0f} MB (target ≤ {TARGET_PEAK_MB} MB), {out.stat().st_size / 1e6:.1f} MB file, "
          f"{rows - 1} data rows read back", flush=True)
    out.unlink()
    return ok


def main():
    from bench.common import machine

    print(f"machine: {machine()}")
    ok = writers(rows_wanted()) if rows_wanted() else True  # BENCH_EXPORT_ROWS=0: whole processes only
    for n in whole_sizes():
        ok = whole_process(n) and ok
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(child(sys.argv[1:]))
    sys.exit(main())
