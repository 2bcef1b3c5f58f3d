"""Fund receipts and projects: the core ledger both offices are assessed on.

Money is Decimal yuan with two places. Status transitions, disbursements and
health rules are added by the funds module; procurement, the importer and the
assessment read these models.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from xiezuo.audit.tracking import tracked

MONEY = {"max_digits": 16, "decimal_places": 2}


class ProjectCategory(models.Model):
    """An editable code list of project categories (大类)."""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "项目类别"
        verbose_name_plural = "项目类别"

    def __str__(self):
        return self.name

    def audit_pairing_id(self):
        return None


class FundReceiptQuerySet(models.QuerySet):
    def for_years(self, years):
        return self.filter(year__in=years)


class FundReceipt(models.Model):
    FISCAL, SOCIAL, PAIRING, IN_KIND = "fiscal", "social", "pairing", "in_kind"
    KINDS = [
        (FISCAL, "财政援助资金"),
        (SOCIAL, "社会帮扶资金"),
        (PAIRING, "结对帮扶资金"),
        (IN_KIND, "捐物折款"),
    ]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name="结对关系", on_delete=models.PROTECT,
                                related_name="fund_receipts")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("资金类型", max_length=10, choices=KINDS)
    payer = models.ForeignKey("pairings.Organisation", verbose_name="拨付单位", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    doc_number = models.CharField("文号", max_length=100, blank=True)
    date = models.DateField("到位日期")
    amount = models.DecimalField("金额（元）", **MONEY)
    note = models.CharField("备注", max_length=500, blank=True)
    is_demo = models.BooleanField("示例数据", default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = FundReceiptQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = "资金到位"
        verbose_name_plural = "资金到位"
        indexes = [models.Index(fields=["pairing", "year"])]

    def __str__(self):
        return f"{self.year}年{self.get_kind_display()} {self.doc_number}".strip()

    def clean(self):
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = "金额应大于0"
        if self.year and not (2000 <= self.year <= 2100):
            errors["year"] = "年度应在2000至2100之间"
        if errors:
            raise ValidationError(errors)


class ProjectQuerySet(models.QuerySet):
    def for_years(self, years):
        return self.filter(year__in=years)

    def active(self):
        return self.exclude(status=Project.TERMINATED)


class Project(models.Model):
    RESERVE, APPROVED, PROCUREMENT, IMPLEMENTING, COMPLETED, ACCEPTED, HANDED_OVER, TERMINATED = (
        "reserve", "approved", "procurement", "implementing", "completed", "accepted", "handed_over", "terminated")
    STATUSES = [
        (RESERVE, "储备"),
        (APPROVED, "立项"),
        (PROCUREMENT, "招标采购"),
        (IMPLEMENTING, "实施"),
        (COMPLETED, "完工"),
        (ACCEPTED, "验收"),
        (HANDED_OVER, "资产移交"),
        (TERMINATED, "终止"),
    ]
    # Statuses at or after which a project counts as started / completed.
    STARTED = {IMPLEMENTING, COMPLETED, ACCEPTED, HANDED_OVER}
    FINISHED = {COMPLETED, ACCEPTED, HANDED_OVER}

    LINKAGES = [("wage", "工资性"), ("asset", "资产性"), ("business", "经营性")]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name="结对关系", on_delete=models.PROTECT,
                                related_name="projects")
    code = models.CharField("项目编号", max_length=50)
    name = models.CharField("项目名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    category = models.ForeignKey(ProjectCategory, verbose_name="项目类别", on_delete=models.PROTECT,
                                 related_name="projects")
    township = models.ForeignKey("pairings.Region", verbose_name="实施乡镇", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("pairings.Region", verbose_name="实施村", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    implementing_unit = models.ForeignKey("pairings.Organisation", verbose_name="实施单位", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="projects")
    sub_pairing = models.ForeignKey("pairings.Pairing", verbose_name="所属下级结对", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    coop_funds = models.DecimalField("协作资金（元）", default=Decimal("0"), **MONEY)
    other_funds = models.DecimalField("其他资金（元）", default=Decimal("0"), **MONEY)
    planned_start = models.DateField("计划开工", null=True, blank=True)
    planned_finish = models.DateField("计划完工", null=True, blank=True)
    actual_start = models.DateField("实际开工", null=True, blank=True)
    actual_finish = models.DateField("实际完工", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=STATUSES, default=RESERVE)
    terminated_reason = models.CharField("终止原因", max_length=500, blank=True)
    linkage = models.CharField("联农带农方式", max_length=50, blank=True,
                               help_text="工资性/资产性/经营性，可多选，以逗号分隔的代码")
    linkage_note = models.TextField("联农带农说明", blank=True)
    description = models.TextField("建设内容", blank=True)
    is_demo = models.BooleanField("示例数据", default=False)
    updated_at = models.DateTimeField("最近更新", auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = "项目"
        verbose_name_plural = "项目"
        constraints = [
            models.UniqueConstraint("pairing", "code", name="project_unique_code",
                                    violation_error_message="该结对下已有相同编号的项目"),
        ]
        indexes = [models.Index(fields=["pairing", "year", "status"])]

    def __str__(self):
        return self.name

    @property
    def total_funds(self):
        return (self.coop_funds or 0) + (self.other_funds or 0)

    def linkage_codes(self):
        return [c for c in self.linkage.split(",") if c]

    def clean(self):
        errors = {}
        for field in ("coop_funds", "other_funds"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = "资金不能为负数"
        valid = {c for c, _ in self.LINKAGES}
        bad = [c for c in self.linkage_codes() if c not in valid]
        if bad:
            errors["linkage"] = f"联农带农方式“{bad[0]}”无效，应为工资性、资产性或经营性"
        if self.planned_start and self.planned_finish and self.planned_finish < self.planned_start:
            errors["planned_finish"] = "计划完工日期不能早于计划开工日期"
        if self.actual_start and self.actual_finish and self.actual_finish < self.actual_start:
            errors["actual_finish"] = "实际完工日期不能早于实际开工日期"
        if self.status == self.TERMINATED and not self.terminated_reason.strip():
            errors["terminated_reason"] = "终止项目须填写终止原因"
        if errors:
            raise ValidationError(errors)


class ProjectBeneficiary(models.Model):
    """Beneficiaries of one kind (脱贫人口, 在校学生 …) and their count."""

    KINDS = [
        ("poverty", "脱贫人口"),
        ("monitored", "监测对象"),
        ("students", "在校学生"),
        ("children", "在园幼儿"),
        ("schools", "受益学校"),
        ("kindergartens", "受益幼儿园"),
        ("patients", "就诊群众"),
        ("farmers", "农户"),
        ("other", "其他"),
    ]

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiaries")
    kind = models.CharField("受益对象", max_length=20, choices=KINDS)
    count = models.PositiveIntegerField("人数/个数")

    class Meta:
        constraints = [models.UniqueConstraint("project", "kind", name="beneficiary_unique_kind",
                                               violation_error_message="同一项目的受益对象类型不能重复")]

    def audit_pairing_id(self):
        return self.project.pairing_id


class ProjectOutput(models.Model):
    """A physical output: 围墙 180 米."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="outputs")
    name = models.CharField("产出内容", max_length=100)
    quantity = models.DecimalField("数量", max_digits=14, decimal_places=2)
    unit = models.CharField("单位", max_length=20)
    note = models.CharField("说明", max_length=300, blank=True)

    def __str__(self):
        return f"{self.name} {self.quantity.normalize()} {self.unit}"

    def audit_pairing_id(self):
        return self.project.pairing_id


for _model in (ProjectCategory, FundReceipt, Project, ProjectBeneficiary, ProjectOutput):
    tracked(_model)
