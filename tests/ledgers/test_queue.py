"""The job queue: a real worker process takes queued jobs, and a job whose
worker died is seen as dead (已中断) and can be run again, once."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from django.urls import reverse

from xiezuo.funds.models import FundReceipt
from xiezuo.ledgers import jobs
from xiezuo.ledgers.models import ImportJob

from .test_concurrent_imports import messages_of
from .test_views import upload

ROOT = Path(__file__).resolve().parents[2]


def _beat_long_ago(job, seconds=3600):
    """Make the job's last heartbeat `seconds` old, as when its worker died."""
    path = job.progress_path
    progress = json.loads(path.read_text())
    progress["beat"] = time.time() - seconds
    path.write_text(json.dumps(progress))


def test_a_job_whose_worker_died_shows_rerun_and_imports_once(county, client_for, samples, settings):
    c = client_for("huangyuan")
    upload(c, county, samples, "funds/valid.xlsx")
    job = ImportJob.objects.get()
    # Confirmed and taken by a worker that then died: 导入中, beating no more.
    assert jobs.claim(job, ImportJob.PREVIEWED, ImportJob.IMPORTING)
    job.write_progress(1, 3, ImportJob.IMPORTING)
    dead_run = job.attempt
    page = c.get(reverse("ledger_job", args=[job.pk])).content.decode()
    assert "正在导入" in page and 'id="rerun"' not in page  # a fresh beat: still running
    _beat_long_ago(job)

    page = c.get(reverse("ledger_job", args=[job.pk])).content.decode()
    assert "已中断" in page and "导入已中断" in page and 'id="rerun"' in page and "重新导入" in page
    assert "正在导入" not in page
    assert c.get(reverse("ledger_job_progress", args=[job.pk]))["HX-Refresh"] == "true"
    assert "已中断" in c.get(reverse("ledger_index", args=[county.pk])).content.decode()
    # Others may not re-run it.
    assert client_for("outsider").post(reverse("ledger_job_rerun", args=[job.pk])).status_code == 404
    assert client_for("lingdao").post(reverse("ledger_job_rerun", args=[job.pk])).status_code == 403

    r = c.post(reverse("ledger_job_rerun", args=[job.pk]))
    assert messages_of(r) == ["已重新开始：上次运行中断，未写入任何记录"]
    job.refresh_from_db()
    assert (job.status, job.result["added"], job.attempt) == (ImportJob.DONE, 3, dead_run + 1)
    assert FundReceipt.objects.filter(doc_number__startswith="样例").count() == 3
    # A second press, and the dead run's task taken late by a worker, do nothing.
    r = c.post(reverse("ledger_job_rerun", args=[job.pk]))
    assert messages_of(r)[-1] == "该任务仍在运行或已经结束，不能重新导入"
    assert jobs.run_queued(job.pk, dead_run, True, None) is None
    job.refresh_from_db()
    assert job.status == ImportJob.DONE and job.attempt == dead_run + 1
    assert FundReceipt.objects.filter(doc_number__startswith="样例").count() == 3


def test_a_running_job_cannot_be_rerun(county, client_for, samples):
    c = client_for("huangyuan")
    upload(c, county, samples, "funds/valid.xlsx")
    job = ImportJob.objects.get()
    assert jobs.claim(job, ImportJob.PREVIEWED, ImportJob.IMPORTING)
    job.write_progress(1, 3, ImportJob.IMPORTING)
    assert not jobs.rerun(job)
    assert not FundReceipt.objects.filter(doc_number__startswith="样例").exists()


def test_a_run_replaced_by_a_rerun_does_not_record_its_outcome(county, users, samples, settings):
    """A run presumed dead that was only slow finishes after the re-run took
    the job: the job's outcome stays the re-run's."""
    from django.core.files import File

    job = ImportJob(pairing=county, user=users["huangyuan"], ledger="funds", filename="valid.xlsx")
    with open(samples / "funds/valid.xlsx", "rb") as fh:
        job.file.save("valid.xlsx", File(fh), save=False)
    job.save()
    slow = ImportJob.objects.get(pk=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(attempt=5)  # re-run since
    jobs.execute(slow, commit=False)
    job.refresh_from_db()
    assert (job.status, job.result, job.attempt) == (ImportJob.PREVIEWING, None, 5)


def _manage(env, *args, timeout=120, **kwargs):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=True, **kwargs)


SCRIPT = """
from django.conf import settings
from django.core.files import File
from xiezuo.accounts.models import User
from xiezuo.ledgers import jobs
from xiezuo.ledgers.models import ImportJob
from xiezuo.pairings.models import Pairing

settings.XIEZUO_LEDGER_BACKGROUND_BYTES = 1  # every file goes to the queue
{body}
"""

UPLOAD = """
county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
job = ImportJob(pairing=county, user=User.objects.get(username="huangyuan"), ledger="funds", filename="valid.xlsx")
with open({sample!r}, "rb") as fh:
    job.file.save("valid.xlsx", File(fh), save=False)
job.save()
assert jobs.start(job, commit=False)
print(job.pk)
"""

CONFIRM = """
job = ImportJob.objects.get(pk={pk})
assert jobs.start(job, commit=True, expect=ImportJob.PREVIEWED)
"""


def test_a_worker_process_runs_queued_jobs(tmp_path, samples):
    """`manage.py run_huey` in a process of its own, on a SQLite queue file
    and a SQLite database of its own, previews and imports a queued job;
    the test waits on the job's own state in that database."""
    db = tmp_path / "db.sqlite3"
    env = {**os.environ, "XIEZUO_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{db}",
           "MEDIA_ROOT": str(tmp_path / "media"), "XIEZUO_QUEUE_FILE": str(tmp_path / "queue.sqlite3"),
           "XIEZUO_QUEUE_URL": "", "XIEZUO_QUEUE_IMMEDIATE": "0", "DJANGO_SETTINGS_MODULE": "xiezuo.settings"}
    env.pop("DEBUG", None)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_demo", "-v0")
    body = UPLOAD.format(sample=str(samples / "funds/valid.xlsx"))
    pk = int(_manage(env, "shell", "-c", textwrap.dedent(SCRIPT.format(body=body))).stdout.split()[-1])

    def state():
        with sqlite3.connect(db, timeout=20) as conn:
            return conn.execute("SELECT status FROM ledgers_importjob WHERE id = ?", [pk]).fetchone()[0]

    def wait(status, timeout=90):
        deadline = time.monotonic() + timeout
        while (now := state()) in ("previewing", "importing"):
            assert time.monotonic() < deadline, f"job still {now}"
            time.sleep(0.2)
        assert now == status, (now, worker_log())

    assert state() == "previewing"  # queued: nobody runs it yet
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115  closed below

    def worker_log():
        log.flush()
        return (tmp_path / "worker.log").read_text()[-3000:]

    worker = subprocess.Popen([sys.executable, "manage.py", "run_huey", "--workers", "1", "--worker-type", "process"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait("previewed")
        _manage(env, "shell", "-c", textwrap.dedent(SCRIPT.format(body=CONFIRM.format(pk=pk))))
        wait("done")
        with sqlite3.connect(db) as conn:
            added = conn.execute("SELECT COUNT(*) FROM funds_fundreceipt WHERE doc_number LIKE '样例%'").fetchone()[0]
            result = json.loads(conn.execute("SELECT result FROM ledgers_importjob WHERE id = ?", [pk]).fetchone()[0])
        assert (added, result["added"]) == (3, 3)
        assert worker.poll() is None, worker_log()  # the worker outlives its jobs
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
        log.close()
