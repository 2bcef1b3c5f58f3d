"""Running an import job of the web UI: in the request, or on the job queue.

Small files are checked and imported inside the request: simplest, and the
page shows the result at once. Files of XIEZUO_LEDGER_BACKGROUND_BYTES or more
(default 512 KB, about 10,000 rows) go to the job queue (huey, see
settings.HUEY and `tasks.py`) and run in a worker process, while the page
polls the job's progress (htmx, once a second).

Every run of a job has a number (`ImportJob.attempt`) and beats while it
works: a thread of the run rewrites the job's progress file every few
seconds. If the worker dies (killed, out of memory, the machine restarted)
the beats stop, and once they are older than the lease the job is shown as
已中断 with a 重新导入 button (`rerun`), which gives the job a new number and
queues it again. The import is one transaction, so the dead run wrote
nothing; a run that was only slow and wakes up later finds its number gone
and leaves the job's outcome alone, and its rows, if it committed, are
found by the new run as stored rows (the ledger lock orders the two).
"""

import logging

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import F
from django.utils import timezone

from lib.heartbeat import Heartbeat
from xiezuo.audit.context import acting_as

from .importer import run_import
from .models import ImportJob
from .services import mapping_for
from .spec import Context, get_spec

MAX_STORED_ERRORS = 2000
logger = logging.getLogger(__name__)


def background_bytes():
    return getattr(settings, "XIEZUO_LEDGER_BACKGROUND_BYTES", 512 * 1024)


def claim(job, expect, status):
    """Move the job from `expect` to `status` in one conditional UPDATE, and
    give it a new run number.

    Two requests confirming one job at the same moment both read 待确认; only
    one UPDATE finds the row still in that state, so only one import starts.
    Returns False (and reloads the job) when another request moved it first.
    """
    moved = ImportJob.objects.filter(pk=job.pk, status=expect, attempt=job.attempt).update(
        status=status, attempt=F("attempt") + 1)
    job.refresh_from_db()
    return bool(moved)


def start(job, commit, ip=None, expect=None):
    """Preview (commit=False) or import (commit=True) the job's file.

    With `expect`, the job must still be in that state (see `claim`);
    returns False, having started nothing, when it no longer is."""
    status = ImportJob.IMPORTING if commit else ImportJob.PREVIEWING
    if not claim(job, job.status if expect is None else expect, status):
        return False
    _dispatch(job, commit, ip)
    return True


def rerun(job, ip=None):
    """重新导入: run again a job whose run died (see ImportJob.interrupted).

    The job keeps its state (导入中 or 检查中) and gets a new run number in
    one conditional UPDATE, so two users pressing the button at once queue
    one run. Returns False when the job is not (or no longer) interrupted."""
    if not job.interrupted:
        return False
    moved = ImportJob.objects.filter(pk=job.pk, status=job.status, attempt=job.attempt).update(
        attempt=F("attempt") + 1)
    job.refresh_from_db()
    if not moved:
        return False
    logger.warning("ledger job %s: run %s presumed dead, queued run %s", job.pk, job.attempt - 1, job.attempt)
    _dispatch(job, job.status == ImportJob.IMPORTING, ip)
    return True


def _dispatch(job, commit, ip):
    # The first beat: the job counts as alive from now until a worker picks
    # it up; a queue with no worker running shows as 已中断 after the lease.
    job.write_progress(0, 0, job.status)
    if job.file.size >= background_bytes():
        from .tasks import run_job

        run_job(job.pk, job.attempt, commit, ip)
    else:
        execute(job, commit, ip)


def run_queued(job_id, attempt, commit, ip):
    """The worker's side of a queued job: run it if it is still this run's."""
    # A worker reuses its connection across tasks: drop it when the database
    # closed it. Not inside a transaction (the queue's immediate mode in a
    # test), where closing would end the caller's transaction.
    own = not connection.in_atomic_block
    if own:
        close_old_connections()
    try:
        job = ImportJob.objects.select_related("pairing", "user").filter(pk=job_id).first()
        if job is None or job.attempt != attempt or not job.running:
            # Abandoned, finished, or re-run since it was queued: not ours any more.
            logger.info("ledger job %s: run %s is no longer current, skipped", job_id, attempt)
            return None
        return execute(job, commit, ip)
    finally:
        if own:
            connection.close()


def execute(job, commit, ip=None):
    spec = get_spec(job.ledger)
    ctx = Context(pairing=job.pairing, user=job.user)
    attempt = job.attempt

    # A confirm imports what its preview showed, or nothing (`run_import`).
    expect = (job.result or {}).get("basis") if commit else None
    with acting_as(job.user, ip=ip), Heartbeat(job) as beat:
        try:
            result = run_import(spec, ctx, job.file.path, mode=job.mode, commit=commit,
                                mapping=mapping_for(ctx, spec), filename=job.filename, progress=beat.progress,
                                expect_basis=expect, sheets=job.sheets)
            data = result.as_dict()
        except Exception as e:  # a crash must not leave the page polling forever
            logger.exception("ledger import job %s failed", job.pk)
            data = {"errors": [{"text": f"导入时发生内部错误：{type(e).__name__}，未写入任何记录。"}],
                    "crashed": True}
            result = None
    data["error_count"] = len(data["errors"])
    data["errors"] = data["errors"][:MAX_STORED_ERRORS]
    job.result = data
    if commit:
        job.status = ImportJob.DONE if result is not None and result.committed else ImportJob.FAILED
        job.finished_at = timezone.now()
    else:
        # A file refused as a whole (hostile, damaged, beyond the limits)
        # cannot be imported by any mapping or mode: the job ends there.
        job.status = ImportJob.PREVIEWED if result is not None and not result.refused else ImportJob.FAILED
        if job.status == ImportJob.FAILED:
            job.finished_at = timezone.now()
    # Only the current run records its outcome (see `rerun`).
    written = ImportJob.objects.filter(pk=job.pk, attempt=attempt).update(
        result=job.result, status=job.status, finished_at=job.finished_at)
    if not written:
        logger.warning("ledger job %s: run %s finished after it was replaced; outcome not recorded", job.pk, attempt)
        job.refresh_from_db()
        return result
    if job.ended:
        # The upload holds personal data in the clear: it goes with the job's end (ledgers.retention).
        job.discard_upload()
    if job.status == ImportJob.DONE:
        # The dashboards above this pairing are stale now: their figures are
        # summed again by a worker, not by the next person who opens one.
        from xiezuo.assessment.tasks import warm_figures

        warm_figures(job.pairing_id)
    return result
