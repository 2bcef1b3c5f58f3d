from django import forms
from django.utils.translation import gettext_lazy as _

from lib import pii
from xiezuo.front.forms import BootstrapMixin, MoneyField, VersionedForm, checked_upload

from .models import CONTENT_FIELDS, IMAGE_TYPES, Notice, NoticeFeedback, NoticePosting

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 2})


class NoticeForm(VersionedForm):
    """A notice's content, 监督电话 and period, while it is a draft; the
    pages and the API both go through it."""

    class Meta:
        model = Notice
        fields = ["stage", *CONTENT_FIELDS, "hotline", "start_date", "end_date"]
        widgets = {"content": TEXT, "benefit": TEXT, "linkage": TEXT, "results": TEXT, "start_date": DATE,
                   "end_date": DATE}
        field_classes = {"coop_funds": MoneyField, "other_funds": MoneyField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stage is chosen when the notice is drafted and stays.
        self.fields["stage"].disabled = True

    def clean(self):
        data = super().clean()
        if self.instance.pk and not self.instance.editable:
            raise forms.ValidationError(_("只有草稿可以修改"))
        return data


class PostingForm(BootstrapMixin, forms.ModelForm):
    url = forms.URLField(label=_("网址"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = NoticePosting
        fields = ["channel", "url", "posted_on", "taken_down_on", "photo", "note"]
        widgets = {"posted_on": DATE, "taken_down_on": DATE}

    def clean_photo(self):
        # The one upload check: real type, size, photos re-encoded without EXIF.
        return checked_upload(self.cleaned_data.get("photo"), IMAGE_TYPES)


class FeedbackForm(BootstrapMixin, forms.ModelForm):
    person_name = forms.CharField(label=_("反映人姓名"), max_length=50, required=False)
    person_phone = forms.CharField(label=_("反映人电话"), max_length=30, required=False)

    class Meta:
        model = NoticeFeedback
        fields = ["received_on", "channel", "content"]
        widgets = {"received_on": DATE, "content": TEXT}

    def clean_person_phone(self):
        value = self.cleaned_data.get("person_phone", "").strip()
        if value:
            try:
                return pii.normalize_phone(value)
            except ValueError as e:
                raise forms.ValidationError(str(e)) from None
        return value

    def save(self, commit=True):
        self.instance.set_person(self.cleaned_data.get("person_name"), self.cleaned_data.get("person_phone"))
        return super().save(commit)


class HandlingForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = NoticeFeedback
        fields = ["handling", "handled_on"]
        widgets = {"handled_on": DATE, "handling": TEXT}

    def clean(self):
        data = super().clean()
        if not (data.get("handling") or "").strip() or not data.get("handled_on"):
            raise forms.ValidationError(_("请填写办理情况和办结日期"))
        return data


class StepForm(forms.Form):
    step = forms.ChoiceField(label=_("操作"), choices=[("publish", _("发布")), ("withdraw", _("撤回"))])
    date = forms.DateField(label=_("日期"), required=False)
    reason = forms.CharField(label=_("撤回原因"), required=False, max_length=500)
