"""Assessment: the indicator catalogue, hand-entered actuals, the yearly
self-evaluation with its lock, and a cache of computed figures."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from xiezuo.audit.tracking import tracked
from xiezuo.front.forms import AS_READ

from . import computations
from xiezuo.pairings.owned import ScopedModel


class IndicatorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Indicator(models.Model):
    """One line of the assessment catalogue (考核指标)."""

    # Changes are national settings: every auditor reads them (audit.views).
    audit_national = True

    EAST, WEST, BOTH = "east", "west", "both"
    SIDES = [(EAST, _("东部")), (WEST, _("西部")), (BOTH, _("双方"))]

    code = models.CharField(_("指标代码"), max_length=50, unique=True, validators=[
        RegexValidator(r"^[a-z][a-z0-9_]*$", _("指标代码只能由小写字母、数字和下划线组成，并以字母开头"))],
        error_messages={"unique": _("该指标代码已存在")})
    name = models.CharField(_("指标名称"), max_length=100)
    unit = models.CharField(pgettext_lazy("unit of measure", "单位"), max_length=20, help_text=_("如 万元、人、人次、个、家、次、%"))
    side = models.CharField(_("考核对象"), max_length=5, choices=SIDES, default=BOTH)
    computation = models.CharField(_("取数方式"), max_length=60, default=computations.MANUAL,
                                   help_text=_("从台账自动计算的口径，或“人工填报”（须附佐证材料）"))
    disaggregations = models.TextField(
        _("分项"), blank=True,
        help_text=_("每行一个分项，写成“名称=取数口径”，如：其中脱贫劳动力=labour.employed_poverty"))
    description = models.TextField(_("说明"), blank=True)
    # Where the counting rule comes from: the title and date of the public
    # text, or 我方判断 (our judgement) where none was found.
    basis = models.CharField(_("口径依据"), max_length=300, blank=True,
                             help_text=_("所依据公开文件或报道的名称和日期；未找到公开依据的写“我方判断”"))
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")

    def __str__(self):
        return f"{self.name}（{self.unit}）"

    def audit_pairing_id(self):
        return None

    @property
    def is_manual(self):
        return self.computation == computations.MANUAL

    @property
    def kind(self):
        return computations.kind_of(self.computation, self.unit)

    def disaggregation_list(self):
        """Return [(label, computation key)] from the editable text."""
        rows = []
        for line in self.disaggregations.splitlines():
            if "=" in line:
                label, key = (p.strip() for p in line.split("=", 1))
                if label and key:
                    rows.append((label, key))
        return rows

    def clean(self):
        errors = {}
        known = dict(computations.choices())
        if self.computation not in known:
            errors["computation"] = _("取数方式“%(computation)s”不存在，请从列表中选择") % {"computation": self.computation}
        for n, line in enumerate(self.disaggregations.splitlines(), 1):
            if not line.strip():
                continue
            if "=" not in line:
                errors["disaggregations"] = _("第%(n)s行“%(strip)s”应写成“名称=取数口径”") % {"n": n, "strip": line.strip()}
                break
            key = line.split("=", 1)[1].strip()
            if key not in computations.COMPUTATIONS:
                errors["disaggregations"] = _("第%(n)s行的取数口径“%(key)s”不存在") % {"n": n, "key": key}
                break
        if errors:
            raise ValidationError(errors)

    def target_in_base(self, value):
        """Convert a target written in the indicator's unit into the unit of
        the actual: 万元 targets become yuan."""
        if value is None:
            return None
        if self.kind == computations.AMOUNT:
            factor = {"万元": Decimal(10_000), "亿元": Decimal(100_000_000)}.get(self.unit, Decimal(1))
            return Decimal(value) * factor
        return Decimal(value)


def evidence_path(instance, filename):
    return f"assessment-evidence/{instance.pairing_id}/{instance.year}/{filename}"


class ManualActual(ScopedModel):
    """A hand-entered actual for an indicator without a ledger behind it,
    with its evidence (佐证材料)."""

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.CASCADE,
                                related_name="manual_actuals")
    indicator = models.ForeignKey(Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="manual_actuals")
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("完成值"), max_digits=18, decimal_places=2,
                                help_text=_("按指标单位填写（万元指标填万元）"))
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    note = models.TextField(_("佐证说明"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["year", "indicator__order"]
        verbose_name = _("人工填报完成值")
        verbose_name_plural = _("人工填报完成值")
        constraints = [models.UniqueConstraint("pairing", "indicator", "year", name="manual_actual_unique",
                                               violation_error_message=_("该指标本年度已有填报值"))]

    def __str__(self):
        return f"{self.year} {self.indicator.code}={self.value}"

    def clean(self):
        if not self.evidence and not self.note.strip():
            raise ValidationError({"note": _("人工填报的完成值须上传佐证材料或填写佐证说明")})


class SelfEvaluationQuerySet(models.QuerySet):
    def locked(self):
        return self.filter(status=SelfEvaluation.CONFIRMED)

    def of_year(self, pairing, year):
        """Return {side: self-evaluation} of a pairing-year (one query)."""
        return {e.side: e for e in self.filter(pairing=pairing, year=year)}


class SelfEvaluation(ScopedModel):
    """One side's self-evaluation of a year (自评报告): each side — the east
    office and the west office — drafts its own, against its own indicators
    (those of its side and those of both) and its own targets, with a
    snapshot of the figures and a narrative per work area; it asks the other
    side for its views (征求意见), the other side records them (意见), and
    the drafting side finalises it (定稿), which locks it."""

    EAST, WEST = Indicator.EAST, Indicator.WEST
    SIDES = [(EAST, _("东部")), (WEST, _("西部"))]
    DRAFT, SUBMITTED, CONFIRMED = "draft", "submitted", "confirmed"
    STATUSES = [(DRAFT, _("起草中")), (SUBMITTED, _("征求意见中")), (CONFIRMED, _("已定稿（锁定）"))]
    OPINION_MAX = 2000

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="self_evaluations")
    year = models.PositiveSmallIntegerField(_("年度"))
    side = models.CharField(_("自评方"), max_length=4, choices=SIDES, default=WEST)
    status = models.CharField(_("状态"), max_length=10, choices=STATUSES, default=DRAFT)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    # The figures and this side's indicator rows at the time of the snapshot,
    # as served by the API: what was finalised is what stays reported.
    snapshot = models.JSONField(_("数据快照"), default=dict, blank=True)
    snapshot_at = models.DateTimeField(_("快照时间"), null=True, blank=True)
    # {work area code: narrative text}
    narratives = models.JSONField(_("分项自评"), default=dict, blank=True)
    grade = models.CharField(_("自评等次"), max_length=4, blank=True,
                             choices=[("好", _("好")), ("较好", _("较好")), ("一般", _("一般")), ("差", _("差"))])
    # The other side's views (意见), oldest first, each
    # {"by": user id, "by_name": name, "side": side, "at": ISO time, "text": text}.
    opinions = models.JSONField(_("对方意见"), default=list, blank=True)
    drafted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Who finalised it (定稿) and when; the names are those of the old
    # east-side confirmation, which finalising replaced.
    confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SelfEvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "side"]
        verbose_name = _("年度自评")
        verbose_name_plural = _("年度自评")
        constraints = [models.UniqueConstraint("pairing", "year", "side", name="self_evaluation_unique_side",
                                               violation_error_message=_("该结对本年度本方已有自评"))]

    def __str__(self):
        return self.title or default_title(self.pairing, self.year, self.side)

    @property
    def is_locked(self):
        return self.status == self.CONFIRMED

    @property
    def other_side(self):
        return self.EAST if self.side == self.WEST else self.WEST

    @property
    def side_name(self):
        return dict(self.SIDES)[self.side]

    @property
    def other_side_name(self):
        return dict(self.SIDES)[self.other_side]

    def indicator_sides(self):
        """The indicator sides this report is assessed on: its own and both."""
        return [self.side, Indicator.BOTH]

    def opinion_list(self):
        """The opinions for a page: their time as a datetime, and whether
        they concern the text as last submitted."""
        from django.utils.dateparse import parse_datetime

        current = self.current_opinions()
        return [{**o, "at": parse_datetime(o["at"]), "current": o in current} for o in self.opinions]

    def current_opinions(self):
        """The opinions recorded on the text as last submitted."""
        from django.utils.dateparse import parse_datetime

        return [o for o in self.opinions
                if self.submitted_at is None or parse_datetime(o["at"]) >= self.submitted_at]

    # -- life cycle: draft (its side) → submitted for the other side's views
    # (征求意见) → the other side records its views (意见) → finalised (定稿)
    # by its side, locked. Each step is taken on the row locked for update
    # and only if the version the person acted on is still the row's
    # (`check_version`): of two people pressing 定稿 and 撤回 at once exactly
    # one step happens, and nobody finalises a text (or an opinion) someone
    # changed after their page was loaded. Each step is one save, so one
    # audit event (the tracked before/after).

    def require_editable(self, user):
        """Raise unless the user may change the evaluation now: its own side's
        office while it is a draft; an administrator at any time (also after
        the lock)."""
        from django.core.exceptions import PermissionDenied

        from xiezuo.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.has(self.pairing_id, "admin"):
            return "admin"
        if self.is_locked:
            raise PermissionDenied(_("本方自评报告已定稿锁定，修改须由管理员进行"))
        if not scope.has(self.pairing_id, self.side):
            raise PermissionDenied(_("只有%(side_name)s协作办可以修改%(side_name)s自评报告") % {"side_name": self.side_name})
        if self.status != self.DRAFT:
            raise PermissionDenied(_("自评报告正在征求%(other_side_name)s意见，如需修改请先撤回") % {"other_side_name": self.other_side_name})
        return self.side

    def admin_event(self, what):
        # The tracked model already records before/after; this event names the
        # administrator's change of a locked report explicitly for auditors.
        if self.is_locked:
            from xiezuo.audit.models import record_for

            record_for(self, "admin", summary=f"管理员修改已定稿的{self.year}年度{self.side_name}自评：{what}")

    def _step(self, user, loaded_version, change):
        """Apply `change(current)` to the locked row, bump its version, save."""
        from django.db import transaction

        from xiezuo.front.forms import check_version

        with transaction.atomic():
            current = SelfEvaluation.objects.select_for_update().get(pk=self.pk)
            check_version(current, loaded_version, self)
            change(current)
            current.version += 1
            current.save()
        self.__dict__.update({f.attname: getattr(current, f.attname) for f in self._meta.concrete_fields})
        return self

    def may_refresh(self, user):
        """The drafting side may take a new snapshot of the ledgers until it
        finalises (an administrator also after): it must not finalise
        figures it can see are out of date."""
        from xiezuo.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.has(self.pairing_id, "admin"):
            return True
        return not self.is_locked and scope.has(self.pairing_id, self.side)

    def refresh_snapshot(self, user, loaded_version=AS_READ):
        from django.core.exceptions import PermissionDenied

        from .workflow import snapshot_of

        def change(current):
            if not current.may_refresh(user):
                raise PermissionDenied(_("本方自评报告已定稿锁定，或您的角色无权重新生成快照"))
            current.snapshot = snapshot_of(current.pairing, current.year, current.side)
            current.snapshot_at = timezone.now()
            current.admin_event("重新生成数据快照")

        return self._step(user, loaded_version, change)

    def submit(self, user, loaded_version=AS_READ):
        """Send the draft to the other side for its views (征求意见)."""
        def change(current):
            if current.status != self.DRAFT:
                raise ValidationError(_("只有起草中的自评报告可以提交征求意见"))
            current.require_editable(user)
            current.status, current.submitted_at, current.submitted_by = self.SUBMITTED, timezone.now(), user

        return self._step(user, loaded_version, change)

    def record_opinion(self, user, text, loaded_version=AS_READ):
        """Record the other side's views (意见) on the submitted text; the
        other side may record several, each kept with its author and time."""
        text = (text or "").strip()

        def change(current):
            _require(user, current, current.other_side)
            if current.status != self.SUBMITTED:
                raise ValidationError(_("只有正在征求意见的%(side_name)s自评报告可以提出意见") % {"side_name": current.side_name})
            if not text:
                raise ValidationError(_("意见内容不能为空"))
            if len(text) > self.OPINION_MAX:
                raise ValidationError(_("意见内容不能超过%(OPINION_MAX)s字（现有%(len)s字）") % {"OPINION_MAX": self.OPINION_MAX, "len": len(text)})
            current.opinions = [*current.opinions, {
                "by": user.pk, "by_name": str(user), "side": current.other_side,
                "at": timezone.now().isoformat(), "text": text}]

        return self._step(user, loaded_version, change)

    def finalise(self, user, loaded_version=AS_READ):
        """Finalise (定稿) and lock: by the drafting side, after the other
        side has recorded its views on the submitted text, and by another
        person than the one who submitted it (two-person control)."""
        def change(current):
            _require(user, current, current.side)
            if current.status != self.SUBMITTED:
                raise ValidationError(_("只有已征求意见的自评报告可以定稿"))
            if not current.current_opinions():
                raise ValidationError(_("%(other_side_name)s尚未对本次提交提出意见，暂不能定稿") % {"other_side_name": current.other_side_name})
            # Reports submitted before the two sides had reports of their
            # own name their submitter in drafted_by.
            if (current.submitted_by_id or current.drafted_by_id) == user.pk:
                raise ValidationError(_("定稿人不能与提交征求意见的人为同一用户"))
            current.status, current.confirmed_by, current.confirmed_at = self.CONFIRMED, user, timezone.now()

        return self._step(user, loaded_version, change)

    def withdraw(self, user, loaded_version=AS_READ):
        """Take the submitted text back to draft (撤回修改), to revise it after
        the other side's views; the views recorded so far are kept."""
        def change(current):
            _require(user, current, current.side)
            if current.status != self.SUBMITTED:
                raise ValidationError(_("只有征求意见中的自评报告可以撤回"))
            current.status = self.DRAFT

        return self._step(user, loaded_version, change)

    def reopen(self, user, loaded_version=AS_READ):
        def change(current):
            _require(user, current, "admin")
            if not current.is_locked:
                raise ValidationError(_("该自评报告未锁定，无需解锁"))
            current.admin_event("解除锁定，退回起草")
            current.status, current.confirmed_by, current.confirmed_at = self.DRAFT, None, None

        return self._step(user, loaded_version, change)


