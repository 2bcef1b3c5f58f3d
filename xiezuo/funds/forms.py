from collections import Counter

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy as _

from lib.uploads import DOCUMENT_TYPES, PHOTO_TYPES, check_upload
from xiezuo.front.forms import VERSION_MISSING, BootstrapMixin, MoneyField, VersionedForm, save_or_conflict
from xiezuo.pairings.models import Organisation, Region

from .models import (Disbursement, FundReceipt, HealthRule, Project, ProjectAttachment, ProjectBeneficiary,
                     ProjectCategory, ProjectOutput)


def save_checked(form):
    """Save a VersionedForm; put a conflict or a broken invariant (raised by
    the model's save under its locks) on the form and return None."""
    try:
        return save_or_conflict(form)
    except ValidationError as e:
        for field, messages in e.update_error_dict({}).items():
            form.add_error(field if field in form.fields else None, messages)
        return None


def west_regions(pairing, level):
    return Region.objects.filter(level=level, path__startswith=pairing.west_region.path)


class ReceiptForm(VersionedForm):
    class Meta:
        model = FundReceipt
        fields = ["pairing", "year", "kind", "payer", "payer_level", "doc_number", "date", "amount", "note"]
        widgets = {"date": forms.DateInput()}
        field_classes = {"amount": MoneyField}

    def __init__(self, *args, pairing=None, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A receipt may be booked on the pairing or one of its sub-pairings
        # the user may write to (township pairing funds sit on the township pair).
        self.fields["pairing"].queryset = pairing.subtree().filter(pk__in=scope.pairing_ids("write"))
        # Money comes from the east: the payer is an organisation of the
        # pairing's eastern region tree (the one already on an edited receipt
        # stays choosable), once, named with its place where names repeat.
        east = Organisation.objects.filter(scope.region_q(), region__path__startswith=pairing.east_region.path)
        if self.instance.payer_id:
            east = east | Organisation.objects.filter(pk=self.instance.payer_id)
        payers = self.fields["payer"]
        payers.queryset = east.distinct().select_related("region").order_by("name", "pk")
        repeated = {name for name, n in Counter(payers.queryset.values_list("name", flat=True)).items() if n > 1}
        payers.label_from_instance = lambda o: f"{o.name}（{o.region.name}）" if o.name in repeated else o.name


class ProjectForm(VersionedForm):
    linkage = forms.MultipleChoiceField(label=_("联农带农方式"), choices=Project.LINKAGES, required=False,
                                        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Project
        fields = ["code", "name", "year", "category", "township", "village", "implementing_unit", "sub_pairing",
                  "coop_funds", "other_funds", "planned_start", "planned_finish", "actual_start", "actual_finish",
                  "linkage", "linkage_note", "description", "library_entry"]
        widgets = {f: forms.DateInput() for f in ("planned_start", "planned_finish", "actual_start", "actual_finish")}
        widgets.update(description=forms.Textarea(attrs={"rows": 3}), linkage_note=forms.Textarea(attrs={"rows": 2}))
        field_classes = {"coop_funds": MoneyField, "other_funds": MoneyField}

    def __init__(self, *args, pairing=None, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.pairing = pairing
        self.fields["linkage"].widget.attrs = {}
        self.fields["category"].queryset = ProjectCategory.objects.filter(active=True) | ProjectCategory.objects.filter(
            pk=self.instance.category_id or 0)
        self.fields["township"].queryset = west_regions(pairing, "township")
        self.fields["village"].queryset = west_regions(pairing, "village")
        self.fields["implementing_unit"].queryset = Organisation.objects.filter(
            region__path__startswith=pairing.west_region.path)
        self.fields["sub_pairing"].queryset = pairing.subtree().exclude(pk=pairing.pk)
        # A listed library entry of the pairing's tree not taken by another
        # project (the one already linked stays choosable).
        from xiezuo.library.models import LibraryEntry

        entries = LibraryEntry.objects.in_subtree(pairing).listed().filter(project__isnull=True)
        if scope is not None:
            entries = scope.filter(entries)
        if self.instance.library_entry_id:
            entries = entries | LibraryEntry.objects.filter(pk=self.instance.library_entry_id)
        self.fields["library_entry"].queryset = entries.distinct().order_by("-year", "name")
        self.fields["library_entry"].label_from_instance = lambda e: gettext("%(year)s年 %(name)s") % {"year": e.year, "name": e.name}
        if self.instance.pk:
            self.initial["linkage"] = self.instance.linkage_codes()

    def clean_linkage(self):
        return ",".join(self.cleaned_data["linkage"])

    def clean(self):
        data = super().clean()
        village, town = data.get("village"), data.get("township")
        if village and town and village.parent_id != town.pk:
            self.add_error("village", _("实施村“%(name)s”不属于所选乡镇“%(name2)s”") % {"name": village.name, "name2": town.name})
        return data


class BeneficiaryForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ProjectBeneficiary
        fields = ["kind", "count"]


class OutputForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ProjectOutput
        fields = ["name", "quantity", "unit", "note"]


BeneficiaryFormSet = forms.inlineformset_factory(Project, ProjectBeneficiary, form=BeneficiaryForm, extra=2,
                                                 can_delete=True)
OutputFormSet = forms.inlineformset_factory(Project, ProjectOutput, form=OutputForm, extra=2, can_delete=True)


class TransitionForm(BootstrapMixin, forms.Form):
    to = forms.ChoiceField(label=_("变更为"), choices=Project.STATUSES)
    date = forms.DateField(label=_("日期"), widget=forms.DateInput())
    reason = forms.CharField(label=_("说明（终止时必填）"), max_length=500, required=False)


class DisbursementForm(BootstrapMixin, forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Disbursement
        fields = ["date", "amount", "voucher_number", "purpose"]
        widgets = {"date": forms.DateInput()}
        field_classes = {"amount": MoneyField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("loaded_version") is None and "loaded_version" not in self.errors:
            self.add_error(None, ValidationError(VERSION_MISSING, code="version_missing"))
        return cleaned


class ReturnForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=500)


class AttachmentForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ProjectAttachment
        fields = ["kind", "title", "file"]

    def clean_file(self):
        # The one upload check, with the types of the kind chosen (cleaned
        # before the file: it comes first in the form).
        f = self.cleaned_data.get("file")
        if f is not None:
            allowed = PHOTO_TYPES if self.cleaned_data.get("kind") == ProjectAttachment.PHOTO else DOCUMENT_TYPES
            limit = getattr(settings, "XIEZUO_FUNDS_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
            try:
                self.instance.content_type = check_upload(f, allowed, limit)
            except ValueError as e:
                raise forms.ValidationError(str(e)) from None
            self.instance.size = f.size
        return f


class HealthRuleForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = HealthRule
        fields = ["severity", "days", "enabled"]


HealthRuleFormSet = forms.modelformset_factory(HealthRule, form=HealthRuleForm, extra=0)


class CategoryForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ProjectCategory
        fields = ["code", "name", "order", "active"]


CategoryFormSet = forms.modelformset_factory(ProjectCategory, form=CategoryForm, extra=1)
