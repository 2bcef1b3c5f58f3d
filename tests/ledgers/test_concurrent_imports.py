"""Imports run twice at once: one job confirmed twice, one file imported by
two users at the same moment. Each row must be stored once and the
maintained totals counted once (docs/RELIABILITY.md, "Concurrent imports and
the job queue")."""

import datetime
import json
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from xiezuo.accounts.models import User
from xiezuo.consumption.models import Sale, SaleTotal
from xiezuo.ledgers import jobs
from xiezuo.ledgers.importer import run_import
from xiezuo.ledgers.models import ImportJob
from xiezuo.ledgers.spec import Context, get_spec

from .make_samples import table
from .test_amount_only import HEADERS, big_row
from .test_sales_batches import sale_row, write
from .test_views import upload

ROWS = 3000
TWINS = 40  # identical purchases in the amount-only file


def sales_file(path, layout="with-vouchers"):
    """A 3,000-row sales ledger: with a 凭证号 on every row; without (every
    row has its own day); or amount-only as offices keep it (购买金额 alone,
    no 凭证号, 销售渠道 or 类型) with 40 purchases listed twice, the 1st and
    2nd of their kind. Rows without a voucher are held once by the fallback
    key's constraint (date, buyer, product, amount, place) as well as by the
    importer's lock."""
    if layout == "with-vouchers":
        return write(path, [sale_row(i) for i in range(ROWS)])
    if layout == "without-vouchers":
        return write(path, [sale_row(i, voucher="", date=datetime.date(2023, 1, 1) + datetime.timedelta(days=i))
                            for i in range(ROWS)])
    rows = [big_row(i) for i in range(ROWS - TWINS)]
    table(path, HEADERS, rows + rows[:TWINS], sheet="消费帮扶台账")
    return path


def assert_stored_once(stored):
    """No natural key is stored twice: neither a voucher's key nor a place."""
    keys = stored.exclude(voucher_no="").values_list("date", "buyer_id", "product_id", "channel_id", "voucher_no")
    places = stored.filter(voucher_no="").values_list("date", "buyer_id", "product_id", "amount", "repeat_no")
    assert len(set(keys)) == len(keys) and len(set(places)) == len(places)
    assert None not in {place[-1] for place in places}


def totals(pairing):
    got = SaleTotal.objects.filter(pairing=pairing).aggregate(n=Sum("n"), fen=Sum("amount_fen"))
    return got["n"] or 0, got["fen"] or 0


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_job_confirmed_twice_imports_once(county, client_for, samples):
    c = client_for("huangyuan")
    upload(c, county, samples, "funds/valid.xlsx")
    job = ImportJob.objects.get()
    stale = ImportJob.objects.get(pk=job.pk)  # a second request that read the job before the first confirmed
    assert jobs.start(job, commit=True, expect=ImportJob.PREVIEWED) is True
    assert jobs.start(stale, commit=True, expect=ImportJob.PREVIEWED) is False
    assert stale.status == ImportJob.DONE
    from xiezuo.funds.models import FundReceipt

    assert FundReceipt.objects.filter(doc_number__startswith="样例").count() == 3
    r = c.post(reverse("ledger_job_confirm", args=[job.pk]))
    assert messages_of(r) == ["该文件已经导入，不能重复确认导入"]
    assert FundReceipt.objects.filter(doc_number__startswith="样例").count() == 3


def test_confirm_while_importing_is_refused_in_words(county, client_for, samples):
    c = client_for("huangyuan")
    upload(c, county, samples, "funds/valid.xlsx")
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.IMPORTING)
    r = c.post(reverse("ledger_job_confirm", args=[job.pk]), follow=True)
    assert "该文件正在导入（已有人确认），不能重复确认导入" in r.content.decode()
    from xiezuo.funds.models import FundReceipt

    assert not FundReceipt.objects.filter(doc_number__startswith="样例").exists()


def test_two_runs_of_a_job_write_progress_without_sharing_a_file(county, users, settings, tmp_path):
    """Each progress write has a temporary file of its own (a shared one once
    gave an HTTP 500 when two runs of one job replaced it at once)."""
    job = ImportJob.objects.create(pairing=county, user=users["liuhe"], ledger="funds", filename="x.xlsx",
                                   file="ledger-imports/x.xlsx", status=ImportJob.IMPORTING)
    errors = []

    def writer(phase):
        try:
            for i in range(300):
                job.write_progress(i, 300, phase)
        except Exception as e:  # noqa: BLE001 - handed to the test thread
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(p,)) for p in ("importing", "previewing")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert json.loads(job.progress_path.read_text())["done"] == 299
    assert not list(job.progress_path.parent.glob("*.tmp"))


