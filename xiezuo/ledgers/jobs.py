"""Running an import job of the web UI, in the request or in a thread.

Small files are checked and imported inside the request: simplest, and the
page shows the result at once. Files of XIEZUO_LEDGER_BACKGROUND_BYTES or more
(default 512 KB, about 10,000 rows) run in a daemon thread of the web
process, and the page polls the job's progress (htmx, once a second). The
thread opens its own database connection and closes it at the end. If the
process dies mid-import the transaction rolls back and the job stays
"导入中": the page then offers to run it again (nothing was written), until
the retention period abandons it (`ledgers.retention`).
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from xiezuo.audit.context import acting_as

from .importer import run_import
from .models import ImportJob
from .services import mapping_for
from .spec import Context, get_spec

MAX_STORED_ERRORS = 2000
logger = logging.getLogger(__name__)


def background_bytes():
    return getattr(settings, "XIEZUO_LEDGER_BACKGROUND_BYTES", 512 * 1024)


def start(job, commit, ip=None):
    """Preview (commit=False) or import (commit=True) the job's file."""
    job.status = ImportJob.IMPORTING if commit else ImportJob.PREVIEWING
    job.save(update_fields=["status"])
    job.write_progress(0, 0, job.status)
    if job.file.size >= background_bytes():
        thread = threading.Thread(target=_in_thread, args=(job.pk, commit, ip), daemon=True,
                                  name=f"ledger-import-{job.pk}")
        thread.start()
        return thread
    execute(job, commit, ip)
    return None


def _in_thread(job_id, commit, ip):
    close_old_connections()
    try:
        execute(ImportJob.objects.select_related("pairing", "user").get(pk=job_id), commit, ip)
    finally:
        connection.close()


def execute(job, commit, ip=None):
    spec = get_spec(job.ledger)
    ctx = Context(pairing=job.pairing, user=job.user)
    phase = job.status

    def progress(done, total):
        job.write_progress(done, total, phase)

    with acting_as(job.user, ip=ip):
        try:
            result = run_import(spec, ctx, job.file.path, mode=job.mode, commit=commit,
                                mapping=mapping_for(ctx, spec), filename=job.filename, progress=progress)
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
    job.save(update_fields=["result", "status", "finished_at"])
    if job.ended:
        # The upload holds personal data in the clear: it goes with the job's end (ledgers.retention).
        job.discard_upload()
    return result
