"""Tendering processes, bids, amendments and documents; rule sets and findings.

A `Tender` is one procurement process of a project (OCDS: one contracting
process, one ocid). Bids keep the bidder's particulars as written in the bid
(统一社会信用代码, legal representative, contact phone, bond account, project
manager), because the red-flag rules compare exactly those. The contact
phone is often a person's mobile, and the bond account (投标保证金转出账户)
often a person's own bank account: each is stored encrypted with a keyed hash
(compared by the collusion rule) and a masked copy (shown), like people's
phones in the labour module (`lib.pii`).

Rule sets are data: a national set (no pairing) and county sets (a pairing)
layered on it, each with dated versions whose settings hold every rule's
parameters, severity and citation. `services.recompute` turns a process and
the settings in force on its date into `Finding` rows.
"""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, gettext_lazy as _

from lib import pii
from lib.ids import mask_account, mask_phone, normalize_account, normalize_uscc
from xiezuo.audit.tracking import tracked
from xiezuo.pairings.owned import ScopedModel

MONEY = {"max_digits": 16, "decimal_places": 2}

WORKS, GOODS, SERVICES, CONSULTANCY = "works", "goods", "services", "consultancy"
ITEM_KINDS = [
    (WORKS, _("工程施工")),
    (GOODS, _("货物")),
    (SERVICES, _("服务")),
    (CONSULTANCY, _("勘察设计监理")),
]
OPEN, SELECTIVE, NEGOTIATION, CONSULTATION, RFQ, SINGLE_SOURCE, FRAMEWORK, DIRECT = (
    "open", "selective", "negotiation", "consultation", "rfq", "single_source", "framework", "direct")
METHODS = [
    (OPEN, _("公开招标")),
    (SELECTIVE, _("邀请招标")),
    (NEGOTIATION, _("竞争性谈判")),
    (CONSULTATION, _("竞争性磋商")),
    (RFQ, _("询价")),
    (SINGLE_SOURCE, _("单一来源")),
    (FRAMEWORK, _("框架协议")),
    (DIRECT, _("直接发包/小额采购")),
]
# Methods that are tendering in the sense of the 招标投标法.
TENDERING = {OPEN, SELECTIVE}
# Methods without competition: a single bid there is no red flag.
NON_COMPETITIVE = {SINGLE_SOURCE, DIRECT}

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITIES = [(HIGH, _("高")), (MEDIUM, _("中")), (LOW, _("低"))]


class TenderQuerySet(models.QuerySet):
    def for_years(self, years):
        return self.filter(year__in=years)

    def with_finding_counts(self):
        active = Q(findings__active=True)
        return self.annotate(
            n_findings=Count("findings", filter=active, distinct=True),
            n_high=Count("findings", filter=active & Q(findings__severity=HIGH), distinct=True),
            n_open=Count("findings", filter=active & Q(findings__review_status="open"), distinct=True),
        )


