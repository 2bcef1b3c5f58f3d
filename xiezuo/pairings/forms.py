from django import forms
from django.apps import apps
from django.utils.translation import gettext as _

from xiezuo.front.forms import BootstrapMixin, VersionedForm

from .models import Agreement, AgreementTarget, Organisation, Pairing, Region


class OrganisationForm(VersionedForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "region", "uscc", "legal_rep"]

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions


class PairingForm(VersionedForm):
    class Meta:
        model = Pairing
        fields = ["name", "level", "parent", "east_region", "west_region", "east_org", "west_org",
                  "since", "working_year", "disclosure_enabled", "note"]
        widgets = {"since": forms.DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, parents=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents
        if organisations is not None:
            self.fields["east_org"].queryset = organisations
            self.fields["west_org"].queryset = organisations
        self.fields["east_region"].queryset = Region.objects.all()
        self.fields["west_region"].queryset = Region.objects.all()


class WorkingYearForm(VersionedForm):
    """The office's choice of the year the pairing's pages open on."""

    class Meta:
        model = Pairing
        fields = ["working_year"]


class AgreementForm(VersionedForm):
    class Meta:
        model = Agreement
        fields = ["year", "title", "signed_on", "doc_number", "note"]
        widgets = {"signed_on": forms.DateInput(), "note": forms.Textarea(attrs={"rows": 3})}


def indicator_names():
    """Return {indicator code: name} of the assessment catalogue, in its order."""
    Indicator = apps.get_model("assessment", "Indicator")
    return dict(Indicator.objects.order_by("order", "code").values_list("code", "name"))


class TargetForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = AgreementTarget
        fields = ["indicator", "value", "unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offices pick an indicator by its name; the code stays the stored key.
        # A code no longer in the catalogue is kept, so an old target still saves.
        names = indicator_names()
        current = self.instance.indicator
        choices = [("", "—")] + [(code, name) for code, name in names.items()]
        if current and current not in names:
            choices.append((current, current))
        self.fields["indicator"].label = _("指标")
        self.fields["indicator"].widget = forms.Select(choices=choices, attrs={"class": "form-select"})


TargetFormSet = forms.inlineformset_factory(
    Agreement, AgreementTarget, form=TargetForm, extra=3, can_delete=True
)
