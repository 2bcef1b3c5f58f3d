"""Labour cooperation (劳务协作) and talent exchange (人才交流).

People carry personal data: their 身份证号 and phone are stored only as
ciphertext (`lib.pii`) with a keyed hash for lookups and a masked copy for
display. The plain values exist in memory only while being entered, revealed
to a permitted role (an audited action) or exported (also audited).
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy as _

from lib import pii
from lib.ids import id_birth_date, id_gender, mask_id_number, mask_phone, normalize_id_number
from xiezuo.audit.tracking import tracked
from xiezuo.pairings.owned import PairingOwned, ScopedModel

MONEY = {"max_digits": 16, "decimal_places": 2}


def tree_root_id(pairing):
    """Return the id of the top pairing of a pairing's tree ("/3/8/" → 3)."""
    return int(pairing.path.strip("/").split("/")[0])


# Stable employment counts cumulative working days: a month is 30 days, so
# "3 months" is 90 days of work in the year (docs/modules/rules.md, Labour).
DAYS_PER_MONTH = 30


def counted_span(start, end, year, today=None):
    """Return (first, last), the days of `year` on which a spell [start, end]
    counts as worked, or None. A day counts once it has come (today
    included): an open end runs to today, and an end in the future is cut
    at today too."""
    today = today or timezone.localdate()
    last = min(end or today, today)
    lo, hi = max(start, datetime.date(year, 1, 1)), min(last, datetime.date(year, 12, 31))
    return (lo, hi) if lo <= hi else None


def days_in_year(spells, year, today=None):
    """Return the cumulative working days of one person in `year`: the days
    of the union of their spells [(start, end), …] falling in the year, both
    ends included, so overlapping spells count a day once."""
    spans = sorted(s for s in (counted_span(start, end, year, today) for start, end in spells) if s)
    total, lo, hi = 0, None, None
    for first, last in spans:
        if hi is not None and first <= hi + datetime.timedelta(days=1):
            hi = max(hi, last)
            continue
        if hi is not None:
            total += (hi - lo).days + 1
        lo, hi = first, last
    if hi is not None:
        total += (hi - lo).days + 1
    return total