def _concurrently(*calls):
    """Run each call in its own thread with its own connection, started
    together; return their results (or raise the first error)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(k, fn):
        try:
            barrier.wait(timeout=30)
            results[k] = fn()
        except Exception as e:  # noqa: BLE001 - handed to the test thread
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(k, fn)) for k, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not any(t.is_alive() for t in threads), "an import hung"
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.parametrize("layout", ["with-vouchers", "without-vouchers", "amount-only"])
def test_same_sales_file_imported_twice_at_once_stores_each_row_once(transactional_demo, postgres_only, county,
                                                                     tmp_path, layout):
    path = sales_file(tmp_path / "sales.xlsx", layout)
    before_rows, before_totals = Sale.objects.filter(pairing=county).count(), totals(county)
    users = [User.objects.get(username=name) for name in ("huangyuan", "liuhe")]

    def importer(user):
        return lambda: run_import(get_spec("sales"), Context(pairing=county, user=user), path, commit=True)

    first, second = _concurrently(*(importer(u) for u in users))
    assert sorted([first.added, second.added]) == [0, ROWS], (first.as_dict(), second.as_dict())
    assert sorted([first.skipped, second.skipped]) == [0, ROWS]
    assert first.committed and second.committed and not first.errors and not second.errors
    stored = Sale.objects.filter(pairing=county)
    assert stored.count() - before_rows == ROWS
    assert_stored_once(stored)
    if layout == "amount-only":
        assert stored.filter(repeat_no=2).count() == TWINS
    n, fen = totals(county)
    added_fen = sum(int(a * 100) for a in stored.exclude(pk__in=[]).filter(
        pk__in=first.created_ids or second.created_ids).values_list("amount", flat=True))
    assert (n - before_totals[0], fen - before_totals[1]) == (ROWS, added_fen)


@pytest.mark.postgres
@pytest.mark.parametrize("layout", ["with-vouchers", "amount-only"])
def test_one_job_confirmed_by_two_requests_at_once_imports_once(transactional_demo, postgres_only, county,
                                                                 tmp_path, layout):
    path = sales_file(tmp_path / "sales.xlsx", layout)
    user = User.objects.get(username="huangyuan")
    c = Client()
    c.force_login(user)
    with open(path, "rb") as fh:
        c.post(reverse("ledger_upload", args=[county.pk, "sales"]), {"file": fh, "mode": "append"})
    job = ImportJob.objects.get()
    assert (job.status, job.result["added"]) == (ImportJob.PREVIEWED, ROWS), job.result
    before_rows, before_totals = Sale.objects.filter(pairing=county).count(), totals(county)

    def confirm():
        client = Client()
        client.force_login(user)
        r = client.post(reverse("ledger_job_confirm", args=[job.pk]))
        return r.status_code, messages_of(r)

    outcomes = _concurrently(confirm, confirm)
    assert sorted(code for code, _ in outcomes) == [302, 302]
    refused = [m for _, m in outcomes if m]
    assert len(refused) == 1 and refused[0][0] in ("该文件正在导入（已有人确认），不能重复确认导入",
                                                   "该文件已经导入，不能重复确认导入"), outcomes
    job.refresh_from_db()
    assert job.status == ImportJob.DONE
    assert Sale.objects.filter(pairing=county).count() - before_rows == ROWS
    assert_stored_once(Sale.objects.filter(pairing=county))
    assert totals(county)[0] - before_totals[0] == ROWS


# The same races on SQLite: child processes on one SQLite file database
# (tests/file_database.py), released together. The thread versions above
# stay PostgreSQL-only: they test `lock_ledger`'s advisory lock, which only
# PostgreSQL takes (on SQLite BEGIN IMMEDIATE is the lock), and threads on
# the in-memory SQLite test database share one database and show no race.

SALES_STATE = """
    from django.db.models import Sum
    from xiezuo.audit.models import AuditEvent
    from xiezuo.consumption.models import Sale, SaleTotal
    from xiezuo.pairings.models import Pairing
    from tests.ledgers.test_concurrent_imports import assert_stored_once, totals
    county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
    stored = Sale.objects.filter(pairing=county)
    assert_stored_once(stored)
    n, fen = totals(county)
    # Each import event names how many sales its batch stored.
    batches = AuditEvent.objects.filter(action="import", model="consumption.Sale").values_list("after", flat=True)
    state = dict(rows=stored.count(), n=n, fen=fen, twins=stored.filter(repeat_no=2).count(),
                 amount_fen=int((stored.aggregate(s=Sum("amount"))["s"] or 0) * 100),
                 audited=sum((after or {}).get("count", 0) for after in batches), chain=chain_break())
