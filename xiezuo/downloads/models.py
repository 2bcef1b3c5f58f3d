"""Files made for download: whole-ledger exports and the assessment reports.

A small file is made inside the request and sent at once. A big one (a
ledger of more than XIEZUO_DOWNLOAD_INLINE_ROWS rows, a report over more
than XIEZUO_DOWNLOAD_INLINE_PAIRINGS pairings) is made by a worker of the job queue, while
the page polls; the person downloads it when it is ready. Either way it is
one `Download`: who asked, for what, and the file while it is kept.

A run beats like an import (lib.heartbeat); a worker that died leaves the
download 已中断, offered again (重新生成) under a new run number, so a run
presumed dead that wakes up later cannot overwrite the new run's file.

The files hold ledger rows (masked personal numbers, as every export): they
are deleted `retention()` after they were made (XIEZUO_DOWNLOAD_RETENTION_HOURS,
24 by default), and leave only through the view that checks the pairing.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.heartbeat import ProgressFile
from xiezuo.pairings.owned import ScopedModel


def retention():
    return datetime.timedelta(hours=float(getattr(settings, "XIEZUO_DOWNLOAD_RETENTION_HOURS", 24)))


class DownloadQuerySet(models.QuerySet):
    def expired(self, now=None):
        return self.filter(created_at__lt=(now or timezone.now()) - retention())


class Download(ProgressFile, ScopedModel):
    QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
    STATUSES = [(QUEUED, _("排队中")), (RUNNING, _("生成中")), (READY, _("已生成")), (FAILED, _("失败"))]

    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20)
    ledger = models.CharField(_("台账"), max_length=30, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=STATUSES, default=QUEUED)
    attempt = models.PositiveIntegerField(_("运行次数"), default=1)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    file = models.FileField(upload_to="downloads/%Y/%m/", blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = DownloadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("下载文件")
        verbose_name_plural = _("下载文件")

    def __str__(self):
        return self.filename or self.kind

    @property
    def running(self):
        return self.status in (self.QUEUED, self.RUNNING)

    def get_status_display(self):
        return _("已中断") if self.interrupted else dict(self.STATUSES).get(self.status, self.status)

    @property
    def progress_path(self):
        return settings.MEDIA_ROOT / "downloads" / f"download-{self.pk}.progress"

    @property
    def percent(self):
        if self.status == self.READY:
            return 100
        p = self.read_progress()
        return int(100 * p["done"] / p["total"]) if p.get("total") else 0

    def claim(self, attempt):
        """Start run `attempt` if it is still the download's current run."""
        moved = Download.objects.filter(pk=self.pk, attempt=attempt, status__in=(self.QUEUED, self.RUNNING)).update(
            status=self.RUNNING)
        self.refresh_from_db()
        return bool(moved)

    def retry(self):
        """重新生成: give an interrupted download a new run number (one
        conditional UPDATE, so two people pressing at once queue one run)."""
        if not self.interrupted:
            return False
        moved = Download.objects.filter(pk=self.pk, attempt=self.attempt, status=self.status).update(
            attempt=F("attempt") + 1, status=self.QUEUED)
        self.refresh_from_db()
        return bool(moved)

    def finish(self, attempt, content=None, error=""):
        """Record run `attempt`'s outcome, unless a newer run replaced it."""
        if not Download.objects.filter(pk=self.pk, attempt=attempt).exists():
            return False
        if content is not None:
            self.file.save(self.filename, content, save=False)
        updated = Download.objects.filter(pk=self.pk, attempt=attempt).update(
            status=self.FAILED if error else self.READY, error=error[:300], file=self.file.name or "",
            finished_at=timezone.now())
        if not updated and self.file:
            self.file.delete(save=False)  # replaced in between: this run's file is nobody's
        self.progress_path.unlink(missing_ok=True)
        self.refresh_from_db()
        return bool(updated)

    def discard(self):
        if self.file:
            self.file.delete(save=False)
        self.progress_path.unlink(missing_ok=True)
        self.delete()
