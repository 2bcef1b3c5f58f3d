"""Remembered header mappings and import jobs of the web UI."""


from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lib.heartbeat import ProgressFile
from xiezuo.audit.tracking import tracked
from xiezuo.pairings.owned import ScopedModel


class HeaderMappingQuerySet(models.QuerySet):
    def as_dict(self, pairing, ledger):
        return dict(self.filter(pairing=pairing, ledger=ledger).values_list("header", "field"))


class HeaderMapping(ScopedModel):
    """A header the system did not know, mapped by a user to a field of a ledger.

    Remembered per pairing: the office's own file layout is recognised the
    next time without asking again. `field` "-" means "ignore this column".
    """

    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.CASCADE, related_name="+")
    ledger = models.CharField(_("台账"), max_length=30)
    header = models.CharField(_("表头"), max_length=100)
    field = models.CharField(_("对应字段"), max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HeaderMappingQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint("pairing", "ledger", "header", name="header_mapping_unique")]
        verbose_name = _("表头对应关系")
        verbose_name_plural = _("表头对应关系")

    def __str__(self):
        return f"{self.ledger}: {self.header} → {self.field}"


class ImportJobQuerySet(models.QuerySet):
    def unfinished(self):
        return self.exclude(status__in=ImportJob.ENDED)

    def stale(self, before):
        """Jobs that were never finished and were started before `before`:
        previews nobody confirmed, and imports a crash left behind."""
        return self.unfinished().filter(created_at__lt=before)


class ImportJob(ProgressFile, ScopedModel):
    """One upload: previewed, then confirmed (or abandoned).

    The file stays under MEDIA_ROOT/ledger-imports/ only while the job may
    still need it and is deleted when the job ends (see `ledgers.retention`).
    Progress while a background import runs is written to a small file beside
    it (see `progress_path`): the import's own transaction must not hold the
    progress, or nobody could see it before the end.
    """

    PREVIEWING, PREVIEWED, IMPORTING, DONE, FAILED, ABANDONED = (
        "previewing", "previewed", "importing", "done", "failed", "abandoned")
    STATUSES = [(PREVIEWING, _("检查中")), (PREVIEWED, _("待确认")), (IMPORTING, _("导入中")), (DONE, _("已导入")),
                (FAILED, _("失败")), (ABANDONED, _("已放弃"))]
    # A job in one of these states never reads its file again.
    ENDED = (DONE, FAILED, ABANDONED)
    MODES = [("append", _("追加（已有记录跳过）")), ("update", _("按关键字更新（已有记录更新）"))]

    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ledger = models.CharField(_("台账"), max_length=30)
    mode = models.CharField(_("导入方式"), max_length=10, choices=MODES, default="append")
    filename = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(upload_to="ledger-imports/%Y/%m/")
    status = models.CharField(_("状态"), max_length=12, choices=STATUSES, default=PREVIEWING)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Every run of the job (the first, and each 重新导入 after its worker
    # died) gets the next number; a run writes its outcome only while the
    # job still carries its number, so a run presumed dead that wakes up
    # later cannot overwrite the outcome of the run that replaced it.
    attempt = models.PositiveIntegerField(_("运行次数"), default=0)
    # The names of the sheets to import, chosen on the preview; null: every
    # sheet whose header the importer finds.
    sheets = models.JSONField(_("所选工作表"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self):
        return f"{self.ledger} {self.filename}"

    @property
    def ended(self):
        return self.status in self.ENDED

    @property
    def running(self):
        return self.status in (self.PREVIEWING, self.IMPORTING)

    def get_status_display(self):
        return _("已中断") if self.interrupted else dict(self.STATUSES).get(self.status, self.status)

    def discard_upload(self):
        """Delete the uploaded file (it holds names and 身份证号 in the clear)
        and the progress file. Called whenever the job ends; safe to repeat."""
        if self.file:
            self.file.delete(save=False)  # also clears the field
            type(self).objects.filter(pk=self.pk).update(file="")
        self.progress_path.unlink(missing_ok=True)

    def abandon(self):
        """End a job that will not be confirmed: its file goes at once."""
        from django.utils import timezone

        self.status, self.finished_at = self.ABANDONED, timezone.now()
        self.save(update_fields=["status", "finished_at"])
        self.discard_upload()

    @property
    def progress_path(self):
        return settings.MEDIA_ROOT / "ledger-imports" / f"job-{self.pk}.progress"

    @property
    def percent(self):
        p = self.read_progress()
        if self.status in (self.PREVIEWED, self.DONE):
            return 100
        return int(100 * p["done"] / p["total"]) if p.get("total") else 0


tracked(HeaderMapping)