def default_title(pairing, year, side):
    """The report's title: the east's names its side (our wording); the
    west's keeps the title the single report had."""
    if side == SelfEvaluation.EAST:
        return f"{pairing}{year}年度东西部协作工作东部自评报告"
    return f"{pairing}{year}年度东西部协作工作自评报告"


def _require(user, evaluation, perm):
    from xiezuo.accounts.scope import scope_for

    scope_for(user).require(evaluation.pairing_id, perm)


class FiguresCache(ScopedModel):
    """Computed figures of one pairing (with its subtree) and year.

    Valid while no audit event of the subtree is newer than `audit_seq` and
    it was computed today (some figures, like overdue items, change with the
    date alone). Every ledger write leaves an audit event, so the audit
    chain tells exactly when the figures may have changed.
    """

    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    figures = models.JSONField()
    # The dashboard JSON built from these figures, served as it is while valid.
    dashboard = models.TextField(blank=True, default="")
    # Pieces of the dashboard read from the ledgers rather than from the
    # figures (the funds health alerts, the monthly disbursements): {name:
    # {"sections": [...], "value": ...}}, each kept across a recomputation
    # that leaves its sections alone (assessment.dashboard.part), so an edit
    # of a sale does not run the funds rules again.
    parts = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    audit_seq = models.BigIntegerField()
    computed_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint("pairing", "year", name="figures_cache_unique")]


class PeriodFigures(ScopedModel):
    """Computed figures of one pairing (with its subtree) over a run of
    several years, section by section (`services.period_figures`).

    Figures over a period are not the years' figures added up: the labour
    section counts each person once over the period (employed in any year,
    stable in one of them, under the destination of the job with the most
    days in the period). A section is kept until an audit event of the
    subtree can have changed it in one of the years, or the day changes,
    as `FiguresCache` is; `figures` holds the sections asked for so far.
    """

    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.CASCADE, related_name="+")
    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField()
    figures = models.JSONField(default=dict)
    audit_seq = models.BigIntegerField()
    computed_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint("pairing", "first_year", "last_year", name="period_figures_unique")]


for _model in (Indicator, ManualActual, SelfEvaluation):
    tracked(_model)
