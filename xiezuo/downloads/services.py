"""Making a download: what each kind of file is, who may have it, and
whether it is made in the request or on the job queue.

Each kind names the permission it needs on the pairing (checked by the
view through the scope, before anything is made), how big the work is, and
how to write the file. `inline_rows()` is the line between the two ways:
a ledger of more rows goes to the queue, so no request holds a web worker
for a minute writing a million rows; a report over more than
`inline_pairings()` pairings (a province's) goes to the queue too.
"""

import logging
import tempfile

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import close_old_connections, connection
from django.http import Http404
from django.utils.translation import gettext as _

from lib.heartbeat import Heartbeat
from xiezuo.audit.context import acting_as

from .models import Download

logger = logging.getLogger(__name__)


def inline_rows():
    return int(getattr(settings, "XIEZUO_DOWNLOAD_INLINE_ROWS", 20_000))


class LedgerExport:
    """A whole ledger of the pairing, in the import template's layout."""

    perm = "read"

    @staticmethod
    def spec(download):
        from xiezuo.ledgers.spec import get_spec

        spec = get_spec(download.ledger)
        if spec is None:
            raise Http404(_("没有这个台账"))
        return spec

    def context(self, download):
        from xiezuo.ledgers.spec import Context

        return Context(pairing=download.pairing, user=download.user, year=download.year)

    def size(self, download):
        return self.spec(download).export_queryset(self.context(download)).count()

    def filename(self, download):
        year = ("-" + _("%(year)s年") % {"year": download.year}) if download.year else ""
        return f"{self.spec(download).title}-{download.pairing_id}{year}.xlsx"

    def write(self, download):
        """Return the export as a File over a temporary file (deleted when
        closed): a million rows are streamed to disk, never held in memory."""
        from xiezuo.ledgers.writing import write_ledger

        out = tempfile.TemporaryFile()  # noqa: SIM115  closed by make() once stored
        try:
            write_ledger(self.spec(download), self.context(download), out)
        except BaseException:
            out.close()
            raise
        out.seek(0)
        return File(out, name=self.filename(download))


def inline_pairings():
    return int(getattr(settings, "XIEZUO_DOWNLOAD_INLINE_PAIRINGS", 50))


def report_is_small(pairing):
    """A report adds up the pairing's subtree: a county with its townships is
    quick, a province with hundreds of pairings is not."""
    return pairing.subtree().count() <= inline_pairings()


class _Report:
    perm = "read"

    def size(self, download):
        return 1 if report_is_small(download.pairing) else inline_rows() + 1


class SelfEvaluationDocx(_Report):
    """One side's 自评报告: `report_docx` the west's (the single report's
    kind before each side had its own), `report_docx_east` the east's."""

    def __init__(self, side):
        self.side = side

    def evaluation(self, download):
        from xiezuo.assessment.models import SelfEvaluation

        found = SelfEvaluation.objects.filter(pairing=download.pairing, year=download.year, side=self.side).first()
        if found is None:
            raise Http404(_("本年度本方尚未起草自评，请先在“年度自评”页面起草"))
        return found

    def filename(self, download):
        suffix = "-east" if self.side == "east" else ""
        return f"self-evaluation-{download.pairing_id}-{download.year}{suffix}.docx"

    def write(self, download):
        from xiezuo.assessment.reports import self_evaluation_docx

        return self_evaluation_docx(self.evaluation(download))


class StatisticsXlsx(_Report):
    def filename(self, download):
        return f"statistics-{download.pairing_id}-{download.year}.xlsx"

    def write(self, download):
        from xiezuo.assessment.reports import statistics_xlsx

        return statistics_xlsx(download.pairing, download.year)


KINDS = {"ledger": LedgerExport(), "report_docx": SelfEvaluationDocx("west"),
         "report_docx_east": SelfEvaluationDocx("east"), "report_xlsx": StatisticsXlsx()}


def kind_of(download):
    kind = KINDS.get(download.kind)
    if kind is None:
        raise Http404(_("没有这种下载"))
    return kind


def start(pairing, user, kind, *, ledger="", year=None):
    """Create a download and make it: now when small, else on the queue.

    Raises Http404 for a kind, ledger or report that does not exist, before
    anything is stored."""
    download = Download(pairing=pairing, user=user, kind=kind, ledger=ledger, year=year)
    made = kind_of(download)
    if isinstance(made, SelfEvaluationDocx):
        made.evaluation(download)
    small = made.size(download) <= inline_rows()
    download.filename = made.filename(download)
    download.save()
    download.write_progress(0, 0, download.status)  # the first beat (see lib.heartbeat)
    if small:
        make(download, download.attempt)
    else:
        from .tasks import make_download

        make_download(download.pk, download.attempt)
    download.refresh_from_db()
    download.queued = not small  # the page to show next: the file, or the download's progress
    return download


def retry(download):
    if not download.retry():
        return False
    download.write_progress(0, 0, download.status)
    from .tasks import make_download

    make_download(download.pk, download.attempt)
    return True


def make(download, attempt):
    """Run `attempt` of a download: write its file and record it."""
    if not download.claim(attempt):
        logger.info("download %s: run %s is no longer current, skipped", download.pk, attempt)
        return False
    with acting_as(download.user), Heartbeat(download):
        try:
            content = kind_of(download).write(download)
        except Exception as e:  # a crash must not leave the page polling for ever
            logger.exception("download %s failed", download.pk)
            return download.finish(attempt, error=_("生成文件时发生内部错误：%(name)s") % {"name": type(e).__name__})
    if not isinstance(content, File):
        content = ContentFile(content)
    with content:
        return download.finish(attempt, content)


def run_queued(download_id, attempt):
    """The worker's side: make the download if the run is still current."""
    own = not connection.in_atomic_block
    if own:
        close_old_connections()
    try:
        download = Download.objects.select_related("pairing", "user").filter(pk=download_id).first()
        if download is None or download.attempt != attempt:
            return False
        return make(download, attempt)
    finally:
        if own:
            connection.close()


def purge(now=None):
    """Delete downloads (and their files) older than the retention."""
    n = 0
    for download in Download.objects.expired(now):
        download.discard()
        n += 1
    return n
