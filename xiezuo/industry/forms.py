from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from xiezuo.accounts.scope import scope_for
from xiezuo.front.forms import BootstrapMixin, MoneyField, VersionedForm
from xiezuo.pairings.models import Agreement, Organisation, Region

from .models import (ENTERPRISE_KINDS, AgreedItem, DemoVillage, Donation, Investment, InvestmentArrival, Park, Visit,
                     VisitOfficial, Workshop, WorkshopMonth, validate_minutes)


class LedgerForm(VersionedForm):
    """A ledger row form whose choices are narrowed to what the user may see.

    The record's pairing is chosen among the writable pairings of the page's
    subtree (a donation may belong to a village pair under the county pair);
    related rows (parks, meetings, enterprises) come from the same subtree.
    """

    def __init__(self, *args, pairing, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope_for(user)
        self.root = pairing
        writable = self.scope.pairings("write").filter(path__startswith=pairing.path)
        if self.instance.pk and self.instance.pairing_id:
            writable = writable | type(pairing).objects.filter(pk=self.instance.pairing_id)
        self.fields["pairing"].queryset = writable.distinct()
        if not self.instance.pk:
            self.initial.setdefault("pairing", pairing.pk)
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and name != "pairing":
                field.queryset = self.narrow(name, field.queryset)

    def narrow(self, name, queryset):
        model = queryset.model
        if model is Organisation:
            return queryset.filter(self.scope.region_q(), kind__in=ENTERPRISE_KINDS)
        if model is Region:
            return queryset
        if model is Agreement:
            return queryset.filter(pairing__path__startswith=self.root.path)
        return queryset.filter(pairing__path__startswith=self.root.path)


DATE = forms.DateInput()
TEXT = forms.Textarea(attrs={"rows": 3})


class ParkForm(LedgerForm):
    class Meta:
        model = Park
        fields = ["pairing", "name", "region", "since_year", "status", "area_mu", "note", "is_demo"]
        widgets = {"note": TEXT}

    def narrow(self, name, queryset):
        return queryset.filter(level__in=["county", "township", "village"]) if name == "region" else queryset


class InvestmentForm(LedgerForm):
    class Meta:
        model = Investment
        fields = ["pairing", "enterprise", "project_name", "origin_region", "origin_place", "industry", "signed_on",
                  "landed_on", "producing_on", "agreed_amount", "park", "jobs", "jobs_poverty",
                  "note", "is_demo"]
        widgets = {"signed_on": DATE, "landed_on": DATE, "producing_on": DATE, "note": TEXT}
        help_texts = {"enterprise": _("企业须先在“单位”中登记（统一社会信用代码将校验）"),
                      "agreed_amount": _("实际到位投资按下方各笔到位记录汇总，超过协议投资额时将提示核实")}
        field_classes = {"agreed_amount": MoneyField}

    def narrow(self, name, queryset):
        if name == "origin_region":
            return queryset.filter(level__in=["province", "city", "county"])
        return super().narrow(name, queryset)


class ArrivalForm(BootstrapMixin, forms.ModelForm):
    """One dated tranche of an investment's money; the model's rules (amount
    above 0, not before signing, not in the future) apply."""

    class Meta:
        model = InvestmentArrival
        fields = ["date", "amount", "note"]
        widgets = {"date": DATE}
        field_classes = {"amount": MoneyField}


    def validate_unique(self):
        # The investment is not one of the form's own fields, so Django would
        # skip the one-tranche-a-day constraint and let the database refuse it.
        super().validate_unique()
        if self.instance.investment_id:
            try:
                self.instance.validate_constraints()
            except ValidationError as e:
                for field, messages in e.update_error_dict({}).items():
                    self.add_error(field if field in self.fields else None, messages)


ArrivalFormSet = forms.inlineformset_factory(Investment, InvestmentArrival, form=ArrivalForm, extra=2,
                                             can_delete=True)


class WorkshopForm(LedgerForm):
    class Meta:
        model = Workshop
        fields = ["pairing", "name", "kind", "enterprise", "park", "location", "products", "opened_on",
                  "recognised_on", "closed_on", "jobs", "jobs_poverty", "note", "is_demo"]
        widgets = {"opened_on": DATE, "recognised_on": DATE, "closed_on": DATE, "note": TEXT}
        help_texts = {"jobs": _("认定时的人数；统计按每月在岗人数"), "jobs_poverty": _("含防止返贫监测对象")}

    def narrow(self, name, queryset):
        if name == "location":
            return queryset.filter(self.scope.region_q(field=None), level__in=["township", "village"])
        return super().narrow(name, queryset)


class WorkshopMonthForm(VersionedForm):
    """One month's head count of a workshop; the workshop is set by the page
    or the API from the address, never from the input."""

    month = forms.DateField(label=_("月份"), input_formats=["%Y-%m", "%Y-%m-%d"], help_text=_("年月，如2022-03"))

    class Meta:
        model = WorkshopMonth
        fields = ["month", "employed", "poverty", "monitored", "note"]
        help_texts = {"monitored": _("脱贫人口与监测对象合计达到认定人数（默认5人）的月份计入统计")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A month picker (the shared mixin makes every date input a day picker).
        widget = self.fields["month"].widget
        widget.input_type, widget.format = "month", "%Y-%m"


class DemoVillageForm(LedgerForm):
    class Meta:
        model = DemoVillage
        fields = ["pairing", "village", "level", "designated_year", "investment", "note", "is_demo"]
        field_classes = {"investment": MoneyField}
        widgets = {"note": TEXT}
        help_texts = {"investment": _("单位：元；历年投入该村的东西部协作资金合计")}

    def narrow(self, name, queryset):
        if name == "village":
            return queryset.filter(self.scope.region_q(field=None), level="village",
                                   path__startswith=self.root.west_region.path)
        return super().narrow(name, queryset)


class DonationForm(LedgerForm):
    class Meta:
        model = Donation
        fields = ["pairing", "date", "donor_name", "donor_kind", "donor_uscc", "form", "amount", "items", "purpose",
                  "receiver", "receipt_number", "note", "is_demo"]
        widgets = {"date": DATE, "note": TEXT}
        field_classes = {"amount": MoneyField}
        help_texts = {"amount": _("捐物按折款金额填写")}


class VisitForm(LedgerForm):
    class Meta:
        model = Visit
        fields = ["pairing", "kind", "title", "direction", "start_on", "end_on", "delegation_size", "places",
                  "topics", "minutes", "is_demo"]
        widgets = {"start_on": DATE, "end_on": DATE, "places": TEXT, "topics": TEXT,
                   "minutes": forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.jpg,.jpeg,.png"})}
        help_texts = {"minutes": _("PDF、Word、JPG或PNG，不超过20MB")}

    def clean_minutes(self):
        upload = self.cleaned_data.get("minutes")
        if isinstance(upload, UploadedFile):
            validate_minutes(upload)
        return upload


class OfficialForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = VisitOfficial
        fields = ["side", "name", "post", "role"]


OfficialFormSet = forms.inlineformset_factory(Visit, VisitOfficial, form=OfficialForm, extra=2, can_delete=True)


class AgreedItemForm(LedgerForm):
    class Meta:
        model = AgreedItem
        fields = ["pairing", "year", "title", "description", "source_visit", "source_agreement", "east_owner",
                  "west_owner", "deadline", "is_demo"]
        widgets = {"deadline": DATE, "description": TEXT}


class NoteForm(BootstrapMixin, forms.Form):
    """A new progress note; the rules live on ProgressNote and are applied by
    services.add_note, so the page and the API refuse the same things."""

    date = forms.DateField(label=_("日期"), widget=forms.DateInput())
    text = forms.CharField(label=_("进展情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=AgreedItem.STATUSES)
    text = forms.CharField(required=False, max_length=2000)
