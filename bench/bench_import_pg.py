"""Imports on PostgreSQL beside the same imports on SQLite: `make bench-import-pg`.

Two ledgers, each imported with `run_import(..., commit=True)` on a fresh
database of each kind, in one run on one machine:

  sales       the realistic sales ledger of `bench_ledgers` (RealisticSales)
              at 200,000 rows (BENCH_IMPORT_PG_SALES): the column path;
  employment  5,000 employment records (BENCH_IMPORT_PG_EMPLOYMENT) of
              4,000 people new to the system (a thousand of them with a
              second job), 身份证号 valid, as a county office's ledger:
              the row path, a person created for each new number.

Each database is prepared once (migrated, the buyers, suppliers, products
and the pairing, the command's user): SQLite as a file copied before each
run, PostgreSQL as a template database (CREATE DATABASE … TEMPLATE) of the
server in DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
bench_importer; the template is bench_importer_tpl). Each import runs in its
own subprocess, the two databases taking turns, BENCH_IMPORT_PG_REPEAT=3
times each; each is reported by its median wall time (the time an office
waits: on PostgreSQL part of the work is the server's, in another process,
so the client's CPU alone would flatter it) with the client's CPU beside it.

Target (issue 22): on PostgreSQL as fast as or faster than on SQLite, for
both ledgers. Every run checks the rows stored, the maintained totals
against the rows and the audit chain.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.bench_ledgers import ROOT, ledger_file, run_process

WORK = ROOT / "var" / "bench-import-pg"
PG_URL = os.environ.get("BENCH_IMPORT_PG_URL", "postgres://postgres@127.0.0.1:5432/bench_importer")
SALES_ROWS = int(os.environ.get("BENCH_IMPORT_PG_SALES", "200000"))
EMPLOYMENT_ROWS = int(os.environ.get("BENCH_IMPORT_PG_EMPLOYMENT", "5000"))
REPEAT = int(os.environ.get("BENCH_IMPORT_PG_REPEAT", "3"))
TARGET_RATIO = 1.0  # PostgreSQL time / SQLite time


# ------------------------------------------------------------ the files
EMPLOYMENT_HEADER = ["*姓名", "*身份证号", "户类型", "*就业去向", "*就业形式", "用工单位", "务工地点", "*开始日期", "结束日期",
                     "月收入", "备注"]


def employment_file(rows):
    """Write (once) an employment ledger of `rows` records; return its path."""
    import datetime

    import xlsxwriter

    from lib.ids import make_id_number

    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"employment-{rows}.xlsx"
    if path.exists():
        return path
    rng = random.Random(20220301)
    surnames = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    given = "国华建平明秀英兰玉梅芳军文强志红海燕霞桂花德成福生春"
    towns = ["南京市六合区", "南京市江宁区", "苏州市昆山市", "西宁市城北区", "湟源县城关镇", "海东市平安区", "深圳市宝安区"]
    forms = ["企业务工", "帮扶车间", "公益性岗位", "灵活就业"]
    destinations = ["赴对口省份", "省内县外", "县内", "省外其他地区"]
    people = max(1, rows * 4 // 5)
    persons, numbers = [], set()
    for i in range(people):
        born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 35))
        number = make_id_number(f"630123{born:%Y%m%d}{i % 1000:03d}")
        while number in numbers:  # one number, one person
            born += datetime.timedelta(days=1)
            number = make_id_number(f"630123{born:%Y%m%d}{i % 1000:03d}")
        numbers.add(number)
        persons.append((rng.choice(surnames) + rng.choice(given) + rng.choice(given), number,
                        rng.choice(["脱贫户", "监测对象", "一般农户", ""])))
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp))
    ws = wb.add_worksheet("就业")
    ws.write_row(0, 0, EMPLOYMENT_HEADER)
    for r in range(rows):
        name, number, household = persons[r % people]
        second = r >= people
        start = datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randrange(300) + (320 if second else 0))
        end = start + datetime.timedelta(days=rng.randrange(30, 200)) if rng.random() < 0.3 else None
        ws.write_row(r + 1, 0, [name, number, household,
                                rng.choice(destinations), rng.choice(forms), f"示例用工单位{rng.randrange(300)}有限公司",
                                rng.choice(towns), start.isoformat(), end.isoformat() if end else "",
                                rng.randrange(2000, 9000), ""])
    wb.close()
    tmp.rename(path)
    return path


# ------------------------------------------------------------ children
def setup_django(url, migrate=False):
    sys.path.insert(0, str(ROOT))
    from bench import common

    common.setup_django(url, migrate=migrate)


def child_prepare(url):
    """Migrate the database and create what the two ledgers name."""
    setup_django(url, migrate=True)
    from bench.bench_ledgers import fixture
    from xiezuo.ledgers.services import command_user

    pairing = fixture("sales", "realistic")
    command_user()
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copy is the main file alone
    return {"pairing": pairing.pk}


def child_import(url, ledger, path):
    setup_django(url)
    from django.db import connection

    from xiezuo.audit.models import verify_chain
    from xiezuo.consumption import totals
    from xiezuo.ledgers.importer import run_import
    from xiezuo.ledgers.services import command_user
    from xiezuo.ledgers.spec import Context, get_spec
    from xiezuo.pairings.models import Pairing

    pairing = Pairing.objects.get()
    spec = get_spec(ledger)
    ctx = Context(pairing=pairing, user=command_user())
    s0 = server_cpu(connection)
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_import(spec, ctx, path, commit=True)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    server = server_cpu(connection) - s0
    checks = {"stored": spec.model.objects.count(), "chain": verify_chain()[2] or "ok"}
    if ledger == "sales":
        checks["totals"] = "ok" if not totals.differences() else "DIFFER"
    return {"seconds": seconds, "cpu": cpu, "server_cpu": server, "rows": result.added, "errors": [str(e) for e in result.errors[:5]],
            "vendor": connection.vendor, **checks}


def server_cpu(connection):
    """Return the CPU seconds the PostgreSQL backend serving this connection
    has used (user + system, from /proc: the server runs on this machine);
    0 on SQLite, whose work is the client's own."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child(argv):
    kind, url = argv[0], argv[1]
    out = child_prepare(url) if kind == "prepare" else child_import(url, argv[2], Path(argv[3]))
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
    return 0