class Tender(ScopedModel):
    """One procurement process (招标采购事项) of a project."""

    unit_path = "project__implementing_unit"

    DATE_FIELDS = [
        ("notice_date", _("公告发布")),
        ("docs_issued", _("招标（采购）文件发出")),
        ("bid_deadline", _("投标截止")),
        ("opening_date", _("开标")),
        ("evaluation_report", _("评标报告提交")),
        ("publicity_start", _("中标候选人公示开始")),
        ("publicity_end", _("中标候选人公示结束")),
        ("award_date", _("中标（成交）通知")),
        ("contract_signed", _("合同签订")),
    ]

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("结对关系"), on_delete=models.PROTECT,
                                related_name="tenders")
    project = models.ForeignKey("funds.Project", verbose_name=_("所属项目"), on_delete=models.PROTECT,
                                related_name="tenders")
    code = models.CharField(_("采购编号"), max_length=60, blank=True)
    title = models.CharField(_("采购事项名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    item_kind = models.CharField(_("采购品目类别"), max_length=12, choices=ITEM_KINDS)
    method = models.CharField(_("采购方式"), max_length=16, choices=METHODS)
    estimated_value = models.DecimalField(_("估算金额（元）"), **MONEY)
    buyer = models.ForeignKey("pairings.Organisation", verbose_name=_("招标人（采购人）"), on_delete=models.PROTECT,
                              related_name="tenders_bought")
    agent = models.CharField(_("招标（采购）代理机构"), max_length=200, blank=True)
    notice_date = models.DateField(_("公告发布日期"), null=True, blank=True)
    docs_issued = models.DateField(_("招标文件发出日期"), null=True, blank=True)
    bid_deadline = models.DateField(_("投标截止日期"), null=True, blank=True)
    opening_date = models.DateField(_("开标日期"), null=True, blank=True)
    evaluation_report = models.DateField(_("评标报告提交日期"), null=True, blank=True)
    publicity_start = models.DateField(_("候选人公示开始"), null=True, blank=True)
    publicity_end = models.DateField(_("候选人公示结束"), null=True, blank=True)
    award_date = models.DateField(_("中标通知日期"), null=True, blank=True)
    winning_bid = models.ForeignKey("Bid", verbose_name=_("中标投标"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    award_supplier = models.CharField(_("中标（成交）供应商"), max_length=200, blank=True)
    award_supplier_uscc = models.CharField(_("供应商统一社会信用代码"), max_length=18, blank=True)
    award_value = models.DecimalField(_("中标（成交）金额（元）"), null=True, blank=True, **MONEY)
    contract_number = models.CharField(_("合同编号"), max_length=60, blank=True)
    contract_value = models.DecimalField(_("合同金额（元）"), null=True, blank=True, **MONEY)
    contract_signed = models.DateField(_("合同签订日期"), null=True, blank=True)
    contract_start = models.DateField(_("合同履行开始"), null=True, blank=True)
    contract_end = models.DateField(_("合同履行结束"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TenderQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "code", "pk"]
        verbose_name = _("招标采购事项")
        verbose_name_plural = _("招标采购事项")
        indexes = [models.Index(fields=["pairing", "year"]), models.Index(fields=["buyer", "year"])]
        # The tenders ledger finds a process by its 采购编号 when given, so that
        # number is unique within the pairing. Without one a process is found by
        # name and year; two such processes are ordinary (small purchases not
        # yet numbered) and the ledger refuses to guess among them, so that
        # key is held by the importer's ledger lock, not by a constraint.
        constraints = [models.UniqueConstraint(fields=["pairing", "code"], condition=~Q(code=""),
                                               name="tender_unique_code",
                                               violation_error_message=_("本结对已有相同采购编号的采购事项"))]

    def __str__(self):
        return self.title

    @property
    def amount(self):
        """Return the value the thresholds are measured against."""
        return self.estimated_value if self.estimated_value is not None else (self.award_value or Decimal(0))

    @property
    def process_date(self):
        """Return the date the process started, which decides the rules in force."""
        for name in ("notice_date", "docs_issued", "bid_deadline", "award_date", "contract_signed"):
            value = getattr(self, name)
            if value:
                return value
        return datetime.date(self.year, 1, 1) if self.year else datetime.date.today()

    @property
    def supplier_key(self):
        """Return what identifies the awarded supplier across processes."""
        return self.award_supplier_uscc or self.award_supplier.strip()

    def is_tendering(self):
        return self.method in TENDERING

    def timeline(self):
        """Return the dated steps of the process, oldest first."""
        steps = [(getattr(self, f), label) for f, label in self.DATE_FIELDS if getattr(self, f)]
        steps += [(a.date, gettext("合同变更：%(change)s") % {"change": a.description}) for a in self.amendments.all()]
        if self.contract_end:
            steps.append((self.contract_end, gettext("合同履行结束")))
        return sorted(steps, key=lambda s: s[0])

    def clean(self):
        errors = {}
        if self.estimated_value is not None and self.estimated_value <= 0:
            errors["estimated_value"] = _("估算金额应大于0")
        for field in ("award_value", "contract_value"):
            value = getattr(self, field)
            if value is not None and value <= 0:
                errors[field] = _("%(verbose_name)s应大于0") % {"verbose_name": self._meta.get_field(field).verbose_name}
        if self.year and not (2000 <= self.year <= 2100):
            errors["year"] = _("年度应在2000至2100之间")
        order = [("docs_issued", "notice_date"), ("bid_deadline", "docs_issued"), ("opening_date", "bid_deadline"),
                 ("publicity_end", "publicity_start"), ("contract_end", "contract_start")]
        for later, earlier in order:
            a, b = getattr(self, later), getattr(self, earlier)
            if a and b and a < b:
                errors[later] = (_("%(verbose_name)s不能早于%(verbose_name2)s") % {"verbose_name": self._meta.get_field(later).verbose_name, "verbose_name2": self._meta.get_field(earlier).verbose_name})
        if self.award_supplier_uscc:
            try:
                self.award_supplier_uscc = normalize_uscc(self.award_supplier_uscc)
            except ValueError as e:
                errors["award_supplier_uscc"] = str(e)
        if self.winning_bid_id:
            bid = self.winning_bid
            if bid.tender_id != self.pk:
                errors["winning_bid"] = _("中标投标应为本采购事项的投标")
            elif not bid.valid:
                errors["winning_bid"] = _("被否决的投标不能中标")
        if self.project_id and self.pairing_id and not self.project.pairing.path.startswith(self.pairing.path):
            errors["project"] = _("所属项目不在本结对范围内")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # The process belongs to its project's pairing, so scoping a tender
        # is scoping its project.
        if self.project_id:
            self.pairing_id = self.project.pairing_id
            if not self.year:
                self.year = self.project.year
        if self.winning_bid_id:
            bid = self.winning_bid
            self.award_supplier, self.award_supplier_uscc = bid.supplier_name, bid.supplier_uscc
            if self.award_value is None:
                self.award_value = bid.price
        previous = (type(self).objects.filter(pk=self.pk).values("project_id", "buyer_id", "year").first()
                    if self.pk else None)
        super().save(*args, **kwargs)
        from .services import tender_changed

        tender_changed(self, previous)

    def delete(self, *args, **kwargs):
        from .services import tender_changed

        previous = {"project_id": self.project_id, "buyer_id": self.buyer_id, "year": self.year}
        result = super().delete(*args, **kwargs)
        tender_changed(None, previous)
        return result


class Bid(ScopedModel):
    """A bid as submitted, with the bidder's particulars written in it."""

    scope_path = "tender__pairing"
    unit_path = "tender__project__implementing_unit"

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="bids")
    supplier_name = models.CharField(_("投标人"), max_length=200)
    supplier_uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_rep = models.CharField(_("法定代表人"), max_length=50, blank=True)
    contact_phone_enc = models.TextField(blank=True, editable=False)
    contact_phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    contact_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, editable=False)
    bond_account_enc = models.TextField(blank=True, editable=False)
    bond_account_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)
    bond_account_masked = models.CharField(_("投标保证金转出账户"), max_length=40, blank=True, editable=False)
    project_manager = models.CharField(_("项目经理（负责人）"), max_length=50, blank=True)
    price = models.DecimalField(_("投标报价（元）"), **MONEY)
    valid = models.BooleanField(_("有效投标"), default=True)
    disqualification_reason = models.CharField(_("否决理由"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    PII_PHONE = "bid_contact_phone"
    PII_ACCOUNT = "bid_bond_account"
    # The audit trail shows the masked number and the keyed hash: that the
    # phone or the account changed, never the number. Events written before
    # the phone was encrypted hold it (masked) under "contact_phone"; events
    # written before the account was encrypted hold it in clear under
    # "bond_account": both are masked (again) when shown.
    audit_exclude = ("contact_phone_enc", "bond_account_enc")
    audit_masks = {"contact_phone": mask_phone, "contact_phone_masked": mask_phone,
                   "bond_account": mask_account, "bond_account_masked": mask_account}

    class Meta:
        ordering = ["price", "pk"]
        verbose_name = _("投标")
        verbose_name_plural = _("投标")
        # A bidder submits one bid per process (招标投标法 bids are one per
        # bidder; a revised bid replaces the first): the ledger's key of a bid
        # is its process + 投标人, held by the database too.
        constraints = [models.UniqueConstraint(fields=["tender", "supplier_name"], name="bid_unique_supplier",
                                               violation_error_message=_("该投标人已对本采购事项投标"))]

    def __str__(self):
        return self.supplier_name

    @property
    def supplier_key(self):
        return self.supplier_uscc or self.supplier_name.strip()

    # --- contact phone (personal data) -----------------------------------------
    @property
    def contact_phone(self):
        """The plain number, decrypted. For comparing and re-importing; pages
        and exports show `contact_phone_masked`."""
        return pii.decrypt(self.contact_phone_enc, self.PII_PHONE)

    @contact_phone.setter
    def contact_phone(self, raw):
        self.set_contact_phone(raw)

    @classmethod
    def phone_hash(cls, raw):
        """The keyed hash a number is found by (raises ValueError when invalid)."""
        return pii.search_hash(pii.normalize_phone(raw), cls.PII_PHONE)

    def set_contact_phone(self, raw):
        """Validate (`lib.pii.normalize_phone`), encrypt, index and mask a
        phone; an empty value clears it. Raises ValueError with a Chinese
        message. The same number again leaves the stored ciphertext alone."""
        if not str(raw or "").strip():
            self.contact_phone_enc, self.contact_phone_hash, self.contact_phone_masked = "", None, ""
            return
        phone = pii.normalize_phone(raw)
        digest = pii.search_hash(phone, self.PII_PHONE)
        if digest == self.contact_phone_hash and self.contact_phone_enc:
            return
        self.contact_phone_enc = pii.encrypt(phone, self.PII_PHONE)
        self.contact_phone_hash = digest
        self.contact_phone_masked = mask_phone(phone)

    # --- bond account (personal data: often a person's own account) -----------
    @property
    def bond_account(self):
        """The plain account number, decrypted. For comparing and re-importing;
        pages and exports show `bond_account_masked`."""
        return pii.decrypt(self.bond_account_enc, self.PII_ACCOUNT)

    @bond_account.setter
    def bond_account(self, raw):
        self.set_bond_account(raw)

    @classmethod
    def account_hash(cls, raw):
        """The keyed hash an account is found by (raises ValueError when invalid)."""
        return pii.search_hash(normalize_account(raw), cls.PII_ACCOUNT)

    def set_bond_account(self, raw):
        """Validate (`lib.ids.normalize_account`), encrypt, index and mask a
        bond account; an empty value clears it. Raises ValueError with a
        Chinese message. The same account again leaves the stored ciphertext
        alone."""
        if not str(raw or "").strip():
            self.bond_account_enc, self.bond_account_hash, self.bond_account_masked = "", None, ""
            return
        account = normalize_account(raw)
        digest = pii.search_hash(account, self.PII_ACCOUNT)
        if digest == self.bond_account_hash and self.bond_account_enc:
            return
        self.bond_account_enc = pii.encrypt(account, self.PII_ACCOUNT)
        self.bond_account_hash = digest
        self.bond_account_masked = mask_account(account)

    def clean(self):
        errors = {}
        if self.supplier_uscc:
            try:
                self.supplier_uscc = normalize_uscc(self.supplier_uscc)
            except ValueError as e:
                errors["supplier_uscc"] = str(e)
        if self.price is not None and self.price <= 0:
            errors["price"] = _("投标报价应大于0")
        if not self.valid and not self.disqualification_reason.strip():
            errors["disqualification_reason"] = _("被否决的投标须填写否决理由")
        if not self.valid and self.pk and Tender.objects.filter(winning_bid=self).exists():
            errors["valid"] = _("该投标已确定为中标，不能否决；请先在采购事项中更改中标投标")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from .services import tender_changed

        tender = Tender.objects.get(pk=self.tender_id)
        if tender.winning_bid_id == self.pk and (tender.award_supplier, tender.award_supplier_uscc) != (
                self.supplier_name, self.supplier_uscc):
            tender.save()  # carries the corrected name or code into the award
        tender_changed(tender, None)

    def delete(self, *args, **kwargs):
        tender = self.tender
        if tender.winning_bid_id == self.pk:
            tender.winning_bid = None
            tender.save()
        result = super().delete(*args, **kwargs)
        from .services import tender_changed

        tender_changed(tender, None)
        return result


class Amendment(ScopedModel):
    """A contract change (补充合同/变更) and the value it adds or removes."""

    scope_path = "tender__pairing"
    unit_path = "tender__project__implementing_unit"

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="amendments")
    date = models.DateField(_("变更日期"))
    value_change = models.DecimalField(_("金额变化（元）"), **MONEY, help_text=_("追加为正数，核减为负数"))
    description = models.CharField(_("变更内容"), max_length=300)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("合同变更")
        verbose_name_plural = _("合同变更")

    def clean(self):
        if self.value_change == 0:
            raise ValidationError({"value_change": _("金额变化不能为0；不涉及金额的变更请写在备注中")})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from .services import tender_changed

        tender_changed(self.tender, None)

    def delete(self, *args, **kwargs):
        tender = self.tender
        result = super().delete(*args, **kwargs)
        from .services import tender_changed

        tender_changed(tender, None)
        return result


class TenderDocument(ScopedModel):
    scope_path = "tender__pairing"
    unit_path = "tender__project__implementing_unit"
    KINDS = [
        ("tenderNotice", _("招标（采购）公告")),
        ("biddingDocuments", _("招标（采购）文件")),
        ("evaluationReports", _("评标报告")),
        ("awardNotice", _("中标（成交）通知书")),
        ("contractSigned", _("合同")),
        ("contractAnnexe", _("补充合同")),
        ("other", _("其他")),
    ]

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("文件类型"), max_length=20, choices=KINDS)
    title = models.CharField(_("文件名称"), max_length=200)
    date = models.DateField(_("日期"), null=True, blank=True)
    file = models.FileField(_("附件"), upload_to="procurement/%Y/")

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("采购文件")
        verbose_name_plural = _("采购文件")

    def __str__(self):
        return self.title

    def clean(self):
        limit = settings.XIEZUO_MAX_UPLOAD_BYTES
        if self.file and getattr(self.file, "size", 0) > limit:
            raise ValidationError({"file": _("附件不能超过%(value)sMB") % {"value": limit // (1024 * 1024)}})


# ---------------------------------------------------------------- rule sets


class RuleSet(models.Model):
    """The national default set (no pairing) or a county set layered on it."""

    # Changes are national settings: every auditor reads them (audit.views).
    audit_national = True

    pairing = models.ForeignKey("pairings.Pairing", verbose_name=_("适用结对"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="rule_sets",
                                help_text=_("留空为全国默认规则；县级规则集适用于该结对及其下级结对"))
    name = models.CharField(_("规则集名称"), max_length=200)
    source = models.CharField(_("依据文件"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = [Coalesce("pairing", 0), "pk"]
        verbose_name = _("规则集")
        verbose_name_plural = _("规则集")
        constraints = [
            models.UniqueConstraint(Coalesce("pairing", 0), name="ruleset_one_per_scope",
                                    violation_error_message=_("该范围已有规则集，请在原规则集中新建版本")),
        ]

    def __str__(self):
        return self.name

    @property
    def is_national(self):
        return self.pairing_id is None

    def _ruleset(self):
        return self

    def version_on(self, date):
        """Return the version in force on `date`, or None."""
        return self.versions.filter(effective_from__lte=date).order_by("-effective_from").first()


class RuleSetVersion(models.Model):
    """A dated edition of a rule set; a process is judged by the edition in
    force on its start date."""

    # Changes are national settings: every auditor reads them (audit.views).
    audit_national = True

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField(_("生效日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["ruleset", "-effective_from"]
        verbose_name = _("规则集版本")
        verbose_name_plural = _("规则集版本")
        constraints = [
            models.UniqueConstraint("ruleset", "effective_from", name="ruleset_version_unique_date",
                                    violation_error_message=_("该规则集已有相同生效日期的版本")),
        ]

    def __str__(self):
        return gettext("%(ruleset)s（%(date)s起）") % {"ruleset": self.ruleset, "date": f"{self.effective_from:%Y-%m-%d}"}

    def _ruleset(self):
        return self.ruleset

    def audit_pairing_id(self):
        return self.ruleset.pairing_id


class RuleSetting(models.Model):
    """One rule's parameters in one version. In a county version a row
    overrides the national setting of that rule; absent rows inherit."""

    # Changes are national settings: every auditor reads them (audit.views).
    audit_national = True

    rule_version = models.ForeignKey(RuleSetVersion, on_delete=models.CASCADE, related_name="settings")
    rule_code = models.CharField(_("规则代码"), max_length=40)
    enabled = models.BooleanField(_("启用"), default=True)
    severity = models.CharField(_("严重程度"), max_length=8, choices=SEVERITIES)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    law = models.CharField(_("法规依据"), max_length=200, blank=True)
    article = models.CharField(_("条款"), max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["rule_code"]
        constraints = [
            models.UniqueConstraint("rule_version", "rule_code", name="rule_setting_unique_code",
                                    violation_error_message=_("同一版本中该规则已有设置")),
        ]

    def __str__(self):
        return f"{self.rule_code}@{self.rule_version}"

    def _ruleset(self):
        return self.rule_version.ruleset

    def audit_pairing_id(self):
        return self.rule_version.ruleset.pairing_id


# ---------------------------------------------------------------- findings


class FindingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


# Findings of the collusion rule written before the bond account was
# encrypted name the account in clear ("…的投标保证金转出账户相同（6222…）。",
# figures {"field": "bond_account", "value": …}); their audit events cannot be
# rewritten, so the trail masks the account again when it shows them.
_ACCOUNT_IN_TEXT = re.compile(r"(投标保证金转出账户相同（)([^）]*)(）)")


def mask_account_in_explanation(text):
    if not isinstance(text, str):
        return text
    return _ACCOUNT_IN_TEXT.sub(lambda m: m.group(1) + mask_account(m.group(2)) + m.group(3), text)


def mask_account_in_figures(figures):
    if isinstance(figures, dict) and figures.get("field") == "bond_account" and figures.get("value"):
        return {**figures, "value": mask_account(figures["value"])}
    return figures


class Finding(ScopedModel):
    """A red flag raised by a rule on one process."""

    unit_path = "tender__project__implementing_unit"

    OPEN, CONFIRMED, EXPLAINED = "open", "confirmed", "explained"
    REVIEW = [(OPEN, _("待复核")), (CONFIRMED, _("确认问题")), (EXPLAINED, _("已作说明"))]

    pairing = models.ForeignKey("pairings.Pairing", on_delete=models.CASCADE, related_name="procurement_findings")
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="findings")
    rule_code = models.CharField(_("规则代码"), max_length=40)
    rule_name = models.CharField(_("规则"), max_length=100)
    key = models.CharField(max_length=200, blank=True)
    law = models.CharField(_("法规依据"), max_length=200, blank=True)
    article = models.CharField(_("条款"), max_length=100, blank=True)
    severity = models.CharField(_("严重程度"), max_length=8, choices=SEVERITIES)
    explanation = models.TextField(_("说明"))
    figures = models.JSONField(_("触发数据"), default=dict)
    rule_version = models.ForeignKey(RuleSetVersion, verbose_name=_("规则集版本"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # A finding whose rule no longer fires is kept (its review stays on
    # record) but no longer counted.
    active = models.BooleanField(_("有效"), default=True)
    review_status = models.CharField(_("复核结果"), max_length=10, choices=REVIEW, default=OPEN)
    review_note = models.TextField(_("复核意见"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = FindingQuerySet.as_manager()

    audit_masks = {"explanation": mask_account_in_explanation, "figures": mask_account_in_figures}

    class Meta:
        ordering = ["tender", "rule_code", "key"]
        verbose_name = _("预警线索")
        verbose_name_plural = _("预警线索")
        constraints = [models.UniqueConstraint("tender", "rule_code", "key", name="finding_unique_key")]
        indexes = [models.Index(fields=["pairing", "active", "severity"])]

    def __str__(self):
        return f"{self.rule_name}：{self.tender}"

    @property
    def rule_name_shown(self):
        """The rule's name as stored (Chinese), read in the reader's language."""
        return gettext(self.rule_name)


for _model in (Tender, Bid, Amendment, TenderDocument, RuleSet, RuleSetVersion, RuleSetting, Finding):
    tracked(_model)


def _rules_changed(sender, instance, raw=False, **kwargs):
    """Recompute the findings a rule set governs whenever it changes."""
    if raw:
        return
    from .services import ruleset_changed

    try:
        ruleset = instance._ruleset()
    except RuleSet.DoesNotExist:
        return  # deleted together with its rule set; the set's own signal recomputes
    ruleset_changed(ruleset)


for _model in (RuleSet, RuleSetVersion, RuleSetting):
    models.signals.post_save.connect(_rules_changed, sender=_model, dispatch_uid=f"rules-save-{_model.__name__}")
    models.signals.post_delete.connect(_rules_changed, sender=_model, dispatch_uid=f"rules-del-{_model.__name__}")
