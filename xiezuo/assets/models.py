"""Assets built with cooperation funds (资产后续管理): what a project left
behind when it was handed over (资产移交), and what becomes of it.

An asset is registered at handover from its project: its class (经营性,
公益性, 到户类), its value from the project's final accounts, the
organisation it is registered to (确权), where it is, the handover document
and who looks after it (管护责任). Afterwards it gathers yearly care records
(管护记录), for 经营性 assets the income it earned and how that income was
shared out (收益分配: to whom, how many 脱贫户), and at its end a disposal
(处置) asked for by one person and approved — or refused — by another.

The classes, 确权, 管护, 收益分配 and 处置 follow 《关于加强扶贫项目资产
后续管理的指导意见》 (国家乡村振兴局、中央农办、财政部, forwarded by the
General Office of the State Council as 国办函〔2021〕51号, 2021), which
names assets formed by East–West cooperation among those to register; the
fields and the two-person disposal are our judgement.

Each disposal step is a model method under a row lock with the version the
person saw, and leaves one audit event and one row of the asset's history.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from xiezuo.audit.tracking import tracked
from xiezuo.front.forms import AS_READ
from xiezuo.front.steps import StepsMixin
from xiezuo.funds.models import MONEY, wan
from xiezuo.pairings.owned import PairingOwned, ScopedModel

OPERATING, PUBLIC, HOUSEHOLD = "operating", "public", "household"
KINDS = [(OPERATING, _("经营性")), (PUBLIC, _("公益性")), (HOUSEHOLD, _("到户类"))]

REGISTERED, REQUESTED, DISPOSED = "registered", "requested", "disposed"
STATUSES = [(REGISTERED, _("在管")), (REQUESTED, _("申请处置")), (DISPOSED, _("已处置"))]
REQUEST, APPROVE, REJECT = "request", "approve", "reject"
STEP_NAMES = {REQUEST: _("申请处置"), APPROVE: _("批准处置"), REJECT: _("退回处置申请")}
METHODS = [("transfer", _("转让")), ("auction", _("拍卖")), ("scrap", _("报废")), ("reassign", _("划转")),
           ("other", _("其他"))]
# What a step changes (and nothing else: an edit goes through the form).
STEP_FIELDS = ("status", "disposal_reason", "disposal_method", "disposal_value", "disposal_requested_by_id",
               "disposal_requested_at", "disposal_approved_by_id", "disposed_on", "reject_reason", "version")

# Kinds of the people an income is shared out to.
POOR, MONITORED, COLLECTIVE, OTHER = "poor", "monitored", "collective", "other"
SHARE_KINDS = [(POOR, _("脱贫户")), (MONITORED, _("监测户")), (COLLECTIVE, _("村集体")), (OTHER, _("其他"))]

# The project statuses at which an asset may be registered: 验收 (the asset
# is registered before the handover step) or 资产移交.
REGISTRABLE = ("accepted", "handed_over")


def upload_path(instance, filename):
    return f"assets/{timezone.now():%Y%m}/{filename}"


def suggested_value(project):
    """The value an asset form offers, from the project's final accounts.

    A project has no 决算 field: the confirmed disbursements plus the other
    funds stand for it; a project with nothing confirmed yet offers its
    budget (协作资金 + 其他资金). Our judgement; the office corrects it from
    the 决算 and names the document in 决算文号/依据.
    """
    paid = project.confirmed_disbursed()
    if paid:
        return paid + (project.other_funds or Decimal("0"))
    return project.total_funds


class AssetQuerySet(models.QuerySet):
    def within(self, pairing):
        return self.filter(pairing__path__startswith=pairing.path)

    def held_on(self, day):
        """Assets handed over by `day` and not disposed of on it."""
        return self.filter(handed_over_on__lte=day).filter(Q(disposed_on__isnull=True) | Q(disposed_on__gt=day))


class Asset(StepsMixin, PairingOwned):
    """One asset a project left (资产)."""

    unit_path = "project__implementing_unit"

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="assets")
    project = models.ForeignKey("funds.Project", verbose_name=_("来源项目"), on_delete=models.PROTECT,
                                related_name="assets")
    name = models.CharField(_("资产名称"), max_length=200)
    kind = models.CharField(_("资产类别"), max_length=10, choices=KINDS)
    value = models.DecimalField(_("资产价值（元）"), **MONEY)
    final_accounts_ref = models.CharField(_("决算文号或依据"), max_length=200, blank=True)
    owner = models.ForeignKey("pairings.Organisation", verbose_name=_("确权单位"), on_delete=models.PROTECT,
                              related_name="+")
    location = models.CharField(_("资产所在地"), max_length=200, blank=True)
    handed_over_on = models.DateField(_("移交日期"))
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    handover_ref = models.CharField(_("移交文件"), max_length=200, blank=True,
                                    help_text=_("移交清单或移交文件的名称、文号"))
    # Checked by the form's clean method (`front.forms.checked_upload`).
    handover_file = models.FileField(_("移交文件附件"), upload_to=upload_path, max_length=300, blank=True)
    custodian_unit = models.ForeignKey("pairings.Organisation", verbose_name=_("管护责任单位"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+")
    custodian_person = models.CharField(_("管护责任人"), max_length=50, blank=True)
    note = models.TextField(_("备注"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=STATUSES, default=REGISTERED, editable=False)
    disposal_reason = models.CharField(_("处置原因"), max_length=500, blank=True, editable=False)
    disposal_method = models.CharField(_("处置方式"), max_length=10, choices=METHODS, blank=True, editable=False)
    disposal_value = models.DecimalField(_("处置价值（元）"), null=True, blank=True, editable=False, **MONEY)
    disposal_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请处置人"), null=True,
                                              blank=True, on_delete=models.PROTECT, related_name="+", editable=False)
    disposal_requested_at = models.DateTimeField(_("申请处置时间"), null=True, blank=True, editable=False)
    disposal_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准处置人"), null=True,
                                             blank=True, on_delete=models.PROTECT, related_name="+", editable=False)
    disposed_on = models.DateField(_("处置日期"), null=True, blank=True, editable=False)
    reject_reason = models.CharField(_("退回原因"), max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["-handed_over_on", "pk"]
        verbose_name = _("资产")
        verbose_name_plural = _("资产")
        indexes = [models.Index(fields=["pairing", "year", "status"])]
        constraints = [
            # The assets ledger's natural key: 项目编号 + 资产名称.
            models.UniqueConstraint(fields=["project", "name"], name="asset_unique_project_name",
                                    violation_error_message=_("该项目已登记同名资产")),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.handed_over_on:
            self.year = self.handed_over_on.year
            if not (2000 <= self.year <= 2100):
                errors["handed_over_on"] = gettext("移交日期的年度应在2000至2100之间")
            elif self.handed_over_on > timezone.localdate():
                errors["handed_over_on"] = gettext("移交日期不能晚于今天")
        if self.value is not None and self.value < 0:
            errors["value"] = gettext("资产价值不能为负数")
        if self.project_id:
            project = self.project
            if self.pairing_id and not project.pairing.path.startswith(self.pairing.path):
                errors["project"] = gettext("来源项目不在本结对范围内")
            elif project.status not in REGISTRABLE:
                errors["project"] = gettext("项目验收后方可登记资产（该项目当前为“%(status)s”）") % {
                    "status": project.get_status_display()}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.handed_over_on:
            self.year = self.handed_over_on.year
        super().save(*args, **kwargs)

    # -- figures of one asset ---------------------------------------------------

    def income_total(self):
        return self.incomes.aggregate(s=Sum("amount"))["s"] or Decimal("0")

    # -- steps -----------------------------------------------------------------

    STEP_NAMES, STEP_FIELDS = STEP_NAMES, STEP_FIELDS
    STEP_OPEN, STEP_ASK, STEP_ASKED, STEP_DECIDE = REGISTERED, REQUEST, REQUESTED, (APPROVE, REJECT)
    STEP_ASKER = "disposal_requested_by_id"
    STEP_SAME_PERSON = _("申请处置与批准（或退回）须由两名不同的人员完成：您申请的处置不能由您本人审批")
    STEP_REFUSAL = _("该资产当前为“%(status)s”，不能%(step)s")

    def history(self, step, from_status, user, note):
        AssetStep.objects.create(asset=self, step=step, from_status=from_status, to_status=self.status, user=user,
                                 note=note)

    def request_disposal(self, user, reason, method, value=None, loaded_version=AS_READ):
        """Ask for the asset to be disposed of (申请处置): why, how and for how much."""
        reason = (reason or "").strip()

        def change(current):
            errors = {}
            if not reason:
                errors["disposal_reason"] = gettext("申请处置须填写处置原因")
            if method not in dict(METHODS):
                errors["disposal_method"] = gettext("请选择处置方式")
            if value is not None and Decimal(value) < 0:
                errors["disposal_value"] = gettext("处置价值不能为负数")
            if errors:
                raise ValidationError(errors)
            current.status, current.disposal_reason, current.disposal_method = REQUESTED, reason[:500], method
            current.disposal_value = None if value is None else Decimal(value).quantize(Decimal("0.01"))
            current.disposal_requested_by, current.disposal_requested_at = user, timezone.now()
            current.reject_reason = ""
            shown = "" if current.disposal_value is None else f"，{wan(current.disposal_value)}"
            return f"{current.get_disposal_method_display()}{shown}：{reason[:400]}"

        return self._step(user, loaded_version, REQUEST, REGISTERED, change)

    def approve_disposal(self, user, loaded_version=AS_READ, day=None):
        """Approve the disposal (处置) as a second person: the asset leaves the books."""
        day = day or timezone.localdate()

        def change(current):
            self._second_person(current, user)
            if day < current.handed_over_on:
                raise ValidationError({"disposed_on": gettext("处置日期不能早于移交日期")})
            current.status, current.disposal_approved_by, current.disposed_on = DISPOSED, user, day
            return ""

        return self._step(user, loaded_version, APPROVE, REQUESTED, change)

    def reject_disposal(self, user, reason, loaded_version=AS_READ):
        """Send the request back (the asset stays 在管) with a reason, as a second person."""
        reason = (reason or "").strip()

        def change(current):
            self._second_person(current, user)
            if not reason:
                raise ValidationError({"reject_reason": gettext("退回须填写原因")})
            current.status, current.reject_reason = REGISTERED, reason[:500]
            current.disposal_requested_by, current.disposal_requested_at = None, None
            return reason[:500]

        return self._step(user, loaded_version, REJECT, REQUESTED, change)


class AssetStep(ScopedModel):
    """One disposal step of an asset, for its history. Written only by the
    steps themselves, whose audit event covers it."""

    scope_path = "asset__pairing"
    unit_path = "asset__project__implementing_unit"

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("操作"), max_length=10, choices=list(STEP_NAMES.items()))
    from_status = models.CharField(_("原状态"), max_length=10, choices=STATUSES)
    to_status = models.CharField(_("新状态"), max_length=10, choices=STATUSES)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("资产处置记录")
        verbose_name_plural = _("资产处置记录")


class AssetCare(ScopedModel):
    """One year's care of an asset (管护记录)."""

    scope_path = "asset__pairing"
    unit_path = "asset__project__implementing_unit"

    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.CASCADE, related_name="care")
    year = models.PositiveSmallIntegerField(_("年度"), editable=False)
    date = models.DateField(_("管护日期"))
    unit = models.CharField(_("管护单位"), max_length=200)
    person = models.CharField(_("管护责任人"), max_length=50, blank=True)
    content = models.TextField(_("管护内容"))
    cost = models.DecimalField(_("管护费用（元）"), default=Decimal("0"), **MONEY)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("管护记录")
        verbose_name_plural = _("管护记录")

    def __str__(self):
        return f"{self.asset}：{self.year}年管护"

    def clean(self):
        errors = {}
        if self.date:
            self.year = self.date.year
            if self.date > timezone.localdate():
                errors["date"] = gettext("管护日期不能晚于今天")
            elif self.asset_id and self.date < self.asset.handed_over_on:
                errors["date"] = gettext("管护日期不能早于资产移交日期")
        if self.cost is not None and self.cost < 0:
            errors["cost"] = gettext("管护费用不能为负数")
        if self.asset_id and self.asset.status == DISPOSED:
            errors["asset"] = gettext("资产已处置，不能再登记管护记录")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.date:
            self.year = self.date.year
        super().save(*args, **kwargs)