# -------------------------------------------------------------- parent
def run(args):
    stdout, usage = run_process([sys.executable, "-m", "bench.bench_import_pg", *args])
    line = [x for x in stdout.splitlines() if x.startswith("RESULT ")][-1]
    return {**json.loads(line[len("RESULT "):]), "process_cpu": usage["cpu"]}


def _psql(url, sql):
    base = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", base, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)


class SQLiteDB:
    name = "SQLite"

    def __init__(self):
        self.template, self.db = WORK / "prepared.sqlite3", WORK / "run.sqlite3"
        self.url = f"sqlite:///{self.db}"

    def prepare(self):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.template}{suffix}").unlink(missing_ok=True)
        run(["prepare", f"sqlite:///{self.template}"])

    def fresh(self):
        for suffix in ("-wal", "-shm"):
            Path(f"{self.db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.db)


class PostgresDB:
    name = "PostgreSQL"

    def __init__(self):
        self.url = PG_URL
        self.db = PG_URL.rsplit("/", 1)[1]
        self.template = self.db + "_tpl"

    def prepare(self):
        _psql(self.url, f'DROP DATABASE IF EXISTS "{self.db}"')
        _psql(self.url, f'DROP DATABASE IF EXISTS "{self.template}"')
        _psql(self.url, f'CREATE DATABASE "{self.template}"')
        run(["prepare", self.url.rsplit("/", 1)[0] + "/" + self.template])

    def fresh(self):
        _psql(self.url, f'DROP DATABASE IF EXISTS "{self.db}"')
        _psql(self.url, f'CREATE DATABASE "{self.db}" TEMPLATE "{self.template}"')


def main():
    from bench.common import machine

    print(f"machine: {machine()}")
    sales = ledger_file("sales", "realistic", SALES_ROWS)
    employment = employment_file(EMPLOYMENT_ROWS)
    databases = [SQLiteDB(), PostgresDB()]
    for db in databases:
        db.prepare()
    ok = True
    for ledger, path, rows in (("sales", sales, SALES_ROWS), ("employment", employment, EMPLOYMENT_ROWS)):
        print(f"ledger {ledger}: {rows} rows ({path.stat().st_size / 1e6:.1f} MB); "
              f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
        runs = {db.name: [] for db in databases}
        for i in range(REPEAT):
            for db in databases:
                db.fresh()
                out = run(["import", db.url, ledger, str(path)])
                runs[db.name].append(out)
                good = (out["rows"] == rows and out["stored"] == rows and out["chain"] == "ok"
                        and out.get("totals", "ok") == "ok" and not out["errors"])
                ok = ok and good
                print(f"  {db.name} #{i + 1}: {out['seconds']:.1f} s wall, {out['cpu']:.1f} s CPU "
                      f"(+ {out['server_cpu']:.1f} s of the server's), "
                      f"{out['stored']} rows stored, chain {out['chain']}, totals {out.get('totals', '-')}"
                      f"{'' if good else ' WRONG ' + repr(out['errors'])}", flush=True)
        medians = {name: sorted(r, key=lambda x: x["seconds"])[len(r) // 2] for name, r in runs.items()}
        lite, pg = medians["SQLite"], medians["PostgreSQL"]
        ratio = pg["seconds"] / lite["seconds"]
        print(f"  medians of {REPEAT}: SQLite {lite['seconds']:.2f} s ({lite['cpu']:.2f} s CPU), "
              f"PostgreSQL {pg['seconds']:.2f} s ({pg['cpu']:.2f} s CPU + {pg['server_cpu']:.2f} s server): "
              f"PostgreSQL / SQLite = {ratio:.2f}x (CPU, server's included: "
              f"{(pg['cpu'] + pg['server_cpu']) / lite['cpu']:.2f}x) "
              f"(target ≤ {TARGET_RATIO:.1f}x); load average {os.getloadavg()[0]:.1f}", flush=True)
        ok = ok and ratio <= TARGET_RATIO
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(child(sys.argv[1:]))
    sys.exit(main())
