"""Fund receipts and projects: the core ledger both offices are assessed on.

Money is Decimal yuan with two places. Status transitions, disbursements and
health rules are added by the funds module; procurement, the importer and the
assessment read these models.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _, pgettext_lazy

from lib.money import wan as _wan


def wan(amount):
    """万元 exact to the fen, so a refusal over one fen does not read 100万元 > 100万元."""
    return _wan(amount, places=6)
from xiezuo.assets.rules import check_handover
from xiezuo.audit.tracking import tracked
from xiezuo.front.forms import AS_READ, check_version
from xiezuo.pairings.owned import PairingOwned, RepeatNumbered, ScopedModel

MONEY = {"max_digits": 16, "decimal_places": 2}


class ProjectCategory(models.Model):
    """An editable code list of project categories (大类)."""

    # Changes are national settings: every auditor reads them (audit.views).
    audit_national = True

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("项目类别")
        verbose_name_plural = _("项目类别")

    def __str__(self):
        return self.name

    def audit_pairing_id(self):
        return None


class FundReceiptQuerySet(models.QuerySet):
    def for_years(self, years):
        return self.filter(year__in=years)

    def of_kind(self, kind):
        """Receipts of one kind, or of a group the figures add up
        (FundReceipt.GROUPS: the receipts behind a dashboard card)."""
        kinds = FundReceipt.GROUPS.get(kind)
        return self.filter(kind__in=kinds) if kinds else self.filter(kind=kind)


class FundReceipt(RepeatNumbered, PairingOwned):
    FISCAL, SOCIAL, PAIRING, IN_KIND = "fiscal", "social", "pairing", "in_kind"
    KINDS = [
        (FISCAL, _("财政援助资金")),
        (SOCIAL, _("社会帮扶资金")),
        (PAIRING, _("结对帮扶资金")),
        (IN_KIND, _("捐物折款")),
    ]

    # The level of government that paid (省/市/县区/乡镇街道): fiscal funds are
    # reported by level, so a township street's money is not mistaken for the
    # district's.
    PROVINCE, CITY, COUNTY, TOWNSHIP = "province", "city", "county", "township"
    LEVELS = [
        (PROVINCE, _("省级")),
        (CITY, _("市级")),
        (COUNTY, _("县（区）级")),
        (TOWNSHIP, _("乡镇（街道）级")),
    ]
    # Region level → payer level (a village's money is counted with its township).
    REGION_LEVELS = {"province": PROVINCE, "city": CITY, "county": COUNTY, "township": TOWNSHIP,
                     "village": TOWNSHIP}

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="fund_receipts")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("资金类型"), max_length=10, choices=KINDS)
    payer = models.ForeignKey("pairings.Organisation", verbose_name=_("拨付单位"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    payer_level = models.CharField(_("拨付单位层级"), max_length=10, choices=LEVELS, blank=True,
                                   help_text=_("留空时按拨付单位所在区划的层级确定；未填拨付单位时按结对关系东部一方的层级确定"))
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    date = models.DateField(_("到位日期"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    # Without a 文号, receipts of one kind, day and amount are told apart by
    # their place among those (RepeatNumbered).
    repeat_optional = "doc_number"
    repeat_key = ("pairing_id", "date", "kind", "amount")

    objects = FundReceiptQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("资金到位")
        verbose_name_plural = _("资金到位")
        indexes = [models.Index(fields=["pairing", "year"])]
        # The funds ledger's natural key: with a 文号, date + kind + 文号;
        # without one (two receipts of one day are ordinary), date + kind +
        # amount + the receipt's place among those identical ones.
        constraints = [models.UniqueConstraint(fields=["pairing", "date", "kind", "doc_number"],
                                               condition=~Q(doc_number=""),
                                               name="fund_receipt_unique_natural_key",
                                               violation_error_message=_("已有相同到位日期、资金类型和文号的资金到位记录")),
                       models.UniqueConstraint(fields=["pairing", "date", "kind", "amount", "repeat_no"],
                                               condition=Q(doc_number=""), name="fund_receipt_unique_repeat",
                                               violation_error_message=_("已有相同到位日期、资金类型、金额和序号的无文号资金到位记录"))]

    def __str__(self):
        return f"{self.year}年{self.get_kind_display()} {self.doc_number}".strip()

    @classmethod
    def level_for(cls, payer_region_level=None, east_region_level=None):
        """Return the payer level a receipt gets when none is given: that of
        the region the payer is registered in, else that of the pairing's
        eastern party (a township pair's receipt without a payer was paid by
        the street)."""
        return (cls.REGION_LEVELS.get(payer_region_level or "")
                or cls.REGION_LEVELS.get(east_region_level or "") or cls.COUNTY)

    def inferred_payer_level(self):
        payer_level = self.payer.region.level if self.payer_id else None
        east_level = self.pairing.east_region.level if self.pairing_id else None
        return self.level_for(payer_level, east_level)

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("金额应大于0")
        if self.year and not (2000 <= self.year <= 2100):
            errors["year"] = _("年度应在2000至2100之间")
        if self.payer_level and self.payer_level not in dict(self.LEVELS):
            errors["payer_level"] = _("拨付单位层级“%(payer_level)s”无效") % {"payer_level": self.payer_level}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if not self.payer_level:
            self.payer_level = self.inferred_payer_level()
        # Lowering or moving a receipt may leave the pairing-year's projects
        # with more cooperation funds than were received: checked under the
        # pairing lock, like every allocation change.
        with transaction.atomic():
            old = None
            if self.pk:
                old = FundReceipt.objects.filter(pk=self.pk).values_list("pairing_id", "year", "amount", "kind").first()
            lock_pairings({self.pairing_id, *([old[0]] if old else [])})
            super().save(*args, **kwargs)
            if old and old != (self.pairing_id, self.year, self.amount, self.kind):
                check_allocation(old[0], old[1])

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            pairing_id, year = self.pairing_id, self.year
            lock_pairings({pairing_id})
            result = super().delete(*args, **kwargs)
            check_allocation(pairing_id, year)
            return result


class ProjectQuerySet(models.QuerySet):
    def for_detail(self):
        """Return the projects with what a project page or answer shows beside them."""
        return self.select_related("pairing", "category", "township", "village", "implementing_unit", "sub_pairing")

    def for_years(self, years):
        return self.filter(year__in=years)

    def active(self):
        return self.exclude(status=Project.TERMINATED)

    def counted(self):
        """Projects that count as projects in the figures: approved (立项) and
        not terminated. Reserve projects are the project pool, not projects."""
        return self.filter(status__in=Project.ALLOCATING)

    def started(self):
        """Projects under way or done (实施 or later, not terminated): those
        whose 脱贫人口 beneficiaries count as led out of poverty."""
        return self.filter(status__in=Project.STARTED)

    def for_unit(self, scope, pairing):
        return self.filter(implementing_unit_id__in=scope.unit_orgs(pairing))

    def in_subtree(self, pairing):
        return self.filter(pairing__path__startswith=pairing.path)

    def filter_by(self, year=None, category=None, status=None, township=None, q=None):
        """Apply the list filters shared by the project page and the API;
        empty values mean "all". `category` is a code or an id."""
        qs = self
        if year:
            qs = qs.filter(year=int(year))
        if category:
            qs = qs.filter(category_id=int(category)) if str(category).isdigit() else qs.filter(category__code=category)
        if status:
            qs = qs.filter(status=status)
        if township:
            qs = qs.filter(township_id=int(township))
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
        return qs

    SORTS = {"code": ("code",), "name": ("name",), "year": ("year", "code"), "funds": ("coop_funds", "code"),
             "status": ("status", "code"), "updated": ("updated_at",)}

    def sorted_by(self, key):
        """Sort by a whitelisted key; "-key" reverses; unknown keys keep the default."""
        desc = key.startswith("-") if key else False
        fields = self.SORTS.get((key or "").lstrip("-"))
        if not fields:
            return self.order_by("-year", "code")
        return self.order_by(*[("-" + f) if desc else f for f in fields])


class Project(PairingOwned):
    unit_path = "implementing_unit"
    RESERVE, APPROVED, PROCUREMENT, IMPLEMENTING, COMPLETED, ACCEPTED, HANDED_OVER, TERMINATED = (
        "reserve", "approved", "procurement", "implementing", "completed", "accepted", "handed_over", "terminated")
    STATUSES = [
        (RESERVE, _("储备")),
        (APPROVED, _("立项")),
        (PROCUREMENT, _("招标采购")),
        (IMPLEMENTING, _("实施")),
        (COMPLETED, _("完工")),
        (ACCEPTED, _("验收")),
        (HANDED_OVER, _("资产移交")),
        (TERMINATED, _("终止")),
    ]
    # Statuses at or after which a project counts as started / completed.
    STARTED = {IMPLEMENTING, COMPLETED, ACCEPTED, HANDED_OVER}
    FINISHED = {COMPLETED, ACCEPTED, HANDED_OVER}
    # Statuses whose cooperation funds are committed to the project.
    ALLOCATING = {APPROVED, PROCUREMENT, IMPLEMENTING, COMPLETED, ACCEPTED, HANDED_OVER}
    # The one forward step from each status; 终止 is reachable from any
    # status that is not final.
    NEXT = {RESERVE: APPROVED, APPROVED: PROCUREMENT, PROCUREMENT: IMPLEMENTING, IMPLEMENTING: COMPLETED,
            COMPLETED: ACCEPTED, ACCEPTED: HANDED_OVER}
    FINAL = {HANDED_OVER, TERMINATED}
    # Who may take a step: the west office plans, approves, accepts and
    # terminates; an implementing unit reports the start and finish of its
    # own projects. The east office confirms money, not project steps.
    STEP_PERMS = {
        APPROVED: {"west"}, PROCUREMENT: {"west"}, IMPLEMENTING: {"west", "unit"}, COMPLETED: {"west", "unit"},
        ACCEPTED: {"west"}, HANDED_OVER: {"west"}, TERMINATED: {"west"},
    }

    LINKAGES = [("wage", _("工资性")), ("asset", _("资产性")), ("business", _("经营性"))]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="projects")
    code = models.CharField(_("项目编号"), max_length=50)
    name = models.CharField(_("项目名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.ForeignKey(ProjectCategory, verbose_name=_("项目类别"), on_delete=models.PROTECT,
                                 related_name="projects")
    township = models.ForeignKey("pairings.Region", verbose_name=_("实施乡镇"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("pairings.Region", verbose_name=_("实施村"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    implementing_unit = models.ForeignKey("pairings.Organisation", verbose_name=_("实施单位"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="projects")
    sub_pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("所属下级结对"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    coop_funds = models.DecimalField(_("协作资金（元）"), default=Decimal("0"), **MONEY)
    other_funds = models.DecimalField(_("其他资金（元）"), default=Decimal("0"), **MONEY)
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_finish = models.DateField(_("计划完工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    actual_finish = models.DateField(_("实际完工"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=STATUSES, default=RESERVE)
    terminated_reason = models.CharField(_("终止原因"), max_length=500, blank=True)
    linkage = models.CharField(_("联农带农方式"), max_length=50, blank=True,
                               help_text=_("工资性/资产性/经营性，可多选，以逗号分隔的代码"))
    linkage_note = models.TextField(_("联农带农说明"), blank=True)
    description = models.TextField(_("建设内容"), blank=True)
    # The project library entry the project comes from: only a project with
    # a listed (入库) entry may be approved (立项), see `transition`.
    library_entry = models.OneToOneField("library.LibraryEntry", verbose_name=_("项目库条目"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="project")
    updated_at = models.DateTimeField(_("最近更新"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        constraints = [
            models.UniqueConstraint("pairing", "code", name="project_unique_code",
                                    violation_error_message=_("该结对下已有相同编号的项目")),
        ]
        indexes = [models.Index(fields=["pairing", "year", "status"])]

    def __str__(self):
        return self.name

    @property
    def total_funds(self):
        return (self.coop_funds or 0) + (self.other_funds or 0)

    def linkage_codes(self):
        return [c for c in self.linkage.split(",") if c]

    def linkage_display(self):
        names = dict(self.LINKAGES)
        return "、".join(str(names.get(c, c)) for c in self.linkage_codes())

    @property
    def place(self):
        return " ".join(str(r.name) for r in (self.township, self.village) if r)

    def allocation(self, disbursed=None):
        """Return the cooperation funds this project takes from its pairing-year."""
        if self.status in self.ALLOCATING:
            return self.coop_funds or Decimal("0")
        if self.status == self.TERMINATED:
            # A terminated project keeps what was already paid out; the rest
            # goes back to the pairing-year.
            return self.confirmed_disbursed() if disbursed is None else disbursed
        return Decimal("0")

    def confirmed_disbursed(self):
        return self.disbursements.filter(status=Disbursement.CONFIRMED).aggregate(
            s=Sum("amount"))["s"] or Decimal("0")

    # -- permissions ---------------------------------------------------------

    def is_own_unit(self, scope):
        return bool(self.implementing_unit_id) and self.implementing_unit_id in scope.unit_orgs(self.pairing_id)

    def can_update_progress(self, scope):
        """Offices update any project; an implementing unit only its own."""
        return scope.has(self.pairing_id, "write") or (scope.has(self.pairing_id, "unit") and self.is_own_unit(scope))

    def may_step(self, scope, to):
        perms = self.STEP_PERMS.get(to, set())
        if any(p != "unit" and scope.has(self.pairing_id, p) for p in perms):
            return True
        return "unit" in perms and scope.has(self.pairing_id, "unit") and self.is_own_unit(scope)

    def disbursement_refusal(self):
        """Why no money may be paid to the project now, or None. The pages
        offer 提交拨付 only when there is none, and submitting checks again."""
        if self.status == self.TERMINATED:
            return gettext("项目已终止，不能拨付资金")
        if self.status == self.RESERVE:
            return gettext("储备项目尚未立项，不能拨付资金")
        return None

    def next_steps(self):
        if self.status in self.FINAL:
            return []
        return [self.NEXT[self.status], self.TERMINATED] if self.status in self.NEXT else [self.TERMINATED]

    def allowed_steps(self, scope):
        """Return the statuses this user may move the project to now."""
        return [s for s in self.next_steps() if self.may_step(scope, s)]

    # -- life cycle ----------------------------------------------------------

    def transition(self, user, to, date=None, reason="", loaded_version=AS_READ):
        """Move the project one step along its life cycle and log who and when.

        `loaded_version` is the version the person acting looked at (pages
        and the API pass it); the step is refused if the project has changed
        since. Raises ValidationError (illegal step, bad date, missing reason,
        stale or missing version: code "conflict"), PermissionDenied (role
        may not take this step) or Http404.
        """
        from xiezuo.accounts.scope import scope_for

        scope = scope_for(user)
        scope.require(self.pairing_id, "read")
        labels = dict(self.STATUSES)
        date = date or timezone.localdate()
        reason = (reason or "").strip()
        with transaction.atomic():
            current = Project.objects.select_for_update().get(pk=self.pk)
            lock_pairings({current.pairing_id})
            if current.status != self.status:
                raise ValidationError(_("项目状态已被他人改为“%(value)s”，请刷新后再操作") % {"value": labels[current.status]})
            check_version(current, loaded_version, self)
            if to not in labels:
                raise ValidationError({"status": _("状态“%(to)s”无效") % {"to": to}})
            if to not in current.next_steps():
                raise ValidationError({"status": _("项目当前为“%(value)s”，不能变更为“%(value2)s”") % {"value": labels[current.status], "value2": labels[to]}})
            if not current.may_step(scope, to):
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied(_("您的角色无权将项目变更为“%(value)s”") % {"value": labels[to]})
            if date > timezone.localdate():
                raise ValidationError({"date": _("变更日期不能晚于今天")})
            last = current.status_changes.order_by("-date", "-pk").first()
            if last and date < last.date:
                raise ValidationError({"date": _("变更日期不能早于上一步（%(to_status)s）的日期") % {"to_status": last.get_to_status_display()}})
            if to == self.APPROVED:
                current.check_library_entry()
            from xiezuo.notices.rules import check_notices  # notices import funds: imported here

            check_notices(current, to, date)  # notices: each stage's notice has run its period
            check_handover(current, to)  # assets: a project is handed over with its registered assets
            if to == self.TERMINATED:
                if not reason:
                    raise ValidationError({"reason": _("终止项目须填写终止原因")})
                current.terminated_reason = reason
            if to == self.IMPLEMENTING and not current.actual_start:
                current.actual_start = date
            if to == self.COMPLETED and not current.actual_finish:
                current.actual_finish = date
            from_status = current.status
            current.status = to
            current.version += 1
            current.full_clean()
            current.save()
            ProjectStatusChange.objects.create(project=current, from_status=from_status, to_status=to, date=date,
                                               user=user if getattr(user, "pk", None) else None, reason=reason)
        for field in ("status", "terminated_reason", "actual_start", "actual_finish", "version", "updated_at"):
            setattr(self, field, getattr(current, field))
        return self

    def check_library_entry(self):
        """Refuse approval (立项) of a project without a listed library entry
        of its own pairing tree: only library projects enter a yearly plan
        (国乡振发〔2021〕3号, as applied by counties)."""
        from xiezuo.library.models import LibraryEntry

        entry = LibraryEntry.objects.select_related("pairing").filter(pk=self.library_entry_id).first()
        if entry is None:
            raise ValidationError({"library_entry": gettext("只有已入库的项目才能立项：请先在项目库中完成村申报、乡审核、"
                                                            "县审定并入库，再在项目中选择该项目库条目")})
        if entry.stage != LibraryEntry.LISTED:
            raise ValidationError({"library_entry": gettext("所选项目库条目当前为“%(stage)s”，只有已入库的条目才能立项")
                                    % {"stage": entry.get_stage_display()}})
        if not self.pairing.path.startswith(entry.pairing.path) and not entry.pairing.path.startswith(
                self.pairing.path):
            raise ValidationError({"library_entry": gettext("所选项目库条目不属于本结对")})

    def save(self, *args, **kwargs):
        """Save under the pairing and project locks and refuse a change that
        would break an invariant: confirmed disbursements above the project's
        cooperation funds, or a pairing-year allocated above its receipts."""
        with transaction.atomic():
            # Lock order everywhere: project row, then pairing rows (the
            # edit form has already locked the project for its version check).
            old = Project.objects.select_for_update().filter(pk=self.pk).first() if self.pk else None
            lock_pairings({self.pairing_id, old.pairing_id if old else None})
            disbursed = old.confirmed_disbursed() if old else Decimal("0")
            if self.coop_funds is not None and disbursed > self.coop_funds:
                raise ValidationError({"coop_funds": _("协作资金不能低于已确认拨付的金额%(wan)s") % {"wan": wan(disbursed)}})
            super().save(*args, **kwargs)
            self.allocation_warning = None
            new_alloc = self.allocation(disbursed)
            if old is None:
                grows = new_alloc > 0
            else:
                moved = (old.pairing_id, old.year) != (self.pairing_id, self.year)
                grows = moved or new_alloc > old.allocation(disbursed)
            if grows:
                self.allocation_warning = check_allocation(self.pairing_id, self.year)

    def touch(self):
        """Mark the project as updated (progress reported through its outputs,
        beneficiaries or attachments), for the "no update" health rule."""
        Project.save(self, update_fields=["updated_at"])

    def clean(self):
        errors = {}
        for field in ("coop_funds", "other_funds"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = _("资金不能为负数")
        valid = {c for c, _ in self.LINKAGES}
        bad = [c for c in self.linkage_codes() if c not in valid]
        if bad:
            errors["linkage"] = _("联农带农方式“%(value)s”无效，应为工资性、资产性或经营性") % {"value": bad[0]}
        if self.planned_start and self.planned_finish and self.planned_finish < self.planned_start:
            errors["planned_finish"] = _("计划完工日期不能早于计划开工日期")
        if self.actual_start and self.actual_finish and self.actual_finish < self.actual_start:
            errors["actual_finish"] = _("实际完工日期不能早于实际开工日期")
        if self.status == self.TERMINATED and not self.terminated_reason.strip():
            errors["terminated_reason"] = _("终止项目须填写终止原因")
        if errors:
            raise ValidationError(errors)


class ProjectBeneficiary(ScopedModel):
    """Beneficiaries of one kind (脱贫人口, 在校学生 …) and their count."""

    scope_path = "project__pairing"
    unit_path = "project__implementing_unit"

    KINDS = [
        ("poverty", _("脱贫人口")),
        ("monitored", _("监测对象")),
        ("students", _("在校学生")),
        ("children", _("在园幼儿")),
        ("schools", _("受益学校")),
        ("kindergartens", _("受益幼儿园")),
        ("patients", _("就诊群众")),
        ("farmers", _("农户")),
        ("other", _("其他")),
    ]
    # The unit a count of each kind is in: people, places, households, visits.
    PERSONS, PLACES = pgettext_lazy("unit of measure", "人"), pgettext_lazy("unit of measure", "所")
    UNITS = {"poverty": PERSONS, "monitored": PERSONS, "students": PERSONS, "children": PERSONS, "schools": PLACES,
             "kindergartens": PLACES, "patients": pgettext_lazy("unit of measure", "人次"),
             "farmers": pgettext_lazy("unit of measure", "户"), "other": pgettext_lazy("unit of measure", "个")}

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiaries")
    kind = models.CharField(_("受益对象"), max_length=20, choices=KINDS)
    count = models.PositiveIntegerField(_("人数/个数"))

    class Meta:
        constraints = [models.UniqueConstraint("project", "kind", name="beneficiary_unique_kind",
                                               violation_error_message=_("同一项目的受益对象类型不能重复"))]

    @property
    def unit(self):
        return self.UNITS.get(self.kind, self.UNITS["other"])


class ProjectOutput(ScopedModel):
    """A physical output: 围墙 180 米."""

    scope_path = "project__pairing"
    unit_path = "project__implementing_unit"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    name = models.CharField(_("产出内容"), max_length=100)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=2)
    unit = models.CharField(pgettext_lazy("unit of measure", "单位"), max_length=20)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    def __str__(self):
        return f"{self.name} {format(self.quantity.normalize(), 'f')} {self.unit}"


class ProjectStatusChange(ScopedModel):
    """One step of a project's life cycle: when, by whom and why."""

    scope_path = "project__pairing"
    unit_path = "project__implementing_unit"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=12, choices=Project.STATUSES)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Project.STATUSES)
    date = models.DateField(_("日期"))
    at = models.DateTimeField(_("记录时间"), default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("项目状态变更")
        verbose_name_plural = _("项目状态变更")

    def __str__(self):
        return f"{self.project} {self.get_from_status_display()}→{self.get_to_status_display()}"


class DisbursementQuerySet(models.QuerySet):
    def for_detail(self):
        return self.select_related("project", "submitted_by", "decided_by")

    def confirmed(self):
        return self.filter(status=Disbursement.CONFIRMED)


class Disbursement(RepeatNumbered, ScopedModel):
    """A payment out of a project's cooperation funds (拨付).

    The west office submits it, the east office confirms or returns it; the
    two steps are taken by two different users. Only confirmed disbursements
    count as disbursed.
    """

    scope_path = "project__pairing"
    unit_path = "project__implementing_unit"

    SUBMITTED, CONFIRMED, RETURNED = "submitted", "confirmed", "returned"
    STATUSES = [(SUBMITTED, _("待确认")), (CONFIRMED, _("已确认")), (RETURNED, _("已退回"))]

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="disbursements")
    date = models.DateField(_("拨付日期"))
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    voucher_number = models.CharField(_("凭证号"), max_length=100, blank=True)
    purpose = models.CharField(_("用途"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=STATUSES, default=SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认/退回人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("确认/退回时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    # Without a 凭证号, payments of one project on one day for one amount are
    # told apart by their place among those (RepeatNumbered).
    repeat_optional = "voucher_number"
    repeat_key = ("project_id", "date", "amount")

    objects = DisbursementQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("资金拨付")
        verbose_name_plural = _("资金拨付")
        indexes = [models.Index(fields=["project", "status"])]
        # The disbursements ledger's natural key where a 凭证号 is given.
        # Without one, two payments of one project on one day are ordinary
        # (two instalments typed on the form before the voucher is booked):
        # they are told apart by amount and their place among identical ones.
        # A returned disbursement keeps its row and is resubmitted, never
        # entered again.
        constraints = [models.UniqueConstraint(fields=["project", "date", "voucher_number"],
                                               condition=~Q(voucher_number=""),
                                               name="disbursement_unique_natural_key",
                                               violation_error_message=_("该项目已有相同拨付日期和凭证号的拨付记录")),
                       models.UniqueConstraint(fields=["project", "date", "amount", "repeat_no"],
                                               condition=Q(voucher_number=""), name="disbursement_unique_repeat",
                                               violation_error_message=_("该项目已有相同拨付日期、金额和序号的无凭证号拨付记录"))]

    def __str__(self):
        return f"{self.project} 拨付{wan(self.amount)}"

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("拨付金额应大于0")
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("拨付日期不能晚于今天")
        if not (self.purpose or "").strip():
            errors["purpose"] = _("请填写资金用途")
        if errors:
            raise ValidationError(errors)

    @property
    def pairing_id(self):
        return self.project.pairing_id

    def _check_project_accepts(self, project):
        if refusal := project.disbursement_refusal():
            raise ValidationError(refusal)
        others = project.disbursements.confirmed().exclude(pk=self.pk)
        confirmed = others.aggregate(s=Sum("amount"))["s"] or Decimal("0")
        if confirmed + self.amount > project.coop_funds:
            raise ValidationError({"amount": (
                _("拨付后累计确认拨付%(wan)s，超过项目协作资金%(wan2)s（已确认%(wan3)s，最多还可拨付%(wan4)s）") % {"wan": wan(confirmed + self.amount), "wan2": wan(project.coop_funds), "wan3": wan(confirmed), "wan4": wan(max(project.coop_funds - confirmed, 0))})})

    def submit(self, user):
        """Submit (or resubmit after a return) as the west office."""
        from xiezuo.accounts.scope import scope_for

        scope_for(user).require(self.project.pairing_id, "west")
        with transaction.atomic():
            project = Project.objects.select_for_update().get(pk=self.project_id)
            if self.pk:
                current = Disbursement.objects.select_for_update().get(pk=self.pk)
                if current.status == self.CONFIRMED:
                    raise ValidationError(_("该拨付已确认，不能修改"))
                if current.version != self.version:
                    raise ValidationError(_("此记录已被他人修改，本次未保存。请刷新后重新提交。"), code="conflict")
                self.version += 1
            self.full_clean()
            self._check_project_accepts(project)
            self.status, self.submitted_by, self.submitted_at = self.SUBMITTED, user, timezone.now()
            self.decided_by, self.decided_at, self.return_reason = None, None, ""
            self.save()
            record_workflow(self, "提交拨付")
        return self

    def _decide(self, user, perm, loaded_version):
        from xiezuo.accounts.scope import scope_for

        scope_for(user).require(self.project.pairing_id, perm)
        project = Project.objects.select_for_update().get(pk=self.project_id)
        current = Disbursement.objects.select_for_update().get(pk=self.pk)
        if current.status != self.SUBMITTED:
            raise ValidationError(_("该拨付当前为“%(status)s”，不能再确认或退回") % {"status": current.get_status_display()})
        # Still submitted is not enough: the west office may have changed the
        # amount and submitted again since the page was opened.
        check_version(current, loaded_version, self)
        if current.submitted_by_id and current.submitted_by_id == user.pk:
            raise ValidationError(_("提交与确认须由两名不同的人员完成：您提交的拨付不能由您本人确认或退回"))
        return project, current

    def confirm(self, user, loaded_version=AS_READ):
        """Confirm as the east office the version `loaded_version` that was
        shown; the project's row lock makes the funds check hold against
        concurrent confirmations."""
        with transaction.atomic():
            project, current = self._decide(user, "east", loaded_version)
            current._check_project_accepts(project)
            current.status, current.decided_by, current.decided_at = self.CONFIRMED, user, timezone.now()
            current.version += 1
            current.save()
            record_workflow(current, "确认拨付")
        self.__dict__.update({k: getattr(current, k) for k in ("status", "decided_by_id", "decided_at", "version")})
        return self

    def send_back(self, user, reason, loaded_version=AS_READ):
        """Return to the west office with a reason, as the east office, the
        version `loaded_version` that was shown."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"return_reason": _("退回须填写原因")})
        with transaction.atomic():
            _decided, current = self._decide(user, "east", loaded_version)
            current.status, current.decided_by, current.decided_at = self.RETURNED, user, timezone.now()
            current.return_reason = reason[:500]
            current.version += 1
            current.save()
            record_workflow(current, f"退回拨付：{reason}")
        self.__dict__.update({k: getattr(current, k)
                              for k in ("status", "decided_by_id", "decided_at", "return_reason", "version")})
        return self


def attachment_path(instance, filename):
    return f"projects/{instance.project_id}/{timezone.now():%Y%m}/{filename}"


class ProjectAttachment(ScopedModel):
    scope_path = "project__pairing"
    unit_path = "project__implementing_unit"
    PHOTO, DOCUMENT = "photo", "document"
    KINDS = [(PHOTO, _("照片")), (DOCUMENT, _("文件"))]

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类型"), max_length=10, choices=KINDS)
    title = models.CharField(_("说明"), max_length=200)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("项目附件")
        verbose_name_plural = _("项目附件")

    def __str__(self):
        return self.title


class HealthRule(models.Model):
    """Parameters of one project health rule, editable by an administrator."""

    # Changes are national settings: every auditor reads them (audit.views).
    audit_national = True

    NO_DISBURSEMENT, OVERDUE, STALE, AFTER_ACCEPTANCE, NO_ASSET = (
        "no_disbursement", "overdue_finish", "no_update", "disbursed_after_acceptance", "handed_over_without_asset")
    CODES = [
        (NO_DISBURSEMENT, _("开工N天后仍无资金拨付")),
        (OVERDUE, _("超过计划完工日期N天仍未完工")),
        (STALE, _("N天未更新进展")),
        (AFTER_ACCEPTANCE, _("验收N天后仍有拨付")),
        (NO_ASSET, _("资产移交N天后仍未登记资产")),
    ]
    SEVERITIES = [("info", _("提示")), ("warning", _("警告")), ("danger", _("严重"))]

    code = models.CharField(_("规则"), max_length=40, choices=CODES, unique=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=SEVERITIES, default="warning")
    days = models.PositiveIntegerField(_("N（天）"))
    enabled = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("项目健康规则")
        verbose_name_plural = _("项目健康规则")

    def __str__(self):
        days = self.days or ""
        return str(self.get_code_display()).replace("N天", f"{days}天" if days else "").replace(
            "N days", f"{days} days" if days else "days")

    def audit_pairing_id(self):
        return None


# -- invariants shared by receipts, projects and disbursements ---------------

CASH_KINDS = [FundReceipt.FISCAL, FundReceipt.SOCIAL, FundReceipt.PAIRING]
# Groups of kinds the figures add up, by figure key; the receipt list
# filters by them (`?kind=social_received`) so a card's ledger lists its rows.
FundReceipt.GROUPS = {
    "fiscal_received": [FundReceipt.FISCAL],
    "social_received": [FundReceipt.SOCIAL, FundReceipt.PAIRING, FundReceipt.IN_KIND],
    "received_cash": CASH_KINDS,
}
FundReceipt.GROUP_LABELS = [
    ("social_received", _("社会帮扶资金（含结对帮扶资金、捐物折款）")),
    ("received_cash", _("到位资金（不含捐物折款）")),
]


def lock_pairings(pairing_ids):
    """Lock the pairing rows: every change to a pairing-year's allocation or
    receipts is serialised. Callers lock a project row before its pairing,
    never after, and pairings go in id order, so two writers never deadlock."""
    from xiezuo.pairings.models import Pairing

    ids = sorted(i for i in pairing_ids if i)
    list(Pairing.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def allocated_and_received(pairing_id, year):
    """Return (allocated, received) cooperation funds of one pairing-year.

    Received counts cash only (财政援助、社会帮扶、结对帮扶): goods donated
    (捐物折款) cannot be allocated to a project's cooperation funds.
    """
    projects = Project.objects.filter(pairing_id=pairing_id, year=year)
    allocated = projects.filter(status__in=Project.ALLOCATING).aggregate(s=Sum("coop_funds"))["s"] or Decimal("0")
    allocated += Disbursement.objects.confirmed().filter(
        project__in=projects.filter(status=Project.TERMINATED)).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    received = FundReceipt.objects.filter(pairing_id=pairing_id, year=year, kind__in=CASH_KINDS).aggregate(
        s=Sum("amount"))["s"] or Decimal("0")
    return allocated, received


def check_allocation(pairing_id, year):
    """Refuse (or, with carried-over funds allowed, warn about) a pairing-year
    whose projects hold more cooperation funds than it received. Call it
    under `lock_pairings`. Returns the warning text or None."""
    allocated, received = allocated_and_received(pairing_id, year)
    if allocated <= received:
        return None
    figures = {"year": year, "allocated": wan(allocated), "received": wan(received),
               "over": wan(allocated - received)}
    if getattr(settings, "XIEZUO_FUNDS_ALLOW_CARRYOVER", False):
        return gettext("%(year)s年已安排到项目的协作资金%(allocated)s，超过该年度到位资金%(received)s（超出%(over)s）。"
                       "已按允许使用结转资金的设置保存，请核实结转资金来源。") % figures
    raise ValidationError({"coop_funds": gettext(
        "%(year)s年已安排到项目的协作资金%(allocated)s，超过该年度到位资金%(received)s（超出%(over)s）。"
        "请先登记资金到位，或调减项目协作资金。") % figures})


def record_workflow(disbursement, summary):
    from xiezuo.audit.models import record, snapshot

    record("workflow", model=disbursement._meta.label, object_id=disbursement.pk,
           pairing_id=disbursement.project.pairing_id, summary=f"{summary}：{disbursement}",
           after=snapshot(disbursement))


for _model in (ProjectCategory, FundReceipt, Project, ProjectBeneficiary, ProjectOutput, ProjectStatusChange,
               Disbursement, ProjectAttachment, HealthRule):
    tracked(_model)
