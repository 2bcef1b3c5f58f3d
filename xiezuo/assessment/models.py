"""Assessment: the indicator catalogue, hand-entered actuals, the yearly
self-evaluation with its lock, and a cache of computed figures."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

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
    SIDES = [(EAST, "东部"), (WEST, "西部"), (BOTH, "双方")]

    code = models.CharField("指标代码", max_length=50, unique=True, validators=[
        RegexValidator(r"^[a-z][a-z0-9_]*$", "指标代码只能由小写字母、数字和下划线组成，并以字母开头")],
        error_messages={"unique": "该指标代码已存在"})
    name = models.CharField("指标名称", max_length=100)
    unit = models.CharField("单位", max_length=20, help_text="如 万元、人、人次、个、家、次、%")
    side = models.CharField("考核对象", max_length=5, choices=SIDES, default=BOTH)
    computation = models.CharField("取数方式", max_length=60, default=computations.MANUAL,
                                   help_text="从台账自动计算的口径，或“人工填报”（须附佐证材料）")
    disaggregations = models.TextField(
        "分项", blank=True,
        help_text="每行一个分项，写成“名称=取数口径”，如：其中脱贫劳动力=labour.employed_poverty")
    description = models.TextField("说明", blank=True)
    # Where the counting rule comes from: the title and date of the public
    # text, or 我方判断 (our judgement) where none was found.
    basis = models.CharField("口径依据", max_length=300, blank=True,
                             help_text="所依据公开文件或报道的名称和日期；未找到公开依据的写“我方判断”")
    order = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"

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
            errors["computation"] = f"取数方式“{self.computation}”不存在，请从列表中选择"
        for n, line in enumerate(self.disaggregations.splitlines(), 1):
            if not line.strip():
                continue
            if "=" not in line:
                errors["disaggregations"] = f"第{n}行“{line.strip()}”应写成“名称=取数口径”"
                break
            key = line.split("=", 1)[1].strip()
            if key not in computations.COMPUTATIONS:
                errors["disaggregations"] = f"第{n}行的取数口径“{key}”不存在"
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

    pairing = models.ForeignKey("pairings.Pairing", verbose_name="结对关系", on_delete=models.CASCADE,
                                related_name="manual_actuals")
    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="manual_actuals")
    year = models.PositiveSmallIntegerField("年度")
    value = models.DecimalField("完成值", max_digits=18, decimal_places=2,
                                help_text="按指标单位填写（万元指标填万元）")
    evidence = models.FileField("佐证材料", upload_to=evidence_path, blank=True)
    note = models.TextField("佐证说明", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["year", "indicator__order"]
        verbose_name = "人工填报完成值"
        verbose_name_plural = "人工填报完成值"
        constraints = [models.UniqueConstraint("pairing", "indicator", "year", name="manual_actual_unique",
                                               violation_error_message="该指标本年度已有填报值")]

    def __str__(self):
        return f"{self.year} {self.indicator.code}={self.value}"

    def clean(self):
        if not self.evidence and not self.note.strip():
            raise ValidationError({"note": "人工填报的完成值须上传佐证材料或填写佐证说明"})


class SelfEvaluationQuerySet(models.QuerySet):
    def locked(self):
        return self.filter(status=SelfEvaluation.CONFIRMED)


class SelfEvaluation(ScopedModel):
    """The year's self-evaluation (自评): drafted by the west office with a
    snapshot of the figures and a narrative per work area, confirmed by the
    east office. A confirmed year is locked."""

    DRAFT, SUBMITTED, CONFIRMED = "draft", "submitted", "confirmed"
    STATUSES = [(DRAFT, "起草中"), (SUBMITTED, "待东部确认"), (CONFIRMED, "已确认（锁定）")]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name="结对关系", on_delete=models.PROTECT,
                                related_name="self_evaluations")
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=10, choices=STATUSES, default=DRAFT)
    title = models.CharField("标题", max_length=200, blank=True)
    # The figures and indicator rows at the time of the snapshot, as served
    # by the API: what was confirmed is what stays reported.
    snapshot = models.JSONField("数据快照", default=dict, blank=True)
    snapshot_at = models.DateTimeField("快照时间", null=True, blank=True)
    # {work area code: narrative text}
    narratives = models.JSONField("分项自评", default=dict, blank=True)
    grade = models.CharField("自评等次", max_length=4, blank=True,
                             choices=[("好", "好"), ("较好", "较好"), ("一般", "一般"), ("差", "差")])
    drafted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SelfEvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = "年度自评"
        verbose_name_plural = "年度自评"
        constraints = [models.UniqueConstraint("pairing", "year", name="self_evaluation_unique_year",
                                               violation_error_message="该结对本年度已有自评")]

    def __str__(self):
        return self.title or f"{self.pairing} {self.year}年度东西部协作工作自评报告"

    @property
    def is_locked(self):
        return self.status == self.CONFIRMED

    # -- life cycle: draft (west) → submitted → confirmed (east), locked ------
    # Each step is taken on the row locked for update and only if the version
    # the person acted on is still the row's (`check_version`): of two people
    # pressing 确认 and 退回 at once exactly one step happens, and nobody
    # confirms a text someone changed after their page was loaded.

    def require_editable(self, user, perm="west"):
        """Raise unless the user may change the evaluation now: the west office
        while it is a draft; an administrator at any time (also after the lock)."""
        from django.core.exceptions import PermissionDenied

        from xiezuo.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.has(self.pairing_id, "admin"):
            return "admin"
        if self.is_locked:
            raise PermissionDenied("本年度自评已由东部确认并锁定，修改须由管理员进行")
        if self.status != self.DRAFT and perm == "west":
            raise PermissionDenied("自评已提交东部确认，如需修改请先由东部退回")
        if not scope.has(self.pairing_id, perm):
            raise PermissionDenied("您的角色无权执行此操作")
        return perm

    def admin_event(self, what):
        # The tracked model already records before/after; this event names the
        # administrator's change of a locked year explicitly for auditors.
        if self.is_locked:
            from xiezuo.audit.models import record_for

            record_for(self, "admin", summary=f"管理员修改已锁定的{self.year}年度自评：{what}")

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
        """Either side may take a new snapshot of the ledgers until the year
        is confirmed (an administrator also after): the east must not be left
        confirming figures it can see are out of date."""
        from xiezuo.accounts.scope import scope_for

        scope = scope_for(user)
        if scope.has(self.pairing_id, "admin"):
            return True
        return not self.is_locked and (scope.has(self.pairing_id, "west") or scope.has(self.pairing_id, "east"))

    def refresh_snapshot(self, user, loaded_version=AS_READ):
        from django.core.exceptions import PermissionDenied

        from .workflow import snapshot_of

        def change(current):
            if not current.may_refresh(user):
                raise PermissionDenied("本年度自评已确认锁定，或您的角色无权重新生成快照")
            current.snapshot, current.snapshot_at = snapshot_of(current.pairing, current.year), timezone.now()
            current.admin_event("重新生成数据快照")

        return self._step(user, loaded_version, change)

    def submit(self, user, loaded_version=AS_READ):
        def change(current):
            if current.status != self.DRAFT:
                raise ValidationError("只有起草中的自评可以提交")
            current.require_editable(user)
            current.status, current.submitted_at, current.drafted_by = self.SUBMITTED, timezone.now(), user

        return self._step(user, loaded_version, change)

    def confirm(self, user, loaded_version=AS_READ):
        def change(current):
            _require(user, current, "east")
            if current.status != self.SUBMITTED:
                raise ValidationError("只有西部已提交的自评可以确认")
            if current.drafted_by_id == user.pk:
                raise ValidationError("确认人不能与提交人为同一用户")
            current.status, current.confirmed_by, current.confirmed_at = self.CONFIRMED, user, timezone.now()

        return self._step(user, loaded_version, change)

    def send_back(self, user, loaded_version=AS_READ):
        def change(current):
            _require(user, current, "east")
            if current.status != self.SUBMITTED:
                raise ValidationError("只有待确认的自评可以退回")
            current.status = self.DRAFT

        return self._step(user, loaded_version, change)

    def reopen(self, user, loaded_version=AS_READ):
        def change(current):
            _require(user, current, "admin")
            if not current.is_locked:
                raise ValidationError("该自评未锁定，无需解锁")
            current.admin_event("解除锁定，退回起草")
            current.status, current.confirmed_by, current.confirmed_at = self.DRAFT, None, None

        return self._step(user, loaded_version, change)


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
    audit_seq = models.BigIntegerField()
    computed_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint("pairing", "year", name="figures_cache_unique")]


for _model in (Indicator, ManualActual, SelfEvaluation):
    tracked(_model)
