from django import forms

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


class TargetForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = AgreementTarget
        fields = ["indicator", "value", "unit"]


TargetFormSet = forms.inlineformset_factory(
    Agreement, AgreementTarget, form=TargetForm, extra=3, can_delete=True
)
