"""Regions, organisations, pairings and yearly agreements."""

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from lib.ids import normalize_uscc
from xiezuo.audit.tracking import tracked
from .owned import ScopedModel


class TreeQuerySet(models.QuerySet):
    def subtree_of(self, nodes):
        """Return the nodes and all their descendants (materialised paths)."""
        paths = [n.path for n in nodes]
        if not paths:
            return self.none()
        q = Q()
        for p in paths:
            q |= Q(path__startswith=p)
        return self.filter(q)


class PathTree(models.Model):
    """A node that stores its ancestry as "/1/5/9/" so a subtree is one
    prefix query instead of a recursive walk."""

    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        abstract = True

    def _wanted_path(self):
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.pk}/"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            wanted = self._wanted_path()
            if wanted != self.path:
                old = self.path
                type(self).objects.filter(pk=self.pk).update(path=wanted)
                self.path = wanted
                if old:
                    # Moving a node moves its descendants with it.
                    for child in type(self).objects.filter(path__startswith=old).exclude(pk=self.pk):
                        child.path = wanted + child.path[len(old):]
                        type(self).objects.filter(pk=child.pk).update(path=child.path)

    def ancestors(self):
        ids = [int(x) for x in self.path.strip("/").split("/") if x][:-1]
        by_id = type(self).objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def is_within(self, other):
        return self.path.startswith(other.path)


class Region(PathTree):
    LEVELS = [
        ("province", _("省")),
        ("city", _("市")),
        ("county", _("县")),
        ("township", _("乡镇")),
        ("village", _("村")),
    ]

    code = models.CharField(_("区划代码"), max_length=12, null=True, blank=True, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    full_name = models.CharField(_("全称"), max_length=200, blank=True)
    level = models.CharField(_("级别"), max_length=10, choices=LEVELS)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # One of the 832 脱贫县 (the former 贫困县): products from it count towards
    # budget units' 832 reserved share. Loaded with the code list by
    # `manage.py load_regions` (the is_832 column); counties only.
    is_832 = models.BooleanField(_("脱贫县（832）"), default=False)

    objects = TreeQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self):
        return self.full_name or self.name

    def clean(self):
        if self.is_832 and self.level != "county":
            raise ValidationError({"is_832": _("只有县级区划可以标记为脱贫县（832）")})

    def county(self):
        """Return the county this region lies in (itself for a county), or
        None above county level."""
        if self.level == "county":
            return self
        if self.level not in ("township", "village"):
            return None
        return next((r for r in self.ancestors() if r.level == "county"), None)

    @classmethod
    def within_832(cls, region_ids):
        """Return the ids among `region_ids` that lie in a 832 脱贫县 (two queries)."""
        paths = dict(cls.objects.filter(pk__in=[i for i in region_ids if i]).values_list("pk", "path"))
        on_path = {pk: [int(x) for x in path.strip("/").split("/") if x] for pk, path in paths.items()}
        flagged = set(cls.objects.filter(pk__in={a for ids in on_path.values() for a in ids}, is_832=True)
                      .values_list("pk", flat=True))
        return {pk for pk, ids in on_path.items() if flagged.intersection(ids)}

    def gb2260(self):
        return (self.code or "")[:6]

    def make_full_name(self):
        # Offices name a county with its city (南京市六合区) and a township with
        # its county (湟源县大华镇); provinces and cities stand alone.
        if self.level in ("county", "township", "village") and self.parent:
            return self.parent.name + self.name
        return self.name

    def audit_region_path(self):
        return self.path


