"""Every file field goes through the one upload check (`lib.uploads`): type
by content, size, no active content. On the old code a sale voucher of
200 MB, assessment evidence in .html and procurement documents in HTML or
SVG were accepted."""

import inspect

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from xiezuo.assessment.forms import ManualActualForm
from xiezuo.consumption.forms import SaleForm
from xiezuo.procurement.forms import DocumentForm

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOSTILE = {
    "page.html": b"<html><script>alert(1)</script></html>",
    "drawing.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "fake.pdf": b"<html><script>alert(1)</script></html>",  # a page renamed .pdf
}
FIELDS = [(SaleForm, "voucher"), (ManualActualForm, "evidence"), (DocumentForm, "file")]


def cleaned(form_class, field, upload):
    """Run the field's own clean method, as the form does on a POST."""
    form = form_class.__new__(form_class)
    form.cleaned_data = {field: upload}
    return getattr(form, f"clean_{field}")()


@pytest.mark.parametrize("form_class,field", FIELDS)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_active_or_disguised_content_is_refused(form_class, field, name):
    with pytest.raises(ValidationError, match=name):
        cleaned(form_class, field, SimpleUploadedFile(name, HOSTILE[name]))


@pytest.mark.parametrize("form_class,field", FIELDS)
def test_a_file_over_the_limit_is_refused_and_a_small_one_kept(settings, form_class, field):
    settings.XIEZUO_MAX_UPLOAD_BYTES = 64 * 1024
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (64 * 1024))
    with pytest.raises(ValidationError, match="超过上限"):
        cleaned(form_class, field, big)
    small = SimpleUploadedFile("small.pdf", PDF)
    assert cleaned(form_class, field, small) is small


def test_every_file_field_of_every_form_has_the_upload_check():
    """A form added later with a file field must call the one check too."""
    missing = []
    for app in apps.get_app_configs():
        if not app.name.startswith("xiezuo."):
            continue
        try:
            module = __import__(f"{app.name}.forms", fromlist=["*"])
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not (issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__):
                continue
            fields = getattr(cls, "base_fields", {})
            for name, f in fields.items():
                if isinstance(f, forms.FileField):
                    method = getattr(cls, f"clean_{name}", None)
                    source = inspect.getsource(method) if method else ""
                    # Or the model field's own validator runs the check.
                    model = getattr(getattr(cls, "_meta", None), "model", None)
                    if model is not None:
                        source += "".join(inspect.getsource(v) for v in model._meta.get_field(name).validators
                                          if inspect.isfunction(v))
                    # validate_minutes is the meeting minutes' wrapper of check_upload (forms and API).
                    if not any(h in source for h in ("checked_upload", "check_upload", "validate_minutes")):
                        missing.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert missing == []
