from django import forms
from django.utils.translation import gettext_lazy as _

from xiezuo.accounts.scope import scope_for
from xiezuo.front.forms import VersionedForm, checked_upload
from xiezuo.pairings.models import Organisation

from .models import FINDING, HEALTH, SOURCES, Rectification

DATE = forms.DateInput()
TEXT = forms.Textarea(attrs={"rows": 3})


class RectificationForm(VersionedForm):
    """A task entered or edited by an office. The source of a task made from
    a finding or a health alert stays that source; one entered by hand picks
    among the others. The same form checks the API's input."""

    class Meta:
        model = Rectification
        fields = ["source", "problem", "source_ref", "source_file", "found_on", "owner_unit", "owner_person",
                  "deadline", "measures", "evidence", "evidence_file"]
        widgets = {"found_on": DATE, "deadline": DATE, "measures": TEXT, "evidence": TEXT,
                   "problem": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        linked = self.instance.source in (FINDING, HEALTH) and (self.instance.finding_id or self.instance.health_rule)
        if linked:
            choices = [(c, label) for c, label in SOURCES if c == self.instance.source]
        else:
            choices = [("", "---------")] + [(c, label) for c, label in SOURCES if c not in (FINDING, HEALTH)]
        self.fields["source"].choices = choices
        self.fields["owner_unit"].queryset = Organisation.objects.filter(scope_for(user).region_q())

    def clean_source_file(self):
        # The one upload check: real type, size, photos without metadata.
        return checked_upload(self.cleaned_data.get("source_file"))

    def clean_evidence_file(self):
        return checked_upload(self.cleaned_data.get("evidence_file"))


class StepForm(forms.Form):
    step = forms.ChoiceField(label=_("操作"), choices=[("submit", _("申请销号")), ("close", _("销号")),
                                                        ("send_back", _("退回"))])
    reason = forms.CharField(label=_("退回原因"), required=False, max_length=500)
