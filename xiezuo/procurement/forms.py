from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lib.money import yuan_str
from xiezuo.front.forms import BootstrapMixin, MoneyField, VersionedForm, checked_upload

from .models import SEVERITIES, Amendment, Bid, Finding, RuleSet, RuleSetVersion, Tender, TenderDocument

WAN = Decimal(10_000)


class TenderForm(VersionedForm):
    estimated_value = MoneyField(label=_("估算金额"), allow_negative=False)
    award_value = MoneyField(label=_("中标（成交）金额"), required=False, allow_negative=False)
    contract_value = MoneyField(label=_("合同金额"), required=False, allow_negative=False)

    class Meta:
        model = Tender
        fields = ["project", "code", "title", "year", "item_kind", "method", "estimated_value", "buyer", "agent",
                  "notice_date", "docs_issued", "bid_deadline", "opening_date", "evaluation_report",
                  "publicity_start", "publicity_end", "award_date", "winning_bid", "award_supplier",
                  "award_supplier_uscc", "award_value", "contract_number", "contract_value", "contract_signed",
                  "contract_start", "contract_end", "note"]
        widgets = {name: forms.DateInput() for name, _ in Tender.DATE_FIELDS} | {
            "contract_start": forms.DateInput(), "contract_end": forms.DateInput(),
            "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, projects=None, buyers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["buyer"].queryset = buyers
        self.fields["year"].required = False
        self.fields["year"].help_text = _("留空时取项目年度")
        if self.instance.pk:
            self.fields["winning_bid"].queryset = self.instance.bids.filter(valid=True)
            self.fields["winning_bid"].help_text = _("选定后自动填写中标供应商")
        else:
            del self.fields["winning_bid"]

    FIELDSETS = [
        (_("基本信息"), ["project", "code", "title", "year", "item_kind", "method", "estimated_value", "buyer", "agent"]),
        (_("时间节点"), ["notice_date", "docs_issued", "bid_deadline", "opening_date", "evaluation_report",
                  "publicity_start", "publicity_end", "award_date"]),
        (_("中标（成交）"), ["winning_bid", "award_supplier", "award_supplier_uscc", "award_value"]),
        (_("合同"), ["contract_number", "contract_value", "contract_signed", "contract_start", "contract_end", "note"]),
    ]

    def fieldsets(self):
        return [(title, [self[n] for n in names if n in self.fields]) for title, names in self.FIELDSETS]


class BidForm(VersionedForm):
    price = MoneyField(label=_("投标报价"), allow_negative=False)
    # Not model fields: the number is encrypted onto the instance in
    # clean_contact_phone / clean_bond_account and never put back into the form.
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "off"}))
    bond_account = forms.CharField(label=_("投标保证金转出账户"), max_length=60, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "off"}))

    class Meta:
        model = Bid
        fields = ["supplier_name", "supplier_uscc", "legal_rep", "contact_phone", "bond_account", "project_manager",
                  "price", "valid", "disqualification_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A contact's phone number and the bond account are personal data: an
        # editor sees them masked and retypes one only to change it.
        if self.instance.contact_phone_masked:
            self.fields["contact_phone"].help_text = _("已登记 %(contact_phone_masked)s，留空则保持不变") % {"contact_phone_masked": self.instance.contact_phone_masked}
        if self.instance.bond_account_masked:
            self.fields["bond_account"].help_text = _("已登记 %(bond_account_masked)s，留空则保持不变") % {"bond_account_masked": self.instance.bond_account_masked}

    def clean_contact_phone(self):
        raw = self.cleaned_data["contact_phone"].strip()
        if raw:
            try:
                self.instance.set_contact_phone(raw)
            except ValueError as e:
                raise ValidationError(str(e)) from None
        return raw

    def clean_bond_account(self):
        raw = self.cleaned_data["bond_account"].strip()
        if raw:
            try:
                self.instance.set_bond_account(raw)
            except ValueError as e:
                raise ValidationError(str(e)) from None
        return raw


class AmendmentForm(BootstrapMixin, forms.ModelForm):
    value_change = MoneyField(label=_("金额变化"), help_text=_("追加为正数，核减为负数"))

    class Meta:
        model = Amendment
        fields = ["date", "value_change", "description"]
        widgets = {"date": forms.DateInput()}


class DocumentForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = TenderDocument
        fields = ["kind", "title", "date", "file"]
        widgets = {"date": forms.DateInput()}

    def clean_file(self):
        # The one upload check: real type, size, photos without metadata.
        return checked_upload(self.cleaned_data.get("file"))


class ReviewForm(VersionedForm):
    class Meta:
        model = Finding
        fields = ["review_status", "review_note"]
        widgets = {"review_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_status"].choices = [c for c in Finding.REVIEW if c[0] != Finding.OPEN]
        self.fields["review_note"].required = True

    def clean_review_note(self):
        note = self.cleaned_data["review_note"].strip()
        if len(note) < 2:
            raise forms.ValidationError(_("请填写复核意见（确认的问题或说明的理由）"))
        return note


class RuleSetForm(BootstrapMixin, forms.ModelForm):
    effective_from = forms.DateField(label=_("首个版本生效日期"), widget=forms.DateInput())

    class Meta:
        model = RuleSet
        fields = ["name", "source"]


class VersionForm(VersionedForm):
    class Meta:
        model = RuleSetVersion
        fields = ["effective_from", "note"]
        widgets = {"effective_from": forms.DateInput()}

    def validate_unique(self):
        # The rule set is set by the view; check the date clash with a message.
        if self.instance.ruleset_id:
            super().validate_unique()


class SettingForm(BootstrapMixin, forms.Form):
    """One rule's row in the rule-set editor: switches, citation, parameters.

    Money parameters are edited in 万元 (as offices think) and stored as yuan.
    In a county version `override` decides whether the row exists at all;
    without it the rule inherits the national setting.
    """

    override = forms.BooleanField(label=_("本级覆盖"), required=False)
    enabled = forms.BooleanField(label=_("启用"), required=False)
    severity = forms.ChoiceField(label=_("严重程度"), choices=SEVERITIES)
    law = forms.CharField(label=_("法规依据"), max_length=200, required=False)
    article = forms.CharField(label=_("条款"), max_length=100, required=False)

    def __init__(self, *args, rule, effective, county, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        if county:
            self.fields["override"].widget.attrs["data-override"] = ""
        else:
            del self.fields["override"]
        self.initial.setdefault("enabled", effective.enabled)
        self.initial.setdefault("severity", effective.severity)
        self.initial.setdefault("law", effective.law)
        self.initial.setdefault("article", effective.article)
        for p in rule.params:
            value = effective.params.get(p.name, p.default)
            if p.kind == "money":
                field = forms.DecimalField(label=_("%(label)s（万元）") % {"label": p.label_shown}, min_value=0, max_digits=14, decimal_places=6)
                value = Decimal(format((Decimal(str(value)) / WAN).normalize(), "f"))
            elif p.kind == "int":
                field = forms.IntegerField(label=p.label_shown, min_value=0, max_value=3650)
            elif p.kind == "percent":
                field = forms.DecimalField(label=p.label_shown, min_value=0, max_value=100, decimal_places=2)
                value = Decimal(str(value))
            else:
                field = forms.BooleanField(label=p.label_shown, required=False)
            field.widget.attrs["class"] = "form-check-input" if p.kind == "bool" else "form-control form-control-sm"
            self.fields[f"param_{p.name}"] = field
            self.initial.setdefault(f"param_{p.name}", value)

    def full_clean(self):
        super().full_clean()
        # An inherited county row is not saved, so what its fields hold does not matter.
        if "override" in self.fields and self.is_bound and not self.cleaned_data.get("override"):
            self._errors.clear()

    def param_fields(self):
        return [self[f"param_{p.name}"] for p in self.rule.params]

    def params(self):
        """Return the parameters as stored: yuan strings, ints, percent strings, booleans."""
        out = {}
        for p in self.rule.params:
            value = self.cleaned_data[f"param_{p.name}"]
            if p.kind == "money":
                out[p.name] = yuan_str(value * WAN)
            elif p.kind == "int":
                out[p.name] = int(value)
            elif p.kind == "percent":
                out[p.name] = str(value.quantize(Decimal("0.01")))
            else:
                out[p.name] = bool(value)
        return out