class AssetIncome(ScopedModel):
    """Income an operating (经营性) asset earned (收益), with its shares."""

    scope_path = "asset__pairing"
    unit_path = "asset__project__implementing_unit"

    asset = models.ForeignKey(Asset, verbose_name=_("资产"), on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField(_("收益年度"))
    date = models.DateField(_("分配日期"))
    amount = models.DecimalField(_("收益金额（元）"), **MONEY)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-year", "-date", "pk"]
        verbose_name = _("资产收益")
        verbose_name_plural = _("资产收益")

    def __str__(self):
        return f"{self.asset}：{self.year}年收益"

    def clean(self):
        errors = {}
        if self.asset_id and self.asset.kind != OPERATING:
            errors["asset"] = gettext("只有经营性资产登记收益及其分配；“%(asset)s”为%(kind)s资产") % {
                "asset": self.asset, "kind": self.asset.get_kind_display()}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = gettext("收益金额应大于零")
        if self.date and self.date > timezone.localdate():
            errors["date"] = gettext("分配日期不能晚于今天")
        if self.year and not (2000 <= self.year <= 2100):
            errors["year"] = gettext("收益年度应在2000至2100之间")
        if errors:
            raise ValidationError(errors)

    def shares_total(self):
        return self.shares.aggregate(s=Sum("amount"))["s"] or Decimal("0")


class AssetIncomeShare(ScopedModel):
    """One share of an income (收益分配): to whom, how much, how many households."""

    scope_path = "income__asset__pairing"
    unit_path = "income__asset__project__implementing_unit"

    income = models.ForeignKey(AssetIncome, verbose_name=_("资产收益"), on_delete=models.CASCADE,
                               related_name="shares")
    kind = models.CharField(_("分配对象"), max_length=12, choices=SHARE_KINDS)
    description = models.CharField(_("对象说明"), max_length=200, blank=True)
    amount = models.DecimalField(_("分配金额（元）"), **MONEY)
    households = models.PositiveIntegerField(_("受益户数"), default=0)
    poor_households = models.PositiveIntegerField(_("其中脱贫户"), default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("收益分配")
        verbose_name_plural = _("收益分配")

    def __str__(self):
        return f"{self.get_kind_display()} {self.description}".strip()

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = gettext("分配金额应大于零")
        if (self.poor_households or 0) > (self.households or 0):
            errors["poor_households"] = gettext("脱贫户户数不能多于受益户数")
        if errors:
            raise ValidationError(errors)


def check_shares(income_amount, share_amounts):
    """Refuse shares adding up to more than the income, to the 分."""
    total = sum((a or Decimal("0") for a in share_amounts), Decimal("0"))
    if income_amount is not None and total.quantize(Decimal("0.01")) > Decimal(income_amount).quantize(Decimal("0.01")):
        raise ValidationError(gettext("分配合计%(shares)s超过收益金额%(income)s") % {
            "shares": wan(total), "income": wan(income_amount)})


tracked(Asset)
tracked(AssetCare)
tracked(AssetIncome)
tracked(AssetIncomeShare)
