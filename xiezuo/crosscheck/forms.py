import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lib.uploads import check_upload
from xiezuo.front.forms import BootstrapMixin, VersionedForm

from .models import Briefing, Term, path_choices
from .services import docx_text

MAX_TEXT = 200_000  # characters: a long 总结 is some tens of thousands
MAX_DOCX_BYTES = 10 * 1024 * 1024


class CheckForm(BootstrapMixin, forms.Form):
    """The one input path of a check: the page posts text or a .docx, the
    API posts text; both come through here."""

    text = forms.CharField(label=_("文稿内容"), required=False, max_length=MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 10}),
                           help_text=_("粘贴简报、总结或新闻稿的文字，或在下方上传 .docx 文件"))
    file = forms.FileField(label=_("或上传 Word 文件（.docx）"), required=False)
    date = forms.DateField(label=_("文稿日期"), required=False,
                           error_messages={"invalid": _("文稿日期无法识别，请写成2022-07-01")},
                           help_text=_("“今年”“去年”按此日期确定年度；留空为今天"))

    def __init__(self, *args, uploads=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not uploads:
            del self.fields["file"]
        if not self.is_bound:
            self.fields["date"].initial = timezone.localdate()

    def clean_file(self):
        f = self.cleaned_data.get("file")
        if not f:
            return None
        try:
            check_upload(f, ("docx",), MAX_DOCX_BYTES)
            text = docx_text(f)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from None
        except Exception:  # a zip that python-docx cannot read as a document
            raise forms.ValidationError(_("文件“%(name)s”无法读取为 Word 文档，可能已损坏") % {"name": f.name}) from None
        if len(text) > MAX_TEXT:
            raise forms.ValidationError(_("文件“%(name)s”的文字超过%(MAX_TEXT)s字，请分段核对") % {"name": f.name, "MAX_TEXT": MAX_TEXT})
        return text

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("file") or cleaned.get("text") or ""
        if not text.strip() and not self.errors:
            raise forms.ValidationError(_("请粘贴文稿内容或上传 .docx 文件"))
        cleaned["content"] = text
        cleaned["on"] = cleaned.get("date") or timezone.localdate()
        if not (datetime.date(2000, 1, 1) <= cleaned["on"] <= datetime.date(2100, 12, 31)):
            self.add_error("date", _("文稿日期应在2000年至2100年之间"))
        return cleaned


class TermForm(VersionedForm):
    path = forms.ChoiceField(label=_("台账数字"), choices=(), error_messages={
        "invalid_choice": _("台账数字“%(value)s”不存在，请从列表中选择")})

    class Meta:
        model = Term
        fields = ["label", "words", "units", "context", "path", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["path"].choices = path_choices()
        self.fields["path"].widget.attrs["class"] = "form-select"


class NewBriefingForm(BootstrapMixin, forms.Form):
    """The period of a new 简报 draft: the page's and the API's one input path."""

    period = forms.ChoiceField(label=_("简报周期"), choices=Briefing.PERIODS, initial=Briefing.QUARTER)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    number = forms.IntegerField(label=_("月份或季度"), required=False, min_value=1, max_value=12,
                                help_text=_("月度简报填1—12月，季度简报填1—4季度，年度简报留空"))
    issue_no = forms.IntegerField(label=_("期数"), required=False, min_value=1, max_value=100000,
                                  help_text=_("留空则接续本单位上一期"))
    issuer = forms.CharField(label=_("编发单位"), required=False, max_length=200,
                             help_text=_("留空为本方东西部协作工作领导小组办公室"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        cleaned = super().clean()
        period, number = cleaned.get("period"), cleaned.get("number")
        if period == Briefing.MONTH and not number:
            self.add_error("number", _("月度简报须选择1—12月中的一个月"))
        elif period == Briefing.QUARTER and not (number and number <= 4):
            self.add_error("number", _("季度简报须选择1—4季度中的一个季度"))
        elif period == Briefing.YEAR:
            cleaned["number"] = None
        return cleaned


class BriefingForm(VersionedForm):
    """The draft's text, editable before export: a heading and a text area
    (a paragraph a line) per section."""

    class Meta:
        model = Briefing
        fields = ["title", "issue_no", "issuer", "issued_on", "lead"]
        widgets = {"lead": forms.Textarea(attrs={"rows": 3}), "issued_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n, section in enumerate(self.instance.sections):
            self.fields[f"heading_{n}"] = forms.CharField(
                label=_("小标题"), max_length=200, required=False, initial=section.get("heading", ""),
                widget=forms.TextInput(attrs={"class": "form-control"}))
            self.fields[f"text_{n}"] = forms.CharField(
                label=_("正文（每行一段）"), max_length=20_000, required=False,
                initial="\n".join(section.get("paragraphs", [])),
                widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}))

    def section_fields(self):
        return [(self[f"heading_{n}"], self[f"text_{n}"]) for n in range(len(self.instance.sections))]

    def save(self, commit=True):
        self.instance.sections = [
            {"heading": self.cleaned_data.get(f"heading_{n}", "").strip(),
             "paragraphs": [p.strip() for p in self.cleaned_data.get(f"text_{n}", "").splitlines() if p.strip()]}
            for n in range(len(self.instance.sections))]
        return super().save(commit)
