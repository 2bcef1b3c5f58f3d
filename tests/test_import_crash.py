"""A process killed in the middle of a 100,000-row import leaves no partial
rows, no partial totals and an intact audit chain; running the same import
again simply completes it. Runs real processes on a file database."""

import datetime
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
import xlsxwriter
from django.conf import settings

# Big enough for a big import's own path: twice the size at which SQLite
# drops the sale indexes for the import (`bulk.DeferredIndexes.MIN_ROWS`),
# so the kill at half way lands after the drop, which it must undo.
ROWS = 100_000
ROOT = settings.BASE_DIR

SHELL = """
import json
from xiezuo.pairings.models import Pairing
from xiezuo.consumption.models import Buyer, Channel, Product
county = Pairing.objects.get(level="county")
product = Product.objects.filter(pairing=county).select_related("supplier__organisation").first()
print(json.dumps({"pairing": county.pk, "buyer": Buyer.objects.filter(pairing=county).first().name,
                  "product": product.name, "supplier": product.supplier.organisation.name,
                  "channel": Channel.objects.filter(kind="p832").first().name}))
"""


def manage(env, *args, **kw):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600, **kw)


QUERIES = ("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM consumption_sale",
           "SELECT COALESCE(SUM(amount_fen), 0) FROM consumption_saletotal",
           "SELECT COUNT(*) FROM audit_auditevent")


def counts(db):
    """Read the rows straight from the database file or server, past Django."""
    if isinstance(db, str):
        import psycopg

        with psycopg.connect(db) as conn:
            return tuple(v for q in QUERIES for v in conn.execute(q).fetchone())
    with sqlite3.connect(db) as conn:
        return tuple(v for q in QUERIES for v in conn.execute(q).fetchone())


def indexes(db):
    """The sale table's index definitions (a big import on SQLite drops and
    rebuilds them inside its transaction: a kill must leave them)."""
    if isinstance(db, str):
        import psycopg

        with psycopg.connect(db) as conn:
            return sorted(conn.execute("SELECT indexname, indexdef FROM pg_indexes "
                                       "WHERE tablename = 'consumption_sale'").fetchall())
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                   "AND tbl_name = 'consumption_sale'").fetchall())


@pytest.fixture
def crash_db(tmp_path):
    """A database of its own: a file on SQLite, a fresh database on PostgreSQL
    when the suite runs there."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        db = tmp_path / "crash.sqlite3"
        yield f"sqlite:///{db}", db
        return
    import psycopg

    name = f"xiezuo_crash_{os.getpid()}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    dsn = url.rsplit("/", 1)[0] + "/" + name
    yield dsn, dsn.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def make_ledger(path, ref):
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("销售")
    ws.write_row(0, 0, ["销售日期", "采购单位", "供应商", "产品", "销售渠道", "类型", "数量", "单价", "金额", "凭证号"])
    start = datetime.date(2023, 1, 1)
    for i in range(1, ROWS + 1):
        ws.write_row(i, 0, [(start + datetime.timedelta(days=i % 365)).isoformat(), ref["buyer"], ref["supplier"],
                            ref["product"], ref["channel"], "直接采购", 2, 5, 10, f"K{i:06d}"])
    wb.close()


def test_killed_import_leaves_nothing_and_can_be_run_again(tmp_path, crash_db):
    url, db = crash_db
    env = {**os.environ, "DATABASE_URL": url, "XIEZUO_VAR_DIR": str(tmp_path), "DEBUG": "1"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for args in (("migrate", "-v0"), ("load_demo", "-v0")):
        r = manage(env, *args)
        assert r.returncode == 0, r.stderr[-2000:]
    ref = json.loads(manage(env, "shell", "-v0", "-c", SHELL).stdout.strip().splitlines()[-1])
    ledger = tmp_path / "sales.xlsx"
    make_ledger(ledger, ref)
    before, defined = counts(db), indexes(db)
    assert len(defined) >= 5

    # Start the import and kill it once it has gone well into the rows.
    proc = subprocess.Popen([sys.executable, "manage.py", "import_ledger", "sales", str(ledger),
                             "--pairing", str(ref["pairing"])], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen, deadline = None, time.time() + 300
    for line in proc.stdout:
        if line.startswith("已处理"):
            done = int(line.split()[1].split("/")[0])
            if done >= ROWS // 2:
                seen = line.strip()
                break
        if time.time() > deadline:
            break
    assert seen, "the import printed no progress past half way"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL

    assert counts(db) == before, "a killed import left rows, totals or audit events behind"
    assert indexes(db) == defined
    assert manage(env, "audit_verify").returncode == 0
    check = manage(env, "recompute_consumption_totals", "--check")
    assert check.returncode == 0, check.stdout + check.stderr

    r = manage(env, "import_ledger", "sales", str(ledger), "--pairing", str(ref["pairing"]))
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    after = counts(db)
    assert after[0] == before[0] + ROWS
    assert after[2] - before[2] == ROWS * 1000  # 10 yuan = 1000 fen a row
    assert indexes(db) == defined
    assert manage(env, "audit_verify").returncode == 0
    assert manage(env, "recompute_consumption_totals", "--check").returncode == 0
