from django import forms
from django.utils.translation import gettext_lazy as _

from xiezuo.front.forms import BootstrapMixin, MoneyField, VersionedForm
from xiezuo.funds.models import ProjectCategory
from xiezuo.pairings.models import Organisation, Region

from .models import LibraryEntry


def west_regions(pairing, level):
    return Region.objects.filter(level=level, path__startswith=pairing.west_region.path)


class EntryForm(VersionedForm):
    """The application (村申报) and its edits while applied or returned; the
    pages and the API both go through it."""

    class Meta:
        model = LibraryEntry
        fields = ["pairing", "year", "name", "township", "village", "unit_name", "category", "content",
                  "implementing_unit", "coop_funds", "other_funds", "other_sources", "benefit", "linkage", "hotline"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3}), "benefit": forms.Textarea(attrs={"rows": 2}),
                   "linkage": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"coop_funds": MoneyField, "other_funds": MoneyField}

    def __init__(self, *args, pairing=None, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The entry is held by the pairing or one of its sub-pairings the
        # user may enter data for (a township pair's own applications).
        self.fields["pairing"].queryset = pairing.subtree().filter(pk__in=scope.pairing_ids("write"))
        self.fields["category"].queryset = ProjectCategory.objects.filter(active=True) | ProjectCategory.objects.filter(
            pk=self.instance.category_id or 0)
        self.fields["township"].queryset = west_regions(pairing, "township")
        self.fields["village"].queryset = west_regions(pairing, "village")
        self.fields["implementing_unit"].queryset = Organisation.objects.filter(
            region__path__startswith=pairing.west_region.path)

    def clean(self):
        data = super().clean()
        if self.instance.pk and not self.instance.editable:
            raise forms.ValidationError(_("只有村申报或已退回阶段的条目可以修改"))
        return data


class StepForm(BootstrapMixin, forms.Form):
    action = forms.ChoiceField(label=_("操作"), choices=[(a, l) for a, l in LibraryEntry.ACTION_LABELS.items()
                                                          if a != "apply"])
    date = forms.DateField(label=_("日期"), required=False, widget=forms.DateInput())
    opinion = forms.CharField(label=_("意见（退回、出库时必填）"), max_length=1000, required=False)