class LabourSettings(models.Model):
    """The editable thresholds of the module that hold for every year (one
    row, edited by administrators). The rules of stable employment and of
    其中脱贫劳动力 change with the year's texts: `LabourYearRule`."""

    # Changes are national settings: every auditor reads them (audit.views).
    audit_national = True

    long_term_months = models.PositiveSmallIntegerField(
        _("长期人才交流月数"), default=6, help_text=_("交流期满该月数（按整月计，如5月8日至8月7日为3个月）即为长期，否则为短期"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("劳务协作设置")
        verbose_name_plural = _("劳务协作设置")

    def __str__(self):
        return "劳务协作设置"

    @classmethod
    def current(cls):
        """Return the settings row, or the defaults when none was saved yet
        (reading never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def clean(self):
        errors = {}
        for field in ("long_term_months",):
            value = getattr(self, field)
            if value is not None and not 1 <= value <= 12:
                errors[field] = _("月数应在1至12之间")
        if errors:
            raise ValidationError(errors)

    def audit_pairing_id(self):
        return None


class LabourYearRule(models.Model):
    """How one year's employment is counted (one row per year, edited by
    administrators; a year without a row uses the defaults).

    - Stable employment (稳定就业): cumulative working days in the year of at
      least `stable_months` × 30. No East–West text defines it; 3 months of
      cumulative work is the provincial practice (docs/modules/rules.md).
    - 其中脱贫劳动力: since 2021 the texts write "脱贫人口（含防止返贫监测对象）";
      `poverty_includes_monitored` counts 监测对象 in it (default on).
    """

    # Changes are national settings: every auditor reads them (audit.views).
    audit_national = True

    DEFAULT_STABLE_MONTHS = 3

    year = models.PositiveSmallIntegerField(_("年度"), unique=True,
                                            error_messages={"unique": _("该年度的统计口径已存在")})
    stable_months = models.PositiveSmallIntegerField(
        _("稳定就业月数"), default=DEFAULT_STABLE_MONTHS,
        help_text=lazy(lambda: _("当年累计务工天数达到“月数×%(DAYS_PER_MONTH)s天”即计为稳定就业（多段务工合并计算，重叠天数只计一次）") % {"DAYS_PER_MONTH": DAYS_PER_MONTH}, str)())
    poverty_includes_monitored = models.BooleanField(
        _("脱贫劳动力含防止返贫监测对象"), default=True,
        help_text=_("勾选时“其中脱贫劳动力”包括监测对象（2021年起的文件口径：脱贫人口（含防止返贫监测对象））"))
    note = models.CharField(_("口径依据"), max_length=300, blank=True, help_text=_("如所依据的文件名称、文号"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度就业统计口径")
        verbose_name_plural = _("年度就业统计口径")

    def __str__(self):
        return f"{self.year}年就业统计口径"

    @property
    def stable_days(self):
        return self.stable_months * DAYS_PER_MONTH

    @classmethod
    def for_years(cls, years):
        """Return {year: rule} for the years, unsaved defaults where no row
        was saved (one query; reading never writes)."""
        saved = {r.year: r for r in cls.objects.filter(year__in=list(years))}
        return {y: saved.get(y) or cls(year=y) for y in years}

    @classmethod
    def for_year(cls, year):
        return cls.for_years([year])[year]

    def clean(self):
        errors = {}
        if self.year is not None and not 2000 <= self.year <= 2100:
            errors["year"] = _("年度应在2000至2100之间")
        if self.stable_months is not None and not 1 <= self.stable_months <= 12:
            errors["stable_months"] = _("月数应在1至12之间")
        if errors:
            raise ValidationError(errors)

    def audit_pairing_id(self):
        return None


class PersonQuerySet(models.QuerySet):
    def in_tree_of(self, pairing):
        return self.filter(tree_root_id=tree_root_id(pairing))

    def with_id_number(self, raw, pairing):
        """Find the person of a 身份证号 in a pairing's tree through the keyed hash
        (raises ValueError for an invalid number)."""
        digest = pii.search_hash(normalize_id_number(raw), Person.PII_ID)
        return self.in_tree_of(pairing).filter(id_number_hash=digest)


class Person(PairingOwned):
    """A trainee, worker or exchanged staff member.

    Rural labourers have a 身份证号 (validated, unique within a pairing tree);
    cadres and experts in a talent exchange may be recorded by name and unit
    only.
    """

    PII_ID, PII_PHONE = "id_number", "phone"
    POVERTY, MONITORED, GENERAL = "poverty", "monitored", "general"
    HOUSEHOLDS = [(POVERTY, _("脱贫户")), (MONITORED, _("监测对象")), (GENERAL, _("一般农户"))]
    GENDERS = [("男", _("男")), ("女", _("女"))]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="labour_people")
    # The top pairing of the tree: a person is one record per cooperation tree,
    # so the county roll-up never counts one human twice.
    tree_root = models.ForeignKey("pairings.Pairing", on_delete=models.PROTECT, related_name="+", editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    id_number_enc = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    gender = models.CharField(_("性别"), max_length=1, choices=GENDERS, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    household_type = models.CharField(_("户类型"), max_length=10, choices=HOUSEHOLDS, blank=True)
    township = models.ForeignKey("pairings.Region", verbose_name=_("乡镇"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("pairings.Region", verbose_name=_("村"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("pairings.Organisation", verbose_name=_("工作单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+",
                             help_text=_("挂职干部、专业技术人才的所在单位"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("示例/测试数据"), default=False)

    objects = PersonQuerySet.as_manager()
    # The ciphertext is left out of the audit trail; the keyed hash and the
    # masked value show that (and when) a number changed without showing it.
    audit_exclude = ("id_number_enc", "phone_enc")
    # The birth date is kept as its decade: next to the masked number a full
    # date would let an auditor rebuild the number (see lib.pii, "What is
    # shown"). The masked number is masked again so that events written
    # with the older, longer prefix are shown with today's rule too.
    audit_masks = {"birth_date": pii.birth_decade, "id_number_masked": mask_id_number}

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.UniqueConstraint("tree_root", "id_number_hash", name="labour_person_unique_id_number",
                                    violation_error_message=_("该身份证号已登记，不能重复登记同一人")),
        ]
        indexes = [models.Index(fields=["pairing", "name"])]

    def __str__(self):
        return self.name

    @property
    def birth_decade(self):
        """The decade of birth ("1990年代"): what every page shows instead of the date."""
        return pii.birth_decade(self.birth_date)

    def label(self):
        """Return the name with the masked number, for choices and lists."""
        return f"{self.name}（{self.id_number_masked}）" if self.id_number_masked else self.name

    # --- personal data -------------------------------------------------------
    def set_id_number(self, raw):
        """Validate, encrypt and index a 身份证号; derive gender and birth date.
        An empty value clears it. Raises ValueError with a Chinese message."""
        if not str(raw or "").strip():
            self.id_number_enc, self.id_number_hash, self.id_number_masked = "", None, ""
            return
        number = normalize_id_number(raw)
        self.id_number_enc = pii.encrypt(number, self.PII_ID)
        self.id_number_hash = pii.search_hash(number, self.PII_ID)
        self.id_number_masked = mask_id_number(number)
        self.gender = id_gender(number)
        self.birth_date = id_birth_date(number)

    def set_phone(self, raw):
        if not str(raw or "").strip():
            self.phone_enc, self.phone_hash, self.phone_masked = "", None, ""
            return
        phone = pii.normalize_phone(raw)
        self.phone_enc = pii.encrypt(phone, self.PII_PHONE)
        self.phone_hash = pii.search_hash(phone, self.PII_PHONE)
        self.phone_masked = mask_phone(phone)

    def reveal_id_number(self):
        """Return the plain 身份证号. Callers must have checked the "pii"
        permission and record a view_pii or export_pii event."""
        return pii.decrypt(self.id_number_enc, self.PII_ID)

    def reveal_phone(self):
        return pii.decrypt(self.phone_enc, self.PII_PHONE)

    def duplicate(self):
        """Return the other person of this tree with the same 身份证号, if any."""
        if not self.id_number_hash or not self.pairing_id:
            return None
        qs = Person.objects.filter(tree_root_id=tree_root_id(self.pairing), id_number_hash=self.id_number_hash)
        return qs.exclude(pk=self.pk).select_related("pairing").first()

    def duplicate_message(self, scope):
        """Return the Chinese message for a duplicate 身份证号, naming the existing
        person when the user may see them, or None when there is none."""
        other = self.duplicate()
        if other is None:
            return None
        if scope.has(other.pairing_id):
            return gettext("身份证号与已登记人员“%(name)s”（%(id)s，%(pairing)s）重复，不能重复登记同一人") % {
                "name": other.name, "id": other.id_number_masked, "pairing": other.pairing}
        return gettext("该身份证号已由本结对体系中的其他结对登记，不能重复登记；请联系对方协作办")

    # --- rules ---------------------------------------------------------------
    def clean(self):
        errors = {}
        if self.township_id and self.township.level != "township":
            errors["township"] = _("所选区划不是乡镇")
        if self.village_id:
            if self.village.level != "village":
                errors["village"] = _("所选区划不是村")
            elif self.township_id and self.village.parent_id != self.township_id:
                errors["village"] = _("%(name)s不属于%(name2)s") % {"name": self.village.name, "name2": self.township.name}
        if self.pairing_id and self.township_id:
            west = self.pairing.west_region
            east = self.pairing.east_region
            if not (self.township.is_within(west) or self.township.is_within(east)):
                errors["township"] = _("乡镇应位于%(west)s或%(east)s之内") % {"west": west, "east": east}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.pairing_id:
            self.tree_root_id = tree_root_id(self.pairing)
        super().save(*args, **kwargs)


def _same_tree(pairing, other_pairing):
    return tree_root_id(pairing) == tree_root_id(other_pairing)


class TrainingClassQuerySet(models.QuerySet):
    def started_in(self, years):
        return self.filter(start__year__in=list(years))


class TrainingClass(PairingOwned):
    SKILL, STARTUP, BRAND, OTHER = "skill", "startup", "brand", "other"
    KINDS = [(SKILL, _("职业技能")), (STARTUP, _("创业")), (BRAND, _("劳务品牌")), ("leader", _("致富带头人")), (OTHER, _("其他"))]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="training_classes")
    name = models.CharField(_("培训班名称"), max_length=200)
    trade = models.CharField(_("工种"), max_length=100, blank=True)
    kind = models.CharField(_("培训类型"), max_length=10, choices=KINDS, default=SKILL)
    # Who is trained: the statistics count 劳动技能培训 of rural workers apart
    # from the training of 党政干部 and of 专业技术人才 (人次 each).
    LABOUR, CADRE, PROFESSIONAL = "labour", "cadre", "professional"
    AUDIENCES = [(LABOUR, _("农村劳动力")), (CADRE, _("党政干部")), (PROFESSIONAL, _("专业技术人才"))]
    audience = models.CharField(_("培训对象"), max_length=12, choices=AUDIENCES, default=LABOUR)
    start = models.DateField(_("开班日期"))
    end = models.DateField(_("结业日期"))
    days = models.PositiveSmallIntegerField(_("培训天数"))
    place = models.CharField(_("培训地点"), max_length=200, blank=True)
    organiser = models.ForeignKey("pairings.Organisation", verbose_name=_("举办单位"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("funds.Project", verbose_name=_("资金来源项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="training_classes")
    note = models.CharField(_("备注"), max_length=500, blank=True)

    objects = TrainingClassQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "pk"]
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        indexes = [models.Index(fields=["pairing", "start"])]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.start and self.end:
            if self.end < self.start:
                errors["end"] = _("结业日期不能早于开班日期")
            elif self.days is not None and self.days > (self.end - self.start).days + 1:
                errors["days"] = _("培训天数不能超过开班至结业的天数（%(value)s天）") % {"value": (self.end - self.start).days + 1}
        if self.days == 0:
            errors["days"] = _("培训天数应大于0")
        if self.project_id and self.pairing_id and not _same_tree(self.pairing, self.project.pairing):
            errors["project"] = _("资金来源项目不属于本结对")
        if errors:
            raise ValidationError(errors)


class Trainee(ScopedModel):
    """One person on one class's roster (one 人次)."""

    scope_path = "training_class__pairing"

    training_class = models.ForeignKey(TrainingClass, verbose_name=_("培训班"), on_delete=models.CASCADE,
                                       related_name="trainees")
    person = models.ForeignKey(Person, verbose_name=_("学员"), on_delete=models.PROTECT, related_name="trainings")
    certificate = models.BooleanField(_("取得证书"), default=False)
    certificate_name = models.CharField(_("证书名称"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["person__name", "pk"]
        verbose_name = _("学员")
        verbose_name_plural = _("学员")
        constraints = [
            models.UniqueConstraint("training_class", "person", name="labour_trainee_unique",
                                    violation_error_message=_("该学员已在本培训班名单中")),
        ]

    def __str__(self):
        return f"{self.training_class} · {self.person}"

    def clean(self):
        if self.certificate_name and not self.certificate:
            raise ValidationError({"certificate": _("填写了证书名称，请同时勾选“取得证书”")})
        if self.person_id and self.training_class_id and not _same_tree(self.training_class.pairing,
                                                                          self.person.pairing):
            raise ValidationError({"person": _("该人员不属于本结对")})


class EmploymentQuerySet(models.QuerySet):
    def overlapping(self, first, last):
        """Jobs with at least one day in [first, last] (an open end is ongoing)."""
        return self.filter(start__lte=last).filter(Q(end__isnull=True) | Q(end__gte=first))

    def in_years(self, years):
        return self.overlapping(datetime.date(min(years), 1, 1), datetime.date(max(years), 12, 31))

    def employed_in(self, years, today=None):
        """Jobs that can make a person employed in the years (帮助农村劳动力
        就业): a day in the years, and begun by today (a day counts once it
        has come). The figure and the employment list both read this."""
        return self.in_years(years).filter(start__lte=today or timezone.localdate())


def _short(name, suffixes):
    """江苏省 → 江苏, 南京市 → 南京: the name as places are often written."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def paired_province_names(pairing):
    """Return the names by which a place in the pairing's paired (eastern)
    province is written: the province, its cities and counties, each in full
    and short (江苏省/江苏, 南京市/南京, 六合区/六合). Townships are left out:
    names such as 城关镇 recur in every province."""
    from xiezuo.pairings.models import Region

    east = pairing.east_region
    ids = [int(x) for x in east.path.strip("/").split("/") if x]
    nodes = Region.objects.in_bulk(ids)
    province = next((nodes[i] for i in ids if i in nodes and nodes[i].level == "province"), east)
    names = set()
    for name, level in Region.objects.filter(path__startswith=province.path,
                                             level__in=["province", "city", "county"]).values_list("name", "level"):
        names.add(name)
        names.add(_short(name, ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市") if level == "province"
                         else ("自治州", "地区", "市", "区", "县")))
    return names


def in_named_place(place, names):
    """True when a free-text place (务工地点) names one of `names`."""
    place = (place or "").replace(" ", "")
    return bool(place) and any(name in place for name in names)


class Employment(PairingOwned):
    """One person's one job (one employment spell).

    Destinations are the report's categories (中国青年报 2020-07-08: 省外 /
    省内县外 / 县内; 苏陕协作 2021 report: 赴对口省份): the paired province
    (the pairing's eastern province), another province, elsewhere in the
    home province, or the home county.
    """

    PAIRED, OTHER_PROVINCE, IN_PROVINCE, IN_COUNTY = "paired_province", "other_province", "in_province", "in_county"
    DESTINATIONS = [(PAIRED, _("赴对口省份")), (OTHER_PROVINCE, _("省外其他地区")), (IN_PROVINCE, _("省内县外")),
                    (IN_COUNTY, _("县内"))]
    # The code of the old "到东部/江苏", still read from old ledgers: the place
    # decides between the paired province and another province.
    LEGACY_EAST = "east"
    FORMS = [
        ("enterprise", _("企业务工")),
        ("workshop", _("帮扶车间")),
        ("public_post", _("公益性岗位")),
        ("self", _("自主创业")),
        ("flexible", _("灵活就业")),
    ]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="employments")
    person = models.ForeignKey(Person, verbose_name=_("务工人员"), on_delete=models.PROTECT, related_name="jobs")
    destination = models.CharField(_("就业去向"), max_length=20, choices=DESTINATIONS,
                                   help_text=_("赴对口省份：到结对的东部省份务工；省外其他地区：到其他省份；"
                                             "省内县外：本省其他市县；县内：本县（含就地就近）"))
    form = models.CharField(_("就业形式"), max_length=12, choices=FORMS)
    employer = models.CharField(_("用工单位"), max_length=200, blank=True)
    place = models.CharField(_("务工地点"), max_length=200, blank=True)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("仍在岗的留空"))
    monthly_income = models.DecimalField(_("月收入（元）"), null=True, blank=True, **MONEY)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "pk"]
        verbose_name = _("就业")
        verbose_name_plural = _("就业")
        indexes = [models.Index(fields=["pairing", "start"])]
        # The employment ledger's natural key: one person's job starting on one
        # day. The person is unique within a pairing tree, so the key needs no
        # pairing.
        constraints = [models.UniqueConstraint(fields=["person", "start"],
                                               name="employment_unique_natural_key",
                                               violation_error_message=_("该人员已有同一开始日期的就业记录"))]

    def __str__(self):
        return f"{self.person} · {self.employer or self.get_form_display()}"

    @classmethod
    def legacy_east_destination(cls, place, names):
        """Decide the old "到东部/江苏": the paired province when the place is
        in it (`paired_province_names`), another province otherwise."""
        return cls.PAIRED if in_named_place(place, names) else cls.OTHER_PROVINCE

    def clean(self):
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("结束日期不能早于开始日期")
        if self.monthly_income is not None and self.monthly_income < 0:
            errors["monthly_income"] = _("月收入不能为负数")
        if self.person_id and self.pairing_id and not _same_tree(self.pairing, self.person.pairing):
            errors["person"] = _("该人员不属于本结对")
        if errors:
            raise ValidationError(errors)


class TalentExchangeQuerySet(models.QuerySet):
    def started_in(self, years):
        """Stays that began in the years (当年新到岗)."""
        return self.filter(start__year__in=list(years))

    def in_post_in(self, years, today=None):
        """Stays in post on at least one day of the years (在岗): the recorded
        period overlaps them; an open end runs to today (or to the start, for
        one that has not begun yet). See `TalentExchange.in_post_between`."""
        today = today or timezone.localdate()
        first, last = datetime.date(min(years), 1, 1), datetime.date(max(years), 12, 31)
        # An open end stops at max(today, start): on or after `first` when
        # today is, or else when the stay starts on or after it.
        open_end = Q(end__isnull=True) if today >= first else Q(end__isnull=True, start__gte=first)
        return self.filter(start__lte=last).filter(Q(end__gte=first) | open_end)

    def sanzhi(self):
        return self.filter(kind__in=TalentExchange.SANZHI)


class TalentExchange(PairingOwned):
    """One person's one stay (one 人次) in the other side."""

    # A hospital or school sees the experts posted to it and the staff it sent.
    unit_path = ("receiving_unit", "sending_unit")

    CADRE, TEACHER, DOCTOR, AGRI, OTHER = "cadre", "teacher", "doctor", "agri", "other"
    KINDS = [
        (CADRE, _("党政挂职干部")),
        (TEACHER, _("支教")),
        (DOCTOR, _("支医")),
        (AGRI, _("支农")),
        (OTHER, _("其他专业技术人才")),
    ]
    SANZHI = (TEACHER, DOCTOR, AGRI)  # 三支
    PROFESSIONAL = (TEACHER, DOCTOR, AGRI, OTHER)  # 专业技术人才
    E2W, W2E = "e2w", "w2e"
    DIRECTIONS = [(E2W, _("东→西")), (W2E, _("西→东"))]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="talent_exchanges")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="exchanges")
    kind = models.CharField(_("类别"), max_length=10, choices=KINDS)
    direction = models.CharField(_("方向"), max_length=3, choices=DIRECTIONS)
    sending_unit = models.ForeignKey("pairings.Organisation", verbose_name=_("派出单位"), on_delete=models.PROTECT,
                                     related_name="+")
    receiving_unit = models.ForeignKey("pairings.Organisation", verbose_name=_("接收单位"), on_delete=models.PROTECT,
                                       related_name="+")
    batch = models.CharField(_("批次"), max_length=50, blank=True, help_text=_("如“2017年第1批”"))
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("尚未结束的留空"))
    post = models.CharField(_("挂职/工作岗位"), max_length=200, blank=True)
    specialty = models.CharField(_("专业方向"), max_length=50, blank=True, help_text=_("如行政管理、医疗、护理"))
    note = models.CharField(_("工作内容"), max_length=500, blank=True)

    objects = TalentExchangeQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "pk"]
        verbose_name = _("人才交流")
        verbose_name_plural = _("人才交流")
        indexes = [models.Index(fields=["pairing", "start"])]
        # The talent ledger's natural key: one person's one stay of one kind
        # starting on one day. The ledger finds the person by 身份证号 or name;
        # either way the row points at one person, which the key uses.
        constraints = [models.UniqueConstraint(fields=["person", "kind", "start"],
                                               name="talent_exchange_unique_natural_key",
                                               violation_error_message=_("该人员已有同一类别、同一开始日期的人才交流记录"))]

    def __str__(self):
        return f"{self.person} · {self.get_kind_display()} · {self.get_direction_display()}"

    @property
    def is_sanzhi(self):
        return self.kind in self.SANZHI

    @staticmethod
    def in_post_between(start, end, first, last, today=None):
        """True when a stay [start, end] is in post on a day of [first, last].
        The recorded period counts, planned days included (a two-year
        posting is in post in each of its years); an open end runs to today,
        or to the start for a stay that has not begun."""
        stop = end or max(today or timezone.localdate(), start)
        return start <= last and stop >= first

    def in_post_in(self, year, today=None):
        return self.in_post_between(self.start, self.end, datetime.date(year, 1, 1), datetime.date(year, 12, 31), today)

    def months(self, today=None):
        """Return the whole months of the stay (an open end runs to today)."""
        return whole_months(self.start, self.end or today or timezone.localdate())

    def is_long_term(self, threshold, today=None):
        return self.months(today) >= threshold

    def clean(self):
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("结束日期不能早于开始日期")
        if self.sending_unit_id and self.sending_unit_id == self.receiving_unit_id:
            errors["receiving_unit"] = _("接收单位不能与派出单位相同")
        if self.person_id and self.pairing_id and not _same_tree(self.pairing, self.person.pairing):
            errors["person"] = _("该人员不属于本结对")
        if errors:
            raise ValidationError(errors)


def add_months(day, months):
    """Return the same day `months` later, clipped to the month's end (31 Jan + 1 = 28 Feb)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months(start, end):
    """Return how many whole months a stay from start to end (both included)
    lasts: 8 May–7 Aug is 3, 8 May–6 Aug is 2."""
    if end < start:
        return 0
    stop = end + datetime.timedelta(days=1)
    months = (stop.year - start.year) * 12 + stop.month - start.month
    while months > 0 and add_months(start, months) > stop:
        months -= 1
    return months


for _model in (LabourSettings, LabourYearRule, Person, TrainingClass, Trainee, Employment, TalentExchange):
    tracked(_model)
