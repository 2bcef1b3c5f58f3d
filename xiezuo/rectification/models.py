"""Rectification tasks (问题整改): a problem found by a rule, an assessment or
an outside inspection, who puts it right by when, how, and who closes it.

A task comes from one of four kinds of source: a finding of the procurement
rule engine (`procurement.Finding`, one task per finding), a project flagged
by a funds health rule (one task per project and rule), the assessment, or
an outside inspection entered by hand with its document (巡视巡察、审计、督查、
考核反馈). Its life: 整改中 → 申请销号 → 已销号, or back from 申请销号 to
整改中 (退回). The office that asks to close it (申请销号) cannot be the
person who closes it (销号): two people see the measures and the evidence.
Each step is a model method under a row lock with the version the person
saw, and leaves one audit event (with the values before and after) and one
row of the task's history.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from lib.dates import cn_date
from xiezuo.audit.tracking import tracked
from xiezuo.front.forms import AS_READ
from xiezuo.front.steps import StepsMixin
from xiezuo.funds.models import HealthRule
from xiezuo.pairings.owned import PairingOwned, ScopedModel

FINDING, HEALTH, ASSESSMENT, INSPECTION, AUDIT, SUPERVISION, FEEDBACK = (
    "finding", "health", "assessment", "inspection", "audit", "supervision", "feedback")
SOURCES = [
    (FINDING, _("招投标预警线索")),
    (HEALTH, _("项目健康规则")),
    (ASSESSMENT, _("自评与互评")),
    (INSPECTION, _("巡视巡察")),
    (AUDIT, _("审计")),
    (SUPERVISION, _("督查")),
    (FEEDBACK, _("考核反馈")),
]
# Sources entered by hand from a document an outside body issued: the
# document is named (文号 or title) so the task can be checked against it.
EXTERNAL = {INSPECTION, AUDIT, SUPERVISION, FEEDBACK}

OPEN, SUBMITTED, CLOSED = "open", "submitted", "closed"
STATUSES = [(OPEN, _("整改中")), (SUBMITTED, _("申请销号")), (CLOSED, _("已销号"))]
SUBMIT, CLOSE, SEND_BACK = "submit", "close", "send_back"
STEP_NAMES = {SUBMIT: _("申请销号"), CLOSE: _("销号"), SEND_BACK: _("退回")}
# What a step changes (and nothing else: an edit goes through the form).
STEP_FIELDS = ("status", "submitted_by_id", "submitted_at", "closed_by_id", "closed_on", "return_reason", "version")


def upload_path(instance, filename):
    return f"rectification/{timezone.now():%Y%m}/{filename}"


class RectificationQuerySet(models.QuerySet):
    def within(self, pairing):
        return self.filter(pairing__path__startswith=pairing.path)

    def not_closed(self):
        return self.exclude(status=CLOSED)

    def overdue(self, today=None):
        """Tasks past their deadline and not closed (申请销号 included: until
        someone closes it, the problem stands)."""
        return self.not_closed().filter(deadline__lt=today or timezone.localdate())

    def open_on(self, day):
        """Tasks found by `day` and not closed on it (closed later, or never)."""
        return self.filter(found_on__lte=day).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))


class Rectification(StepsMixin, PairingOwned):
    """One problem to put right (整改任务)."""

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="rectifications")
    source = models.CharField(_("问题来源"), max_length=12, choices=SOURCES)
    finding = models.ForeignKey("procurement.Finding", verbose_name=_("预警线索"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="rectifications")
    project = models.ForeignKey("funds.Project", verbose_name=_("相关项目"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="rectifications")
    health_rule = models.CharField(_("健康规则"), max_length=40, blank=True, choices=HealthRule.CODES)
    problem = models.CharField(_("问题描述"), max_length=500)
    source_ref = models.CharField(_("来源文件"), max_length=200, blank=True,
                                  help_text=_("巡视巡察、审计、督查、考核反馈须填写来源文件的名称或文号"))
    # Checked by the forms' clean methods (`front.forms.checked_upload`), the
    # one upload check: type by content, size, images without EXIF.
    source_file = models.FileField(_("来源文件附件"), upload_to=upload_path, max_length=300, blank=True)
    found_on = models.DateField(_("发现日期"))
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    owner_unit = models.ForeignKey("pairings.Organisation", verbose_name=_("责任单位"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    owner_person = models.CharField(_("责任人"), max_length=50, blank=True)
    deadline = models.DateField(_("整改时限"))
    measures = models.TextField(_("整改措施"), blank=True)
    evidence = models.TextField(_("整改成效及佐证"), blank=True)
    evidence_file = models.FileField(_("佐证材料"), upload_to=upload_path, max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=STATUSES, default=OPEN, editable=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请销号人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+", editable=False)
    submitted_at = models.DateTimeField(_("申请销号时间"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("销号人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", editable=False)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True, editable=False)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("整改任务")
        verbose_name_plural = _("整改任务")
        indexes = [models.Index(fields=["pairing", "year", "status"])]
        constraints = [
            # The rectifications ledger's natural key.
            models.UniqueConstraint(fields=["pairing", "source", "found_on", "problem"],
                                    name="rectification_unique_natural_key",
                                    violation_error_message=_("本结对已有同一来源、同一发现日期、相同问题描述的整改任务")),
            # One task per finding, and per project and health rule: a second
            # "生成整改任务" opens the first.
            models.UniqueConstraint(fields=["finding"], condition=Q(finding__isnull=False),
                                    name="rectification_one_per_finding",
                                    violation_error_message=_("该预警线索已有整改任务")),
            models.UniqueConstraint(fields=["project", "health_rule"], condition=~Q(health_rule=""),
                                    name="rectification_one_per_health_rule",
                                    violation_error_message=_("该项目的这条健康提醒已有整改任务")),
        ]

    def __str__(self):
        text = self.problem if len(self.problem) <= 40 else self.problem[:40] + "…"
        return f"{text}（{cn_date(self.found_on)}）" if self.found_on else text

    def is_overdue(self, today=None):
        return bool(self.deadline and self.status != CLOSED and self.deadline < (today or timezone.localdate()))

    def clean(self):
        errors = {}
        if self.found_on:
            self.year = self.found_on.year
            if not (2000 <= self.year <= 2100):
                errors["found_on"] = gettext("发现日期的年度应在2000至2100之间")
            elif self.found_on > timezone.localdate():
                errors["found_on"] = gettext("发现日期不能晚于今天")
        if self.found_on and self.deadline and self.deadline < self.found_on:
            errors["deadline"] = gettext("整改时限不能早于发现日期")
        if self.source in EXTERNAL and not (self.source_ref or "").strip():
            errors["source_ref"] = gettext("巡视巡察、审计、督查、考核反馈须填写来源文件的名称或文号")
        if self.source == FINDING and not self.finding_id:
            errors["source"] = gettext("来源为招投标预警线索的整改任务须从预警线索生成")
        if self.source == HEALTH and not (self.project_id and self.health_rule):
            errors["source"] = gettext("来源为项目健康规则的整改任务须从项目的健康提醒生成")
        if self.source not in (FINDING, HEALTH) and (self.finding_id or self.health_rule):
            errors["source"] = gettext("问题来源与所关联的预警线索或健康提醒不符")
        if self.finding_id and self.pairing_id and self.finding.pairing_id != self.pairing_id:
            errors["finding"] = gettext("预警线索不属于本结对")
        if self.project_id and self.pairing_id and not self.project.pairing.path.startswith(self.pairing.path):
            errors["project"] = gettext("相关项目不在本结对范围内")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.found_on:
            self.year = self.found_on.year
        super().save(*args, **kwargs)

    # -- steps -----------------------------------------------------------------

    STEP_NAMES, STEP_FIELDS = STEP_NAMES, STEP_FIELDS
    STEP_OPEN, STEP_ASK, STEP_ASKED, STEP_DECIDE, STEP_ASKER = OPEN, SUBMIT, SUBMITTED, (CLOSE, SEND_BACK), "submitted_by_id"
    STEP_SAME_PERSON = _("申请销号与销号（或退回）须由两名不同的人员完成：您申请的销号不能由您本人审核")
    STEP_REFUSAL = _("该整改任务当前为“%(status)s”，不能%(step)s")

    def history(self, step, from_status, user, note):
        RectificationStep.objects.create(rectification=self, step=step, from_status=from_status,
                                         to_status=self.status, user=user, note=note)

    def submit(self, user, loaded_version=AS_READ):
        """Ask for closing (申请销号): the measures and the evidence written."""
        def change(current):
            errors = {}
            if not current.measures.strip():
                errors["measures"] = gettext("申请销号须填写整改措施")
            if not current.evidence.strip():
                errors["evidence"] = gettext("申请销号须填写整改成效及佐证")
            if errors:
                raise ValidationError(errors)
            current.status, current.submitted_by, current.submitted_at = SUBMITTED, user, timezone.now()
            current.return_reason = ""
            return ""

        return self._step(user, loaded_version, SUBMIT, OPEN, change)

    def close(self, user, loaded_version=AS_READ, day=None):
        """Close (销号) as a second person, having looked at measures and evidence."""
        def change(current):
            self._second_person(current, user)
            current.status, current.closed_by, current.closed_on = CLOSED, user, day or timezone.localdate()
            return ""

        return self._step(user, loaded_version, CLOSE, SUBMITTED, change)

    def send_back(self, user, reason, loaded_version=AS_READ):
        """Return to 整改中 with a reason, as a second person."""
        reason = (reason or "").strip()

        def change(current):
            self._second_person(current, user)
            if not reason:
                raise ValidationError({"return_reason": gettext("退回须填写原因")})
            current.status, current.return_reason = OPEN, reason[:500]
            return reason[:500]

        return self._step(user, loaded_version, SEND_BACK, SUBMITTED, change)


class RectificationStep(ScopedModel):
    """One step of a task's life, for its history. Written only by the
    steps themselves, whose audit event covers it."""

    scope_path = "rectification__pairing"

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("操作"), max_length=10, choices=list(STEP_NAMES.items()))
    from_status = models.CharField(_("原状态"), max_length=10, choices=STATUSES)
    to_status = models.CharField(_("新状态"), max_length=10, choices=STATUSES)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("整改任务操作记录")
        verbose_name_plural = _("整改任务操作记录")


tracked(Rectification)


def as_of(years, today=None):
    """The day a year's figures are read on: today for the current (or a
    future) year, 31 December for a past year."""
    today = today or timezone.localdate()
    return min(today, datetime.date(max(years), 12, 31))
