from django import forms
from django.utils.translation import gettext_lazy as _

from xiezuo.front.forms import VersionedForm, checked_upload

from . import computations
from .models import Indicator, ManualActual, SelfEvaluation
from .narrative import WORK_AREAS


class IndicatorForm(VersionedForm):
    class Meta:
        model = Indicator
        fields = ["code", "name", "unit", "side", "computation", "disaggregations", "basis", "description", "order",
                  "active"]
        widgets = {"disaggregations": forms.Textarea(attrs={"rows": 4}), "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["computation"] = forms.ChoiceField(label=_("取数方式"), choices=computations.choices(),
                                                       widget=forms.Select(attrs={"class": "form-select"}))
        # Sub-items are written with the computation's name; the stored text keeps its key.
        self.fields["disaggregations"].help_text = _("每行一个分项，写成“名称=取数口径”，取数口径写“取数方式”列表中的名称，如：其中脱贫劳动力=其中脱贫劳动力")
        if not self.is_bound and self.instance.disaggregations:
            labels = {c.key: c.label for c in computations.COMPUTATIONS.values()}
            self.initial["disaggregations"] = "\n".join(
                f"{name}={labels.get(key, key)}" for name, key in self.instance.disaggregation_list())
        if self.instance.pk:
            # Agreements refer to indicators by code: renaming one would orphan their targets.
            self.fields["code"].disabled = True


    def clean_disaggregations(self):
        keys = {c.label: c.key for c in computations.COMPUTATIONS.values()}
        lines = []
        for line in self.cleaned_data["disaggregations"].splitlines():
            name, eq, source = line.partition("=")
            lines.append(f"{name.strip()}={keys.get(source.strip(), source.strip())}" if eq else line)
        return "\n".join(lines)


class ManualActualForm(VersionedForm):
    class Meta:
        model = ManualActual
        fields = ["indicator", "value", "evidence", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def clean_evidence(self):
        # The one upload check: real type, size, photos without metadata.
        return checked_upload(self.cleaned_data.get("evidence"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.active().filter(computation=computations.MANUAL)


class NarrativeForm(VersionedForm):
    """One text area per work area, stored in `narratives`."""

    class Meta:
        model = SelfEvaluation
        fields = ["title", "grade"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, title in WORK_AREAS:
            self.fields[f"area_{code}"] = forms.CharField(
                label=_(title), required=False, initial=self.instance.narratives.get(code, ""),
                widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}))

    def save(self, commit=True):
        self.instance.narratives = {code: self.cleaned_data.get(f"area_{code}", "").strip() for code, _ in WORK_AREAS}
        return super().save(commit)


class OpinionForm(forms.Form):
    """The other side's views (意见) on a submitted self-evaluation."""

    text = forms.CharField(label=_("意见"), max_length=SelfEvaluation.OPINION_MAX,
                           widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}))
