from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lib.uploads import SPREADSHEET_TYPES
from xiezuo.front.forms import BootstrapMixin, checked_upload

from .models import ImportJob


class UploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("表格文件（.xlsx、.xls、.et、.ods）"))
    mode = forms.ChoiceField(label=_("导入方式"), choices=ImportJob.MODES, initial="append")

    def clean_file(self):
        # The one upload check (a spreadsheet by its content, within the size
        # limit); the importer then checks the workbook's parts themselves.
        limit = getattr(settings, "XIEZUO_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
        return checked_upload(self.cleaned_data["file"], SPREADSHEET_TYPES, limit)


class MappingForm(BootstrapMixin, forms.Form):
    """One select per unknown header: which field it holds, or ignore it."""

    def __init__(self, *args, spec, headers, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("（不导入）")), ("-", _("忽略此列，以后不再询问"))]
        choices += [(c.field, c.title) for c in spec.columns]
        self.headers = list(dict.fromkeys(headers))
        for i, header in enumerate(self.headers):
            self.fields[f"h{i}"] = forms.ChoiceField(label=header, choices=choices, required=False)

    def mapping(self):
        return {h: self.cleaned_data[f"h{i}"] for i, h in enumerate(self.headers) if self.cleaned_data.get(f"h{i}")}


class SheetsForm(forms.Form):
    """The sheets of a workbook to import, among those the preview found."""

    def __init__(self, *args, names, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"] = forms.MultipleChoiceField(choices=[(n, n) for n in names], required=False)

    def clean_sheet(self):
        chosen = self.cleaned_data["sheet"]
        if not chosen:
            raise forms.ValidationError(_("请至少勾选一个工作表"))
        return chosen
