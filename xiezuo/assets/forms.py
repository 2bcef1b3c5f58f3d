from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xiezuo.accounts.scope import scope_for
from xiezuo.front.forms import BootstrapMixin, MoneyField, VersionedForm, checked_upload
from xiezuo.pairings.models import Organisation

from .models import METHODS, Asset, AssetCare, AssetIncome, AssetIncomeShare, check_shares, suggested_value

DATE = forms.DateInput()


class AssetForm(VersionedForm):
    """An asset registered at handover, or edited while 在管. A new asset is
    prefilled from its project (name, value, owner = the implementing unit,
    location = the project's place). The same form checks the API's input."""

    class Meta:
        model = Asset
        fields = ["name", "kind", "value", "final_accounts_ref", "owner", "location", "handed_over_on",
                  "handover_ref", "handover_file", "custodian_unit", "custodian_person", "note"]
        widgets = {"handed_over_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"value": MoneyField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(scope_for(user).region_q())
        self.fields["owner"].queryset = orgs
        self.fields["custodian_unit"].queryset = orgs
        project = self.instance.project if self.instance.project_id else None
        if project is not None and not self.instance.pk and not self.is_bound:
            self.initial.update({"name": project.name, "value": suggested_value(project),
                                 "owner": project.implementing_unit_id, "custodian_unit": project.implementing_unit_id,
                                 "location": project.place})

    def clean_handover_file(self):
        # The one upload check: real type, size, photos without metadata.
        return checked_upload(self.cleaned_data.get("handover_file"))


class CareForm(BootstrapMixin, forms.ModelForm):
    """A care record (管护记录), added to an asset."""

    class Meta:
        model = AssetCare
        fields = ["date", "unit", "person", "content", "cost"]
        widgets = {"date": DATE, "content": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"cost": MoneyField}


class IncomeForm(BootstrapMixin, forms.ModelForm):
    """An income of an operating asset with its shares (收益分配), saved
    whole or not at all: the shares may not add up to more than the income."""

    class Meta:
        model = AssetIncome
        fields = ["year", "date", "amount", "note"]
        widgets = {"date": DATE}
        field_classes = {"amount": MoneyField}

    def __init__(self, *args, shares_data=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.shares = ShareFormSet(self.data if self.is_bound and shares_data is None else shares_data,
                                   prefix="shares", instance=self.instance)

    def is_valid(self):
        return super().is_valid() & self.shares.is_valid()

    def clean(self):
        data = super().clean()
        amounts = []
        if self.shares.is_bound and self.shares.is_valid():
            amounts = [f.cleaned_data.get("amount") for f in self.shares.forms
                       if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            check_shares(data.get("amount"), amounts)
        except ValidationError as e:
            self.add_error(None, e)
        return data

    def save(self, commit=True):
        with transaction.atomic():
            income = super().save()
            self.shares.instance = income
            self.shares.save()
            # Checked again on the rows written, under the transaction.
            check_shares(income.amount, income.shares.values_list("amount", flat=True))
        return income


class ShareForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = AssetIncomeShare
        fields = ["kind", "description", "amount", "households", "poor_households"]
        field_classes = {"amount": MoneyField}


ShareFormSet = forms.inlineformset_factory(AssetIncome, AssetIncomeShare, form=ShareForm, extra=3, can_delete=False,
                                           min_num=1, validate_min=True)


class DisposalForm(BootstrapMixin, forms.Form):
    step = forms.ChoiceField(label=_("操作"), choices=[("request", _("申请处置")), ("approve", _("批准处置")),
                                                        ("reject", _("退回处置申请"))])
    method = forms.ChoiceField(label=_("处置方式"), choices=[("", "---------")] + METHODS, required=False)
    value = MoneyField(label=_("处置价值（元）"), required=False)
    reason = forms.CharField(label=_("原因"), required=False, max_length=500)
