"""Industry cooperation, social help, visits and agreed items.

Ledgers: co-built parks, enterprise investments, assistance workshops,
donations, visits and meetings (with the officials who led or received them),
agreed items with their append-only progress notes. Enterprise–village and
social-organisation–village pairings (万企兴万村) are not a ledger of their
own: they are foundation `Pairing` rows of level `enterprise_village` /
`social_village` hanging under the county pair.

Money is Decimal yuan with two places. Single-row rules live in `clean()`
with Chinese messages naming the field.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.dates import cn_date
from lib.ids import normalize_uscc
from lib.uploads import check_upload
from xiezuo.audit.tracking import tracked
from xiezuo.front.forms import AS_READ, check_version
from xiezuo.pairings.owned import PairingOwned, RepeatNumbered, ScopedModel

MONEY = {"max_digits": 16, "decimal_places": 2}
ENTERPRISE_KINDS = ("enterprise", "soe", "coop", "farm")


class LedgerQuerySet(models.QuerySet):
    def within(self, pairing):
        """Return rows of the pairing and its whole subtree."""
        return self.filter(pairing__path__startswith=pairing.path)


# --- Parks -------------------------------------------------------------------

class ParkQuerySet(LedgerQuerySet):
    def existing_in(self, years):
        """Parks co-built by the end of the last year asked for (a stock)."""
        return self.filter(since_year__lte=max(years))


class Park(PairingOwned):
    PLANNED, BUILDING, OPERATING = "planned", "building", "operating"
    STATUSES = [(PLANNED, _("规划中")), (BUILDING, _("建设中")), (OPERATING, _("已投运"))]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="parks")
    name = models.CharField(_("园区名称"), max_length=200)
    region = models.ForeignKey("pairings.Region", verbose_name=_("所在区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    since_year = models.PositiveSmallIntegerField(_("共建起始年度"))
    status = models.CharField(_("建设状态"), max_length=10, choices=STATUSES, default=PLANNED)
    area_mu = models.DecimalField(_("占地面积（亩）"), max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("简介"), blank=True)

    objects = ParkQuerySet.as_manager()

    class Meta:
        ordering = ["since_year", "name"]
        verbose_name = _("共建产业园区")
        verbose_name_plural = _("共建产业园区")
        constraints = [models.UniqueConstraint("pairing", "name", name="park_unique_name",
                                               violation_error_message=_("该结对下已有同名园区"))]

    def __str__(self):
        return self.name

    @property
    def year(self):
        return self.since_year

    def clean(self):
        if self.since_year and not (2000 <= self.since_year <= 2100):
            raise ValidationError({"since_year": _("共建起始年度应在2000至2100之间")})
        if self.area_mu is not None and self.area_mu < 0:
            raise ValidationError({"area_mu": _("占地面积不能为负数")})


# --- Enterprise investment ---------------------------------------------------

class InvestmentQuerySet(LedgerQuerySet):
    def landed_in(self, years):
        return self.filter(landed_on__year__in=years)

    def arrived_in(self, years):
        """Investments with money arriving in the years (引导企业投资 counts
        their enterprises)."""
        return self.filter(pk__in=InvestmentArrival.objects.in_years(years).values("investment_id"))

    def in_parks_by(self, year):
        """Investments landed by the end of `year` in a park co-built by then
        (入园企业, a stock like the parks)."""
        return self.filter(park__since_year__lte=year, landed_on__year__lte=year)


class Investment(PairingOwned):
    """One enterprise's investment project brought in through the cooperation
    (招商引资): signed, landed, in production, money agreed and arrived.

    The money arrives in dated tranches (`InvestmentArrival`); each year's
    figures count what arrived in it. `arrived_amount` is their sum, kept by
    the tranches' own writes (and recomputed on every save) for lists,
    exports and the "arrived above agreed" flag.
    """

    INDUSTRIES = [
        ("agri_processing", _("农畜产品精深加工")),
        ("tourism", _("文化旅游")),
        ("energy", _("新能源")),
        ("logistics", _("商贸物流")),
        ("manufacturing", _("制造业")),
        ("agriculture", _("种养殖业")),
        ("services", _("服务业")),
        ("other", _("其他")),
    ]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="investments")
    enterprise = models.ForeignKey("pairings.Organisation", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="investments")
    project_name = models.CharField(_("投资项目"), max_length=200)
    origin_region = models.ForeignKey("pairings.Region", verbose_name=_("企业来源地"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    origin_place = models.CharField(_("来源地（补充）"), max_length=100, blank=True,
                                    help_text=_("区划表中没有的来源地，如江苏省苏州市"))
    industry = models.CharField(_("所属行业"), max_length=20, choices=INDUSTRIES)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    landed_on = models.DateField(_("落地日期"), null=True, blank=True)
    producing_on = models.DateField(_("投产日期"), null=True, blank=True)
    agreed_amount = models.DecimalField(_("协议投资额（元）"), default=0, **MONEY)
    arrived_amount = models.DecimalField(_("实际到位投资（元）"), default=0, editable=False,
                                         help_text=_("各笔到位投资之和"), **MONEY)
    park = models.ForeignKey(Park, verbose_name=_("入驻园区"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="investments")
    jobs = models.PositiveIntegerField(_("带动就业（人）"), default=0)
    jobs_poverty = models.PositiveIntegerField(_("其中脱贫劳动力（人）"), default=0)
    note = models.TextField(_("备注"), blank=True)

    objects = InvestmentQuerySet.as_manager()

    class Meta:
        ordering = ["-landed_on", "-signed_on", "pk"]
        verbose_name = _("招商引资")
        verbose_name_plural = _("招商引资")
        indexes = [models.Index(fields=["pairing", "landed_on"])]
        # The enterprises ledger's natural key: one enterprise's one investment
        # project is one row; a second phase is a project of its own name.
        constraints = [models.UniqueConstraint(fields=["pairing", "enterprise", "project_name"],
                                               name="investment_unique_natural_key",
                                               violation_error_message=_("本结对已登记该企业的同名投资项目"))]

    def __str__(self):
        return f"{self.enterprise}：{self.project_name}" if self.enterprise_id else self.project_name

    @property
    def year(self):
        return self.landed_on.year if self.landed_on else None

    @property
    def arrived_exceeds_agreed(self):
        """Arrivals above the agreed amount are kept (a project may grow) but
        flagged for the offices and the auditor to look at."""
        return bool(self.agreed_amount and self.arrived_amount and self.arrived_amount > self.agreed_amount)

    def arrivals_sum(self):
        if not self.pk:
            return Decimal("0")
        return self.arrivals.aggregate(s=Sum("amount"))["s"] or Decimal("0")

    @classmethod
    def recompute_arrived(cls, ids):
        """Store each investment's sum of arrivals (call inside the transaction
        that changed them, after locking the investments)."""
        sums = dict(InvestmentArrival.objects.filter(investment_id__in=ids).values("investment")
                    .annotate(s=Sum("amount")).values_list("investment", "s"))
        for pk in ids:
            cls.objects.filter(pk=pk).update(arrived_amount=sums.get(pk) or Decimal("0"))

    def save(self, *args, **kwargs):
        # The stored sum follows the tranches, whatever this instance was loaded with.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "arrived_amount" in update_fields:
            self.arrived_amount = self.arrivals_sum()
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.jobs_poverty is not None and self.jobs is not None and self.jobs_poverty > self.jobs:
            errors["jobs_poverty"] = (_("其中脱贫劳动力人数（%(jobs_poverty)s人）不能超过带动就业人数（%(jobs)s人）") % {"jobs_poverty": self.jobs_poverty, "jobs": self.jobs})
        for field, label in (("agreed_amount", _("协议投资额")), ("arrived_amount", _("实际到位投资"))):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = _("%(label)s不能为负数") % {"label": label}
        if self.signed_on and self.landed_on and self.landed_on < self.signed_on:
            errors["landed_on"] = _("落地日期不能早于签约日期")
        if self.landed_on and self.producing_on and self.producing_on < self.landed_on:
            errors["producing_on"] = _("投产日期不能早于落地日期")
        if self.enterprise_id:
            if self.enterprise.kind not in ENTERPRISE_KINDS:
                errors["enterprise"] = _("“%(enterprise)s”的单位类型为%(kind)s，不是企业") % {"enterprise": self.enterprise, "kind": self.enterprise.get_kind_display()}
            elif self.enterprise.uscc:
                # Organisations may have been written by an import; check again
                # so a ledger row never rests on a broken code.
                try:
                    normalize_uscc(self.enterprise.uscc)
                except ValueError as e:
                    errors["enterprise"] = _("企业“%(enterprise)s”的%(e)s") % {"enterprise": self.enterprise, "e": e}
        if errors:
            raise ValidationError(errors)


class InvestmentArrivalQuerySet(models.QuerySet):
    def within(self, pairing):
        return self.filter(investment__pairing__path__startswith=pairing.path)

    def in_years(self, years):
        """Tranches that arrived in the years asked for (a date range per
        year, so the date index answers)."""
        q = Q(pk__in=[])
        for year in years:
            q |= Q(date__gte=datetime.date(year, 1, 1), date__lt=datetime.date(year + 1, 1, 1))
        return self.filter(q)


class InvestmentArrival(ScopedModel):
    """One tranche of an investment's money that arrived (到位), dated: the
    year it arrived in is the year it counts in (引导企业投资, docs/modules/rules.md)."""

    scope_path = "investment__pairing"

    investment = models.ForeignKey(Investment, verbose_name=_("投资项目"), on_delete=models.CASCADE,
                                   related_name="arrivals")
    date = models.DateField(_("到位日期"))
    amount = models.DecimalField(_("到位金额（元）"), **MONEY)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = InvestmentArrivalQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("投资到位")
        verbose_name_plural = _("投资到位")
        indexes = [models.Index(fields=["date"], name="investment_arrival_date")]
        # The arrivals ledger's natural key: two tranches of one project on
        # one day are written as one.
        constraints = [models.UniqueConstraint(fields=["investment", "date"], name="investment_arrival_unique_date",
                                               violation_error_message=_("该投资项目在同一到位日期已有到位记录，请合并为一笔"))]

    def __str__(self):
        return f"{self.investment}（{cn_date(self.date)}到位）" if self.date and self.investment_id else "投资到位"

    @property
    def year(self):
        return self.date.year if self.date else None

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("到位金额应大于0")
        if self.date and not (2000 <= self.date.year <= 2100):
            errors["date"] = _("到位日期应在2000年至2100年之间")
        elif self.date and self.date > timezone.localdate():
            errors["date"] = _("到位日期不能晚于今天")
        elif self.date and self.investment_id and self.investment.signed_on and self.date < self.investment.signed_on:
            errors["date"] = _("到位日期不能早于签约日期（%(cn_date)s）") % {"cn_date": cn_date(self.investment.signed_on)}
        if errors:
            raise ValidationError(errors)

    def _write(self, write):
        """Run a write of this tranche with its investments locked and their sums kept."""
        with transaction.atomic():
            old = None
            if self.pk:
                old = InvestmentArrival.objects.filter(pk=self.pk).values_list("investment_id", flat=True).first()
            ids = sorted({i for i in (self.investment_id, old) if i})
            list(Investment.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
            result = write()
            Investment.recompute_arrived(ids)
            return result

    def save(self, *args, **kwargs):
        return self._write(lambda: super(InvestmentArrival, self).save(*args, **kwargs))

    def delete(self, *args, **kwargs):
        return self._write(lambda: super(InvestmentArrival, self).delete(*args, **kwargs))

    def delete_checked(self, loaded_version=AS_READ):
        """Delete the tranche the person looked at (`loaded_version`), under its row lock."""
        with transaction.atomic():
            current = InvestmentArrival.objects.select_for_update().get(pk=self.pk)
            check_version(current, loaded_version, self)
            current.delete()


# --- Workshops ---------------------------------------------------------------
#
# Counting rules (docs/modules/rules.md, "Workshops (帮扶车间)"): a workshop is
# one of five types and counts in a month only when it was open that month,
# recognised by then (where a 认定日期 is recorded) and at least
# XIEZUO_WORKSHOP_MIN_POVERTY_WORKERS (5) of its workers that month were
# 脱贫人口 including 防止返贫监测对象 — the recognition conditions published by
# 柳江区 (广西) for its 就业帮扶车间, which name the five types and "5名以上
# 脱贫人口" counting 防止返贫监测对象 households. The month's head counts are
# `WorkshopMonth` rows; a month without a row is a month without a count.
# How many counted months make a workshop of the year is our judgement
# (XIEZUO_WORKSHOP_MIN_MONTHS, 1): the 2021 provincial notice that lowered the
# 累计工作时间 from 6 months to 3 concerns workers' time, not shown here.


def poverty_threshold():
    return settings.XIEZUO_WORKSHOP_MIN_POVERTY_WORKERS


def first_of_month(day):
    return day.replace(day=1) if day else day


class WorkshopQuerySet(LedgerQuerySet):
    def operating_in(self, years):
        """Workshops open at some time during the years asked for (the list
        filter; the figures count monthly, see WorkshopMonthQuerySet)."""
        first, last = min(years), max(years)
        return self.filter(opened_on__year__lte=last).filter(Q(closed_on__isnull=True) | Q(closed_on__year__gte=first))

    def counted_in(self, years, threshold=None, min_months=None):
        """Workshops that count in the years (帮扶车间): at least `min_months`
        (setting XIEZUO_WORKSHOP_MIN_MONTHS) months counting by the monthly
        rule (WorkshopMonthQuerySet.counting)."""
        min_months = settings.XIEZUO_WORKSHOP_MIN_MONTHS if min_months is None else min_months
        months = (WorkshopMonth.objects.filter(workshop__in=self).in_years(years).counting(threshold)
                  .order_by().values("workshop_id").annotate(n=Count("pk")).filter(n__gte=max(min_months, 1))
                  .values("workshop_id"))
        return self.filter(pk__in=months)


class Workshop(PairingOwned):
    """A 帮扶车间: a workshop employing 脱贫人口 near their homes.

    `opened_on` is when it started operating (投运); `recognised_on` the date
    of the official recognition (认定), which may come later. `jobs` and
    `jobs_poverty` are the numbers stated at recognition; the figures come
    from the monthly head counts (`months`)."""

    FACTORY, HOME, FARMING, TRADE, TOURISM = "factory", "home", "farming", "trade", "tourism"
    KINDS = [
        (FACTORY, _("厂房式")),
        (HOME, _("居家式")),
        (FARMING, _("种养式")),
        (TRADE, _("贸易流通式")),
        (TOURISM, _("文化旅游式")),
    ]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="workshops")
    name = models.CharField(_("车间名称"), max_length=200)
    kind = models.CharField(_("车间类型"), max_length=10, choices=KINDS, default=FACTORY)
    enterprise = models.ForeignKey("pairings.Organisation", verbose_name=_("运营企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="workshops")
    park = models.ForeignKey(Park, verbose_name=_("所在园区"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="workshops")
    location = models.ForeignKey("pairings.Region", verbose_name=_("所在乡镇/村"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    products = models.CharField(_("生产内容"), max_length=200, blank=True)
    opened_on = models.DateField(_("投运日期"))
    recognised_on = models.DateField(_("认定日期"), null=True, blank=True,
                                     help_text=_("人社部门认定为帮扶车间的日期；填写后，认定当月之前的月份不计入"))
    closed_on = models.DateField(_("停运日期"), null=True, blank=True)
    jobs = models.PositiveIntegerField(_("认定时吸纳就业（人）"), default=0)
    jobs_poverty = models.PositiveIntegerField(_("其中脱贫人口（含监测对象）（人）"), default=0)
    note = models.TextField(_("备注"), blank=True)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "name"]
        verbose_name = _("帮扶车间")
        verbose_name_plural = _("帮扶车间")

    def __str__(self):
        return self.name

    @property
    def year(self):
        return self.opened_on.year if self.opened_on else None

    def is_open_in(self, month):
        """Open at some time in the month (given as its first day): opened by
        its last day and not closed before its first. A workshop closed on
        15 March is open in March and stops counting from April."""
        return bool(self.opened_on and first_of_month(self.opened_on) <= month
                    and (self.closed_on is None or self.closed_on >= month))

    def is_recognised_in(self, month):
        return self.recognised_on is None or first_of_month(self.recognised_on) <= month

    def clean(self):
        errors = {}
        if self.jobs_poverty is not None and self.jobs is not None and self.jobs_poverty > self.jobs:
            errors["jobs_poverty"] = (_("其中脱贫人口（%(jobs_poverty)s人）不能超过吸纳就业人数（%(jobs)s人）") % {"jobs_poverty": self.jobs_poverty, "jobs": self.jobs})
        if self.opened_on and self.closed_on and self.closed_on < self.opened_on:
            errors["closed_on"] = _("停运日期不能早于投运日期")
        if self.opened_on and self.recognised_on and self.recognised_on < self.opened_on:
            errors["recognised_on"] = _("认定日期不能早于投运日期")
        elif self.closed_on and self.recognised_on and self.recognised_on > self.closed_on:
            errors["recognised_on"] = _("认定日期不能晚于停运日期")
        if self.enterprise_id and self.enterprise.kind not in ENTERPRISE_KINDS:
            errors["enterprise"] = _("“%(enterprise)s”不是企业或合作社") % {"enterprise": self.enterprise}
        if errors:
            raise ValidationError(errors)


class WorkshopMonthQuerySet(models.QuerySet):
    def in_years(self, years):
        return self.filter(month__year__in=years)

    def counting(self, threshold=None):
        """Rows of the months in which their workshop counts: open that month,
        recognised by then where a 认定日期 is recorded, and at least
        `threshold` 脱贫人口 including 监测对象 at work (the same rule as
        `WorkshopMonth.counts`, in one query)."""
        threshold = poverty_threshold() if threshold is None else threshold
        month_of = lambda field: Trunc(field, "month", output_field=models.DateField())  # noqa: E731
        return self.alias(poverty_total=F("poverty") + F("monitored")).filter(
            Q(poverty_total__gte=threshold),
            Q(month__gte=month_of("workshop__opened_on")),
            Q(workshop__closed_on__isnull=True) | Q(workshop__closed_on__gte=F("month")),
            Q(workshop__recognised_on__isnull=True) | Q(month__gte=month_of("workshop__recognised_on")))


class WorkshopMonth(ScopedModel):
    """One month's head count of a workshop: who worked there that month, and
    of them how many were 脱贫人口 and 防止返贫监测对象 (both count toward the
    recognition threshold)."""

    scope_path = "workshop__pairing"

    workshop = models.ForeignKey(Workshop, verbose_name=_("帮扶车间"), on_delete=models.CASCADE, related_name="months")
    month = models.DateField(_("月份"), help_text=_("填写年月（如2022-03），按当月1日保存"))
    employed = models.PositiveIntegerField(_("在岗人数（人）"))
    poverty = models.PositiveIntegerField(_("其中脱贫人口（人）"), default=0)
    monitored = models.PositiveIntegerField(_("其中防止返贫监测对象（人）"), default=0)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = WorkshopMonthQuerySet.as_manager()

    class Meta:
        ordering = ["workshop", "month"]
        verbose_name = _("帮扶车间月度在岗人数")
        verbose_name_plural = _("帮扶车间月度在岗人数")
        constraints = [models.UniqueConstraint(fields=["workshop", "month"], name="workshop_month_unique",
                                               violation_error_message=_("该帮扶车间该月已有在岗人数记录"))]

    def __str__(self):
        return f"{self.workshop} {self.month:%Y年%m月}" if self.month else str(self.workshop)

    @property
    def poverty_total(self):
        return (self.poverty or 0) + (self.monitored or 0)

    def counts(self, threshold=None):
        """Whether the workshop counts in this month (see the queryset's
        `counting` for the same rule in SQL)."""
        threshold = poverty_threshold() if threshold is None else threshold
        ws = self.workshop
        return ws.is_open_in(self.month) and ws.is_recognised_in(self.month) and self.poverty_total >= threshold

    def clean(self):
        errors = {}
        self.month = first_of_month(self.month)
        if self.employed is not None and self.poverty_total > self.employed:
            errors["monitored"] = (_("脱贫人口与监测对象合计（%(poverty_total)s人）不能超过在岗人数（%(employed)s人）") % {"poverty_total": self.poverty_total, "employed": self.employed})
        if self.month and self.workshop_id:
            ws = self.workshop
            if ws.opened_on and self.month < first_of_month(ws.opened_on):
                errors["month"] = _("该车间%(cn_date)s投运，不能填报之前的月份") % {"cn_date": cn_date(ws.opened_on)}
            elif ws.closed_on and self.month > ws.closed_on:
                errors["month"] = _("该车间%(cn_date)s停运，不能填报之后的月份") % {"cn_date": cn_date(ws.closed_on)}
            elif self.month > timezone.localdate():
                errors["month"] = _("不能填报未来的月份")
        if errors:
            raise ValidationError(errors)


# --- Donations ---------------------------------------------------------------

class DonationQuerySet(LedgerQuerySet):
    def in_years(self, years):
        return self.filter(date__year__in=years)


class Donation(RepeatNumbered, PairingOwned):
    CASH, IN_KIND = "cash", "in_kind"
    FORMS = [(CASH, _("捐款")), (IN_KIND, _("捐物（折款）"))]
    DONOR_KINDS = [
        ("enterprise", _("企业")),
        ("association", _("行业协会")),
        ("social", _("社会组织")),
        ("individual", _("个人")),
        ("other", _("其他")),
    ]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="donations")
    date = models.DateField(_("捐赠日期"))
    donor_name = models.CharField(_("捐赠方"), max_length=200)
    donor_kind = models.CharField(_("捐赠方类型"), max_length=12, choices=DONOR_KINDS)
    donor_uscc = models.CharField(_("捐赠方统一社会信用代码"), max_length=18, blank=True)
    form = models.CharField(_("捐赠形式"), max_length=8, choices=FORMS, default=CASH)
    amount = models.DecimalField(_("金额/折款（元）"), **MONEY)
    items = models.CharField(_("捐赠物资"), max_length=300, blank=True, help_text=_("捐物时填写物资名称和数量"))
    purpose = models.CharField(_("用途"), max_length=300)
    receiver = models.CharField(_("受赠单位"), max_length=200)
    receipt_number = models.CharField(_("捐赠票据号"), max_length=100, blank=True)
    note = models.TextField(_("备注"), blank=True)

    # Without a 票据号, donations of one donor on one day for one amount are
    # told apart by their place among those (RepeatNumbered).
    repeat_optional = "receipt_number"
    repeat_key = ("pairing_id", "date", "donor_name", "amount")

    objects = DonationQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("社会帮扶捐赠")
        verbose_name_plural = _("社会帮扶捐赠")
        indexes = [models.Index(fields=["pairing", "date"])]
        # The donations ledger's natural key (see funds.FundReceipt): with a
        # 票据号, date + donor + 票据号; without, date + donor + amount + place.
        constraints = [models.UniqueConstraint(fields=["pairing", "date", "donor_name", "receipt_number"],
                                               condition=~Q(receipt_number=""),
                                               name="donation_unique_natural_key",
                                               violation_error_message=_("已有相同捐赠日期、捐赠方和票据号的捐赠记录")),
                       models.UniqueConstraint(fields=["pairing", "date", "donor_name", "amount", "repeat_no"],
                                               condition=Q(receipt_number=""), name="donation_unique_repeat",
                                               violation_error_message=_("已有相同捐赠日期、捐赠方、金额和序号的无票据号捐赠记录"))]

    def __str__(self):
        return f"{self.donor_name} {self.get_form_display()}"

    @property
    def year(self):
        return self.date.year if self.date else None

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("金额/折款应大于0")
        if self.form == self.IN_KIND and not self.items.strip():
            errors["items"] = _("捐物须填写捐赠物资（名称和数量）")
        if self.donor_uscc:
            try:
                self.donor_uscc = normalize_uscc(self.donor_uscc)
            except ValueError as e:
                errors["donor_uscc"] = str(e)
        if self.donor_kind == "individual" and self.donor_uscc:
            errors["donor_uscc"] = _("个人捐赠不填写统一社会信用代码")
        if errors:
            raise ValidationError(errors)


# --- Visits and meetings -----------------------------------------------------

MINUTES_TYPES = ("pdf", "doc", "docx", "jpg", "jpeg", "png")
MINUTES_MAX_BYTES = 20 * 1024 * 1024


def validate_minutes(upload):
    """Refuse files that are too large or are not what their name says.

    The content is checked, not only the name: a renamed executable must not
    be stored as "纪要.pdf" and later opened by a colleague.
    """
    limit = min(MINUTES_MAX_BYTES, getattr(settings, "XIEZUO_MAX_UPLOAD_BYTES", MINUTES_MAX_BYTES))
    try:
        check_upload(upload, MINUTES_TYPES, limit)
    except ValueError as e:
        raise ValidationError(_("会议纪要：%(e)s") % {"e": e}) from None


class VisitQuerySet(LedgerQuerySet):
    def started_in(self, years):
        return self.filter(start_on__year__in=years)


class Visit(PairingOwned):
    LEADER, JOINT_MEETING, DEPARTMENT, INSPECTION = "leader_visit", "joint_meeting", "department", "inspection"
    KINDS = [
        (LEADER, _("党政主要负责同志互访")),
        (JOINT_MEETING, _("联席会议")),
        (DEPARTMENT, _("部门互访")),
        (INSPECTION, _("考察")),
    ]
    DIRECTIONS = [("east_to_west", _("东部赴西部")), ("west_to_east", _("西部赴东部")), ("online", _("视频/线上"))]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="visits")
    kind = models.CharField(_("类型"), max_length=16, choices=KINDS)
    title = models.CharField(_("名称"), max_length=200)
    direction = models.CharField(_("方向"), max_length=14, choices=DIRECTIONS, default="east_to_west")
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"))
    delegation_size = models.PositiveIntegerField(_("代表团人数"), null=True, blank=True)
    places = models.TextField(_("考察地点"), blank=True, help_text=_("每行一个地点"))
    topics = models.TextField(_("主要议题/内容"), blank=True)
    # Checked by validate_minutes when uploaded (forms and API), not as a
    # field validator: re-reading an already stored file on every edit would
    # fail when the storage is elsewhere.
    minutes = models.FileField(_("会议纪要"), upload_to="industry-minutes/%Y/", blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on", "pk"]
        verbose_name = _("互访与会议")
        verbose_name_plural = _("互访与会议")
        indexes = [models.Index(fields=["pairing", "start_on"])]
        # The visits ledger's natural key: two visits of one name starting on
        # one day cannot be told apart (agreed items name their source meeting
        # by title and start date), so the second is a duplicate.
        constraints = [models.UniqueConstraint(fields=["pairing", "start_on", "title"],
                                               name="visit_unique_natural_key",
                                               violation_error_message=_("本结对已有同一开始日期、同名的互访或会议"))]

    def __str__(self):
        return f"{self.title}（{cn_date(self.start_on)}）" if self.start_on else self.title

    @property
    def year(self):
        return self.start_on.year if self.start_on else None

    def place_list(self):
        return [p.strip() for p in self.places.splitlines() if p.strip()]

    def clean(self):
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("结束日期不能早于开始日期")})


class VisitOfficial(ScopedModel):
    """A leading official of a visit: who led the delegation, who received it."""

    scope_path = "visit__pairing"

    SIDES = [("east", _("东部")), ("west", _("西部"))]
    ROLES = [("lead", _("带队")), ("host", _("接待/会见")), ("member", _("参加"))]

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="officials")
    side = models.CharField(_("所属方"), max_length=4, choices=SIDES)
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=100)
    role = models.CharField(_("角色"), max_length=8, choices=ROLES, default="lead")

    class Meta:
        ordering = ["side", "pk"]
        verbose_name = _("带队/会见领导")

    def __str__(self):
        return f"{self.post} {self.name}"


# --- Agreed items ------------------------------------------------------------

class AgreedItemQuerySet(LedgerQuerySet):
    def in_years(self, years):
        return self.filter(year__in=years)

    def overdue(self, today=None):
        """Items whose deadline has passed and that are neither done nor
        shelved (a shelved item was paused by a recorded joint decision)."""
        today = today or timezone.localdate()
        return self.filter(deadline__lt=today).exclude(status__in=AgreedItem.NEVER_OVERDUE)


class AgreedItem(PairingOwned):
    NOT_STARTED, IN_PROGRESS, DONE, SHELVED = "not_started", "in_progress", "done", "shelved"
    STATUSES = [(NOT_STARTED, _("未启动")), (IN_PROGRESS, _("推进中")), (DONE, _("已完成")), (SHELVED, _("搁置"))]
    NEVER_OVERDUE = (DONE, SHELVED)
    # The board pushes items forward one step at a time; shelving and
    # reopening need a written reason.
    TRANSITIONS = {
        NOT_STARTED: (IN_PROGRESS, SHELVED),
        IN_PROGRESS: (DONE, SHELVED),
        SHELVED: (IN_PROGRESS,),
        DONE: (IN_PROGRESS,),
    }
    NEEDS_REASON = {(NOT_STARTED, SHELVED), (IN_PROGRESS, SHELVED), (DONE, IN_PROGRESS)}

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="agreed_items")
    year = models.PositiveSmallIntegerField(_("年度"), blank=True, help_text=_("留空时取来源会议的开始年度或来源协议的年度"))
    title = models.CharField(_("合作事项"), max_length=300)
    description = models.TextField(_("具体内容"), blank=True)
    source_visit = models.ForeignKey(Visit, verbose_name=_("来源会议/互访"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="agreed_items")
    source_agreement = models.ForeignKey("pairings.Agreement", verbose_name=_("来源协议"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    east_owner = models.CharField(_("东部责任单位"), max_length=200)
    west_owner = models.CharField(_("西部责任单位"), max_length=200)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=STATUSES, default=NOT_STARTED, editable=False)
    done_on = models.DateField(_("完成日期"), null=True, blank=True, editable=False)

    objects = AgreedItemQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("合作事项")
        verbose_name_plural = _("合作事项")
        indexes = [models.Index(fields=["pairing", "year", "status"])]
        # The agreed items ledger's natural key. The year is always stored
        # (save() takes it from the source when left blank), so the key has no
        # optional part.
        constraints = [models.UniqueConstraint(fields=["pairing", "year", "title"],
                                               name="agreed_item_unique_natural_key",
                                               violation_error_message=_("本结对本年度已有同名的合作事项"))]

    def __str__(self):
        return self.title

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return bool(self.deadline and self.deadline < today and self.status not in self.NEVER_OVERDUE)

    def last_note(self):
        """Return the latest note, using prefetched notes when the board has them."""
        notes = list(self.notes.all())
        return notes[-1] if notes else None

    def next_statuses(self):
        labels = dict(self.STATUSES)
        return [(s, labels[s]) for s in self.TRANSITIONS.get(self.status, ())]

    def clean(self):
        errors = {}
        if not self.year:
            if self.source_visit_id and self.source_visit.start_on:
                self.year = self.source_visit.start_on.year
            elif self.source_agreement_id:
                self.year = self.source_agreement.year
            else:
                errors["year"] = _("请填写年度（或选择来源会议/协议）")
        if self.year and not (2000 <= self.year <= 2100):
            errors["year"] = _("年度应在2000至2100之间")
        if self.source_visit_id and self.source_visit.start_on and self.deadline \
                and self.deadline < self.source_visit.start_on:
            errors["deadline"] = _("完成时限不能早于来源会议的日期")
        if errors:
            raise ValidationError(errors)


class ProgressNote(ScopedModel):
    """A dated note on an agreed item. Notes are append-only: a wrong note is
    corrected by a later one, so the history an auditor reads is the history
    that happened."""

    scope_path = "item__pairing"

    item = models.ForeignKey(AgreedItem, verbose_name=_("合作事项"), on_delete=models.PROTECT, related_name="notes")
    date = models.DateField(_("日期"))
    # Blank allowed at field level so an empty note gets the one message of clean().
    text = models.TextField(_("进展情况"), blank=True)
    status_from = models.CharField(_("原状态"), max_length=12, choices=AgreedItem.STATUSES, blank=True)
    status_to = models.CharField(_("新状态"), max_length=12, choices=AgreedItem.STATUSES, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("填报时间"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("进展记录")
        verbose_name_plural = _("进展记录")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.text[:40]}"

    def clean(self):
        errors = {}
        if not (self.text or "").strip():
            errors["text"] = _("请填写进展情况")
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("进展日期不能晚于今天")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("进展记录只能追加，不能修改；如需更正请追加一条新的进展记录"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("进展记录只能追加，不能删除"))


# --- 乡村振兴示范村 -------------------------------------------------------------

class DemoVillageQuerySet(LedgerQuerySet):
    def designated_in(self, years):
        return self.filter(designated_year__in=list(years))

    def existing_in(self, years):
        """Villages designated by the end of the last year asked for (a stock, like parks)."""
        return self.filter(designated_year__lte=max(years))


class DemoVillage(PairingOwned):
    """A village designated a 乡村振兴示范村 with the cooperation's help: the
    level of government that designated it, the year, and the cooperation
    money put into it (协作资金投入)."""

    NATIONAL, PROVINCE, CITY, COUNTY = "national", "province", "city", "county"
    LEVELS = [(NATIONAL, _("国家级")), (PROVINCE, _("省级")), (CITY, _("市级")), (COUNTY, _("县级"))]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="demo_villages")
    village = models.ForeignKey("pairings.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("示范村级别"), max_length=10, choices=LEVELS, default=COUNTY)
    designated_year = models.PositiveSmallIntegerField(_("命名年度"))
    investment = models.DecimalField(_("协作资金投入（元）"), default=0, **MONEY)
    note = models.TextField(_("主要做法与成效"), blank=True)

    objects = DemoVillageQuerySet.as_manager()

    class Meta:
        ordering = ["designated_year", "village__name"]
        verbose_name = _("乡村振兴示范村")
        verbose_name_plural = _("乡村振兴示范村")
        # One village is designated once per level: a county 示范村 later
        # named a provincial one is a second row.
        constraints = [models.UniqueConstraint("village", "level", name="demo_village_unique_level",
                                               violation_error_message=_("该村已有同一级别的示范村记录"))]

    def __str__(self):
        if not self.village_id:
            return "乡村振兴示范村"
        return f"{self.village}（{self.get_level_display()}示范村，{self.designated_year}年）"

    @property
    def year(self):
        return self.designated_year

    def clean(self):
        errors = {}
        if self.village_id and self.village.level != "village":
            errors["village"] = _("“%(village)s”不是村级区划，请选择村") % {"village": self.village}
        elif self.village_id and self.pairing_id and not self.village.is_within(self.pairing.west_region):
            errors["village"] = _("“%(village)s”不在结对西部区划%(west_region)s之内") % {"village": self.village, "west_region": self.pairing.west_region}
        if self.designated_year and not (2000 <= self.designated_year <= 2100):
            errors["designated_year"] = _("命名年度应在2000至2100之间")
        if self.investment is not None and self.investment < 0:
            errors["investment"] = _("协作资金投入不能为负数")
        if errors:
            raise ValidationError(errors)


for _model in (Park, Investment, InvestmentArrival, Workshop, WorkshopMonth, Donation, Visit, VisitOfficial,
               AgreedItem, ProgressNote, DemoVillage):
    tracked(_model)
