from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xiezuo.front.forms import MoneyField, VersionedForm
from xiezuo.funds.models import Project
from xiezuo.pairings.models import Organisation, Region

from .models import Employment, LabourSettings, LabourYearRule, Person, TalentExchange, Trainee, TrainingClass


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Choices show the masked number only: a select list is a page too.
        return obj.label()


def _orgs(scope):
    return Organisation.objects.filter(scope.region_q()).select_related("region")


def _people(scope, pairing):
    return scope.filter(Person.objects.in_tree_of(pairing))


class PersonForm(VersionedForm):
    """The 身份证号 and phone are plain form fields, never model fields: they are
    encrypted onto the instance in `clean` and never put back into the form,
    so an edit page does not show them to a role without the right."""

    id_number = forms.CharField(label=_("身份证号"), required=False, max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=30,
                            widget=forms.TextInput(attrs={"autocomplete": "off"}))

    class Meta:
        model = Person
        fields = ["name", "id_number", "gender", "birth_date", "phone", "household_type", "township", "village",
                  "unit", "note"]
        widgets = {"birth_date": forms.DateInput()}

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        pairing = self.instance.pairing
        inside = Q(path__startswith=pairing.west_region.path) | Q(path__startswith=pairing.east_region.path)
        self.fields["township"].queryset = Region.objects.filter(inside, level="township")
        self.fields["village"].queryset = Region.objects.filter(inside, level="village")
        self.fields["unit"].queryset = _orgs(scope)
        self.fields["gender"].help_text = _("填写身份证号时按身份证号自动确定")
        if self.instance.id_number_masked:
            self.fields["id_number"].help_text = _("已登记：%(id_number_masked)s。留空表示不修改。") % {"id_number_masked": self.instance.id_number_masked}
        else:
            self.fields["id_number"].help_text = _("18位，最后一位可为X；党政干部、专业技术人才可不填")
        if self.instance.phone_masked:
            self.fields["phone"].help_text = _("已登记：%(phone_masked)s。留空表示不修改。") % {"phone_masked": self.instance.phone_masked}
        if self.instance.id_number_enc:
            # The number decides the birth date; a field beside it would
            # show the date that the mask hides (lib.pii, "What is shown").
            del self.fields["birth_date"]
        elif self.instance.birth_date:
            # Never prefilled, like the numbers: an editor sees the decade only.
            self.initial["birth_date"] = None
            self.fields["birth_date"].help_text = _("已登记：%(birth_decade)s。留空表示不修改。") % {"birth_decade": self.instance.birth_decade}

    def clean(self):
        data = super().clean()
        person = self.instance
        raw_id = (data.get("id_number") or "").strip()
        if raw_id:
            try:
                person.set_id_number(raw_id)
            except ValueError as e:
                self.add_error("id_number", str(e))
            else:
                # The number decides gender and birth date; what was typed in
                # those fields would otherwise overwrite them.
                data["gender"], data["birth_date"] = person.gender, person.birth_date
                message = person.duplicate_message(self.scope)
                if message:
                    self.add_error("id_number", message)
        if "birth_date" in self.fields and not data.get("birth_date"):
            data["birth_date"] = person.birth_date  # left empty: keep the registered one
        raw_phone = (data.get("phone") or "").strip()
        if raw_phone:
            try:
                person.set_phone(raw_phone)
            except ValueError as e:
                self.add_error("phone", str(e))
        # The typed values are not kept on the bound form: a re-displayed
        # form shows them again only as the user typed them, never decrypted.
        return data

    def validate_unique(self):
        if "id_number" in self.errors:
            return  # the duplicate was already reported with the person's name
        super().validate_unique()


class TrainingClassForm(VersionedForm):
    class Meta:
        model = TrainingClass
        fields = ["name", "trade", "kind", "audience", "start", "end", "days", "place", "organiser", "project", "note"]
        widgets = {"start": forms.DateInput(), "end": forms.DateInput()}

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        pairing = self.instance.pairing
        self.fields["organiser"].queryset = _orgs(scope)
        # Most classes train rural workers: a form without the field means them.
        self.fields["audience"].required = False
        root = pairing.path.split("/")[1]
        self.fields["project"].queryset = scope.filter(Project.objects.filter(pairing__path__startswith=f"/{root}/"))

    def clean_audience(self):
        return self.cleaned_data.get("audience") or TrainingClass.LABOUR


class TraineeForm(VersionedForm):
    person = PersonChoiceField(label=_("学员"), queryset=Person.objects.none())

    class Meta:
        model = Trainee
        fields = ["person", "certificate", "certificate_name"]

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people(scope, self.instance.training_class.pairing)


class EmploymentForm(VersionedForm):
    person = PersonChoiceField(label=_("务工人员"), queryset=Person.objects.none())

    class Meta:
        model = Employment
        fields = ["person", "destination", "form", "employer", "place", "start", "end", "monthly_income", "note"]
        widgets = {"start": forms.DateInput(), "end": forms.DateInput()}
        field_classes = {"monthly_income": MoneyField}

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people(scope, self.instance.pairing)


class TalentExchangeForm(VersionedForm):
    person = PersonChoiceField(label=_("人员（已登记）"), queryset=Person.objects.none(), required=False)
    new_person_name = forms.CharField(label=_("或新登记人员姓名"), max_length=50, required=False,
                                      help_text=_("未登记的挂职干部、专家在此填写姓名，工作单位记为派出单位"))

    class Meta:
        model = TalentExchange
        fields = ["person", "new_person_name", "kind", "direction", "sending_unit", "receiving_unit", "batch",
                  "start", "end", "post", "specialty", "note"]
        widgets = {"start": forms.DateInput(), "end": forms.DateInput()}

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people(scope, self.instance.pairing)
        self.fields["sending_unit"].queryset = _orgs(scope)
        self.fields["receiving_unit"].queryset = _orgs(scope)

    def clean(self):
        data = super().clean()
        if not data.get("person") and not (data.get("new_person_name") or "").strip():
            self.add_error("person", _("请选择已登记人员，或填写新登记人员姓名"))
        return data

    def save(self, commit=True):
        if commit and not self.instance.person_id:
            # The new person and the exchange are saved together or not at all.
            with transaction.atomic():
                self.instance.person = Person.objects.create(
                    pairing=self.instance.pairing, name=self.cleaned_data["new_person_name"].strip(),
                    unit=self.instance.sending_unit)
                return super().save(commit=True)
        return super().save(commit=commit)


class LabourSettingsForm(VersionedForm):
    class Meta:
        model = LabourSettings
        fields = ["long_term_months"]


class LabourYearRuleForm(VersionedForm):
    """One year's counting rule. The year comes from the page's address; a
    year not saved yet is edited from its defaults, as version 1 (the view
    makes the row on the first save)."""

    class Meta:
        model = LabourYearRule
        fields = ["stable_months", "poverty_includes_monitored", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version
