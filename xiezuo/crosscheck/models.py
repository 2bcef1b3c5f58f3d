"""The vocabulary that ties the words of a text to the ledgers' figures.

A `Term` says: a number with one of these measure words (`units`), near one
of these words (`words`) — and, when `context` is set, in a sentence that
also holds one of the context words — claims the figure at `path` of the
figures registry (`funds.fiscal_received`, `labour.trainees`, …). National
rows (no pairing) are seeded by a data migration; an office adds rows of its
own for its pairing, which count for it and the pairings below it. Rows are
data, audited like every ledger change (@tracked).
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy as _, gettext_noop

from xiezuo.assessment import computations
from xiezuo.assessment.computations import AMOUNT, COUNT, RATE
from xiezuo.audit.tracking import tracked
from xiezuo.pairings.owned import ScopedModel

# Figures a term may name beyond the indicator computations: breakdowns the
# figures sections carry that no indicator reads. (path, label, kind)
EXTRA_PATHS = [
    ("funds.beneficiaries.schools", gettext_noop("受益学校"), COUNT),
    ("funds.beneficiaries.kindergartens", gettext_noop("受益幼儿园"), COUNT),
    ("funds.beneficiaries.poverty", gettext_noop("受益脱贫人口"), COUNT),
    ("talent.by_kind.teacher", gettext_noop("支教人才人次"), COUNT),
    ("talent.by_kind.doctor", gettext_noop("支医人才人次"), COUNT),
    ("talent.by_kind.agri", gettext_noop("支农人才人次"), COUNT),
    ("labour.certified", gettext_noop("培训后取得证书人数"), COUNT),
    ("industry.enterprise_jobs", gettext_noop("落地企业吸纳就业"), COUNT),
    ("exchanges.agreed_items", gettext_noop("商定合作事项"), COUNT),
]
AMOUNT_UNIT = "元"
MONEY_UNITS = {"元", "万元", "亿元"}  # units matched in Chinese texts
# Kinds of figure as the vocabulary page names them.
KIND_NAMES = {AMOUNT: _("金额（元、万元、亿元）"), COUNT: _("数量"), RATE: _("比率（%）")}
SPLIT = re.compile(r"[,，、;；\s]+")


def figure_paths():
    """Return {path: (label, kind)} of every figure a term may name."""
    paths = {key: (c.label, c.kind) for key, c in computations.COMPUTATIONS.items()}
    for path, label, kind in EXTRA_PATHS:
        paths.setdefault(path, (label, kind))
    return paths


def path_choices():
    # Named, never coded: a label that two figures share says its section.
    paths = figure_paths()
    seen = {}
    for label, _section in paths.values():
        seen[label] = seen.get(label, 0) + 1
    return [(path, lazy(_named, str)(label, "" if seen[label] == 1 else SECTION_NAMES.get(path.split(".")[0], "")))
            for path, (label, _kind) in paths.items()]


def _named(label, section):
    """A figure's label in the reader's language, with its section when two share it."""
    if not section:
        return gettext(label)
    return gettext("%(label)s（%(section)s）") % {"label": gettext(label), "section": gettext(section)}


# The figures sections as offices name them (for telling figures of one name apart).
SECTION_NAMES = {"funds": gettext_noop("资金项目"), "consumption": gettext_noop("消费帮扶"), "labour": gettext_noop("劳务协作"), "talent": gettext_noop("人才交流"),
                 "industry": gettext_noop("产业合作"), "exchanges": gettext_noop("交流互访"), "procurement": gettext_noop("招标采购"), "pairing": gettext_noop("结对")}


def figure_value(path, figures):
    """Return the number at `path` of one pairing-year's figures (Decimal
    for amounts and rates, int for counts), or None when it is not there."""
    if path in computations.COMPUTATIONS:
        return computations.evaluate(path, figures)
    kind = figure_paths().get(path, ("", COUNT))[1]
    return computations.as_number(computations.lookup(figures, path), kind)


class TermQuerySet(models.QuerySet):
    def for_pairing(self, pairing):
        """The national rows and those of the pairing and its ancestors."""
        ids = [int(x) for x in pairing.path.strip("/").split("/") if x]
        return self.filter(Q(pairing__isnull=True) | Q(pairing_id__in=ids))


class Term(ScopedModel):
    # National rows are settings every auditor may read (audit.views).
    audit_national = True

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("适用结对"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="crosscheck_terms",
                                help_text=_("留空为全国通用口径；本结对的口径也适用于其下级结对"))
    label = models.CharField(_("口径名称"), max_length=100)
    words = models.CharField(_("关键词"), max_length=300,
                             help_text=_("文中指称该数字的词，多个用逗号或顿号分隔，如：帮扶资金、财政援助资金"))
    units = models.CharField(_("计量单位"), max_length=100, blank=True,
                             help_text=_("数字后的量词，多个用逗号分隔，如：个、项；金额口径留空（元、万元、亿元均可）"))
    context = models.CharField(_("须同句出现"), max_length=200, blank=True,
                               help_text=_("可选：句中须同时出现其中一个词才采用本口径，如：受益"))
    path = models.CharField(_("台账数字"), max_length=100)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = [models.F("pairing").asc(nulls_first=True), "label", "pk"]
        verbose_name = _("核对口径")
        verbose_name_plural = _("核对口径")

    def __str__(self):
        return self.label

    @property
    def is_national(self):
        return self.pairing_id is None

    @property
    def kind(self):
        return figure_paths().get(self.path, ("", COUNT))[1]

    @property
    def path_label(self):
        return figure_paths().get(self.path, (self.path, None))[0]

    def word_list(self):
        return [w for w in SPLIT.split(self.words) if w]

    def unit_list(self):
        return [u for u in SPLIT.split(self.units) if u]

    def context_list(self):
        return [w for w in SPLIT.split(self.context) if w]

    def clean(self):
        errors = {}
        if not self.word_list():
            errors["words"] = _("请至少填写一个关键词")
        if self.path not in figure_paths():
            errors["path"] = _("台账数字“%(path)s”不存在，请从列表中选择") % {"path": self.path}
        elif self.kind == AMOUNT and self.units and set(self.unit_list()) - MONEY_UNITS:
            errors["units"] = _("金额口径的单位只能是元、万元、亿元（可留空）")
        elif self.kind == RATE and self.unit_list() not in ([], ["%"]):
            errors["units"] = _("比率口径的单位只能是%（可留空）")
        elif self.kind == COUNT and not self.unit_list():
            errors["units"] = _("数量口径须填写量词，如：个、人次")
        if errors:
            raise ValidationError(errors)

    def accepts(self, unit):
        """Tell whether a number written with `unit` may claim this figure."""
        if self.kind == AMOUNT:
            return unit in ("元", "万", "亿")
        if self.kind == RATE:
            return unit == "%"
        return unit in self.unit_list()


tracked(Term)


class Briefing(ScopedModel):
    """A 信息简报 draft of a pairing for a month, a quarter or a year: built
    from the period's figures (`crosscheck.briefing`), then edited by its
    office before the .docx is exported. Every edit is checked by 口径核对
    and shown to the writer; saving is never blocked."""

    MONTH, QUARTER, YEAR = "month", "quarter", "year"
    PERIODS = [(MONTH, _("月度")), (QUARTER, _("季度")), (YEAR, _("年度"))]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.CASCADE,
                                related_name="briefings")
    period = models.CharField(_("简报周期"), max_length=8, choices=PERIODS)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("月份或季度"), null=True, blank=True,
                                              help_text=_("月度简报填1—12月，季度简报填1—4季度，年度简报留空"))
    issue_no = models.PositiveIntegerField(_("期数"))
    issuer = models.CharField(_("编发单位"), max_length=200)
    issued_on = models.DateField(_("编发日期"))
    title = models.CharField(_("标题"), max_length=200)
    lead = models.TextField(_("导语"), blank=True)
    # [{"heading": "…", "paragraphs": ["…", …]}, …]
    sections = models.JSONField(_("正文"), default=list, blank=True)
    # ["财政援助资金：资金到位台账（…）", …]: the closing note, one line a figure.
    sources = models.JSONField(_("数据来源"), default=list, blank=True)
    created_by = models.ForeignKey("accounts.User", verbose_name=_("起草人"), null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    edited_by = models.ForeignKey("accounts.User", verbose_name=_("最后修改人"), null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    edited_at = models.DateTimeField(_("修改时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-year", "-issue_no", "-pk"]
        verbose_name = _("信息简报")
        verbose_name_plural = _("信息简报")

    def __str__(self):
        return f"{self.title}（第{self.issue_no}期）"

    @property
    def months(self):
        """(first, last) month of the period, or None for a year."""
        if self.period == self.MONTH:
            return (self.number, self.number)
        if self.period == self.QUARTER:
            return (3 * self.number - 2, 3 * self.number)
        return None

    @property
    def period_text(self):
        from .services import months_text

        return gettext("%(year)s年") % {"year": self.year} + (months_text(self.months) if self.months else "")

    def clean(self):
        if self.period == self.MONTH and not (self.number and 1 <= self.number <= 12):
            raise ValidationError({"number": _("月度简报须选择1—12月中的一个月")})
        if self.period == self.QUARTER and not (self.number and 1 <= self.number <= 4):
            raise ValidationError({"number": _("季度简报须选择1—4季度中的一个季度")})
        if self.period == self.YEAR:
            self.number = None

    def lines(self):
        """The draft as the .docx holds it, a line a paragraph (报头, title,
        lead, headings and paragraphs, closing note): what 口径核对 reads."""
        out = [self.lead]
        for section in self.sections:
            out.append(section.get("heading", ""))
            out.extend(section.get("paragraphs", []))
        return [line for line in out if line.strip()]


tracked(Briefing)