class Organisation(models.Model):
    KINDS = [
        ("gov", _("党政机关")),
        ("public", _("事业单位")),
        ("school", _("学校")),
        ("hospital", _("医院")),
        ("soe", _("国有企业")),
        ("enterprise", _("企业")),
        ("coop", _("合作社")),
        ("farm", _("家庭农场")),
        ("social", _("社会组织")),
        ("association", _("行业协会")),
        ("union", _("工会")),
        ("other", _("其他")),
    ]

    name = models.CharField(_("单位名称"), max_length=200)
    kind = models.CharField(_("单位类型"), max_length=16, choices=KINDS)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="organisations")
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, null=True, blank=True, unique=True,
                            error_messages={"unique": _("该统一社会信用代码已被其他单位使用")})
    legal_rep = models.CharField(_("法定代表人"), max_length=50, blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint("name", "region", name="org_unique_name_region",
                                    violation_error_message=_("该区划下已有同名单位")),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.uscc:
            try:
                self.uscc = normalize_uscc(self.uscc)
            except ValueError as e:
                raise ValidationError({"uscc": str(e)}) from None
        else:
            self.uscc = None

    def audit_pairing_id(self):
        return None


class PairingQuerySet(TreeQuerySet):
    def roots(self):
        return self.filter(parent__isnull=True)

    def formed_by(self, year):
        """Pairings formed by the end of `year` (an undated one counts in
        every year): the stock the coverage and village-pair figures count."""
        return self.filter(Q(since__isnull=True) | Q(since__lt=datetime.date(year + 1, 1, 1)))


class Pairing(PathTree):
    # 企业、社会组织结对帮扶村: the levels whose villages the paired-villages figure counts.
    VILLAGE_PAIR_LEVELS = ("enterprise_village", "social_village")
    LEVELS = [
        ("province", _("省-省")),
        ("city", _("市-市")),
        ("county", _("县-县")),
        ("township", _("镇-镇")),
        ("village", _("村-村")),
        ("enterprise_village", _("企-村")),
        ("school", _("校-校")),
        ("hospital", _("院-院")),
        ("social_village", _("社会组织-村")),
        ("park", _("园区-园区")),
        ("other", _("其他")),
    ]

    name = models.CharField(_("结对名称"), max_length=200, blank=True,
                            help_text=_("留空时按双方名称自动生成"))
    level = models.CharField(_("结对层级"), max_length=20, choices=LEVELS)
    east_region = models.ForeignKey(Region, verbose_name=_("东部区划"), on_delete=models.PROTECT, related_name="+")
    west_region = models.ForeignKey(Region, verbose_name=_("西部区划"), on_delete=models.PROTECT, related_name="+")
    east_org = models.ForeignKey(Organisation, verbose_name=_("东部单位"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    west_org = models.ForeignKey(Organisation, verbose_name=_("西部单位"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", verbose_name=_("上级结对"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    since = models.DateField(_("结对时间"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    disclosure_enabled = models.BooleanField(_("公开公示"), default=True)
    # The year every page of the pairing opens on (the year being assessed),
    # set by the offices; sub-pairings without one take their parent's.
    working_year = models.PositiveSmallIntegerField(
        _("当前工作年度"), null=True, blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("各页面、导出和看板默认打开的年度；留空时取上级结对的设置，再取最近有数据的年度"))
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("结对关系")
        verbose_name_plural = _("结对关系")
        constraints = [
            models.UniqueConstraint(
                "level", "east_region", "west_region",
                Coalesce("east_org", 0), Coalesce("west_org", 0),
                name="pairing_unique_parties",
                violation_error_message=_("相同双方、相同层级的结对关系已存在，不能重复创建"),
            ),
        ]

    def __str__(self):
        return self.name or self.default_name()

    @property
    def east_name(self):
        return str(self.east_org or self.east_region)

    @property
    def west_name(self):
        return str(self.west_org or self.west_region)

    def default_name(self):
        return f"{self.east_name}—{self.west_name}"

    def audit_pairing_id(self):
        return self.pk

    def clean(self):
        errors = {}
        if self.parent_id and self.pk and self.parent.path.startswith(self.path or "\0"):
            errors["parent"] = _("上级结对不能是本结对或其下级")
        if self.east_region_id and self.west_region_id and self.east_region_id == self.west_region_id:
            errors["west_region"] = _("东西部双方不能是同一区划")
        if self.parent_id and self.east_region_id and self.west_region_id:
            # A sub-pairing hangs inside its parent: its parties lie within the
            # parent's regions, or the roll-up would count foreign records.
            if not self.east_region.is_within(self.parent.east_region):
                errors["east_region"] = _("下级结对的东部区划应位于%(east_region)s之内") % {"east_region": self.parent.east_region}
            if not self.west_region.is_within(self.parent.west_region):
                errors["west_region"] = _("下级结对的西部区划应位于%(west_region)s之内") % {"west_region": self.parent.west_region}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if not self.name:
            self.name = self.default_name()
        super().save(*args, **kwargs)

    def subtree(self):
        return Pairing.objects.filter(path__startswith=self.path)

    def default_year(self):
        """Return the year the pairing's pages open on: its working year (or
        the nearest ancestor's), else the latest year with an agreement, a
        project or a fund receipt (up to this year), else this year."""
        if self.working_year:
            return self.working_year
        for ancestor in reversed(self.ancestors()):
            if ancestor.working_year:
                return ancestor.working_year
        this_year = timezone.localdate().year
        latest = [self.agreements.filter(year__lte=this_year).aggregate(y=Max("year"))["y"]]
        for model, path in (("funds.Project", "pairing__path__startswith"),
                            ("funds.FundReceipt", "pairing__path__startswith")):
            try:
                rows = apps.get_model(model).objects.filter(**{path: self.path}, year__lte=this_year)
            except LookupError:
                continue
            latest.append(rows.aggregate(y=Max("year"))["y"])
        return max((y for y in latest if y), default=this_year)


class PairingDocument(ScopedModel):
    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("文件名称"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    file = models.FileField(_("附件"), upload_to="pairing-docs/%Y/", blank=True)

    class Meta:
        ordering = ["-signed_on", "pk"]

    def __str__(self):
        return self.title


class Agreement(ScopedModel):
    pairing = models.ForeignKey(Pairing, verbose_name=_("结对关系"), on_delete=models.CASCADE, related_name="agreements")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("协议名称"), max_length=200)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    note = models.TextField(_("主要内容"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("年度协议")
        verbose_name_plural = _("年度协议")
        constraints = [
            models.UniqueConstraint("pairing", "year", name="agreement_unique_year",
                                    violation_error_message=_("该结对本年度已有协议")),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.year and not (2000 <= self.year <= 2100):
            raise ValidationError({"year": _("年度应在2000至2100之间")})


class AgreementTarget(ScopedModel):
    scope_path = "agreement__pairing"
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("指标代码"), max_length=50)
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=2)
    unit = models.CharField(pgettext_lazy("unit of measure", "单位"), max_length=20, blank=True)

    class Meta:
        ordering = ["indicator"]
        constraints = [
            models.UniqueConstraint("agreement", "indicator", name="target_unique_indicator",
                                    violation_error_message=_("同一协议中该指标已有目标值")),
        ]

    def __str__(self):
        return f"{self.indicator}={self.value}"


for _model in (Organisation, Pairing, PairingDocument, Agreement, AgreementTarget):
    tracked(_model)