"""


@pytest.mark.parametrize("layout", ["with-vouchers", "without-vouchers", "amount-only"])
def test_same_sales_file_imported_twice_at_once_stores_each_row_once_on_sqlite(file_demo, tmp_path, layout):
    path = sales_file(tmp_path / "sales.xlsx", layout)
    before = file_demo.run(SALES_STATE, "report(**state)")
    importer = """
        from xiezuo.accounts.models import User
        from xiezuo.ledgers.importer import run_import
        from xiezuo.ledgers.spec import Context, get_spec
        from xiezuo.pairings.models import Pairing
        county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
        ctx = Context(pairing=county, user=User.objects.get(username=ARGS["users"][RACER]))
        released()
        result = run_import(get_spec("sales"), ctx, ARGS["path"], commit=True)
        report(added=result.added, skipped=result.skipped, committed=result.committed, errors=len(result.errors))
    """
    first, second = file_demo.race(importer, importer, path=str(path), users=["huangyuan", "liuhe"])
    assert sorted([first["added"], second["added"]]) == [0, ROWS], (first, second)
    assert sorted([first["skipped"], second["skipped"]]) == [0, ROWS], (first, second)
    assert first["committed"] and second["committed"] and first["errors"] == second["errors"] == 0, (first, second)
    after = file_demo.run(SALES_STATE, "report(**state)")
    added = {k: after[k] - before[k] for k in ("rows", "n", "fen", "amount_fen", "twins", "audited")}
    assert added["rows"] == added["n"] == added["audited"] == ROWS and added["fen"] == added["amount_fen"], added
    assert added["twins"] == (TWINS if layout == "amount-only" else 0), added
    assert after["chain"] == "", after


@pytest.mark.parametrize("layout", ["with-vouchers", "amount-only"])
def test_one_job_confirmed_by_two_requests_at_once_imports_once_on_sqlite(file_demo, tmp_path, layout):
    path = sales_file(tmp_path / "sales.xlsx", layout)
    job = file_demo.run("""
        from django.test import Client
        from django.urls import reverse
        from xiezuo.accounts.models import User
        from xiezuo.ledgers.models import ImportJob
        from xiezuo.pairings.models import Pairing
        county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
        c = Client()
        c.force_login(User.objects.get(username="huangyuan"))
        with open(ARGS["path"], "rb") as fh:
            c.post(reverse("ledger_upload", args=[county.pk, "sales"]), {"file": fh, "mode": "append"})
        job = ImportJob.objects.get()
        report(pk=job.pk, status=job.status, added=job.result["added"])
    """, path=str(path))
    assert (job["status"], job["added"]) == (ImportJob.PREVIEWED, ROWS), job
    before = file_demo.run(SALES_STATE, "report(**state)")
    confirm = """
        from django.contrib.messages import get_messages
        from django.test import Client
        from django.urls import reverse
        from xiezuo.accounts.models import User
        client = Client()
        client.force_login(User.objects.get(username="huangyuan"))
        released()
        r = client.post(reverse("ledger_job_confirm", args=[ARGS["job"]]))
        report(status=r.status_code, messages=[str(m) for m in get_messages(r.wsgi_request)])
    """
    outcomes = file_demo.race(confirm, confirm, job=job["pk"])
    assert sorted(o["status"] for o in outcomes) == [302, 302], outcomes
    refused = [o["messages"] for o in outcomes if o["messages"]]
    assert len(refused) == 1 and refused[0][0] in ("该文件正在导入（已有人确认），不能重复确认导入",
                                                   "该文件已经导入，不能重复确认导入"), outcomes
    after = file_demo.run(SALES_STATE, """
        from xiezuo.ledgers.models import ImportJob
        report(status=ImportJob.objects.get(pk=ARGS["job"]).status, **state)
    """, job=job["pk"])
    assert after["status"] == ImportJob.DONE and after["chain"] == "", after
    added = {k: after[k] - before[k] for k in ("rows", "n", "fen", "amount_fen", "audited")}
    assert added == {"rows": ROWS, "n": ROWS, "fen": added["amount_fen"], "amount_fen": added["amount_fen"],
                     "audited": ROWS}, added
