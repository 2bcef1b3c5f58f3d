"""Form helpers shared by every module."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from lib.money import parse_amount
from lib.uploads import DOCUMENT_TYPES, check_upload


def checked_upload(f, allowed=DOCUMENT_TYPES, max_bytes=None):
    """Return a newly uploaded file after `lib.uploads.check_upload` (type by
    content, size, images re-encoded without metadata), or raise a form
    error. A file already stored (an edit that keeps it) is returned as is."""
    if not isinstance(f, UploadedFile):
        return f
    try:
        check_upload(f, allowed, max_bytes or settings.XIEZUO_MAX_UPLOAD_BYTES)
    except ValueError as e:
        raise ValidationError(str(e)) from None
    return f


CONFLICT = _("此记录已被他人修改（您打开后又有人保存过），为避免覆盖，本次未保存。请刷新页面查看最新内容后重新修改。")
VERSION_MISSING = _("修改缺少所读取的版本号，无法确认没有覆盖他人的修改，本次未保存。请刷新页面后重新修改。")


def save_versioned(instance, loaded_version, save=None):
    """Save `instance` only if its row still has `loaded_version`.

    The row is locked for the check, so of two concurrent savers exactly one
    wins and the other gets ValidationError(code="conflict"); `save` may do
    the writing (a form's save with its related rows). A missing version is
    refused too: an edit that does not say what it read cannot be checked,
    and treating it as "no check" let any client overwrite silently.
    """
    if loaded_version is None:
        raise ValidationError(VERSION_MISSING, code="conflict")
    with transaction.atomic():
        current = type(instance).objects.select_for_update().filter(pk=instance.pk).values_list(
            "version", flat=True).first()
        if current is None or loaded_version != current:
            raise ValidationError(CONFLICT, code="conflict")
        instance.version = current + 1
        (save or instance.save)()
    return instance


STALE_ACTION = _("此记录已被他人修改（您打开页面后又有人保存过），本次操作未执行。请刷新后重试。")
ACTION_VERSION_MISSING = _("操作缺少所读取的版本号，无法确认您看到的是最新内容，本次操作未执行。请刷新后重试。")


# The default of the model methods' `loaded_version`: the version of the
# instance the method is called on, i.e. what the caller itself read. Pages
# and the API pass the version the person saw instead.
AS_READ = object()


def check_version(current, loaded_version, read=None):
    """Refuse a state change made from a screen that is no longer current.

    Called by the model methods under the row lock they already hold, with
    `current` the locked row: the version the person looked at must still be
    the row's, or the action (a confirmation of an amount someone has since
    changed, say) would apply to something they never saw. A missing version
    is refused as well, for the same reason as in `save_versioned`.
    `read` is the caller's instance, whose version AS_READ stands for.
    """
    if loaded_version is AS_READ:
        loaded_version = read.version
    if loaded_version is None:
        raise ValidationError(ACTION_VERSION_MISSING, code="conflict")
    if loaded_version != current.version:
        raise ValidationError(STALE_ACTION, code="conflict")


def loaded_version_of(data):
    """The `loaded_version` a page's form posted, or None when it is missing,
    empty or not a whole number (all refused alike by `check_version`)."""
    value = (data.get("loaded_version") or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


MONEY_UNITS = ("元", "万元")


class MoneyInput(forms.TextInput):
    """A text box for the number and a switch for its unit (元 or 万元).

    The unit travels as `<name>_unit`; without it (an API call, a test
    posting `amount=…`) the number is in 元, as before the switch existed.
    """

    def value_from_datadict(self, data, files, name):
        return (data.get(name), data.get(f"{name}_unit") or "元")

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def format_value(self, value):
        if isinstance(value, tuple):
            value = value[0]
        if isinstance(value, Decimal):
            return format(value.quantize(Decimal("0.01")), "f")
        return super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):
        unit = value[1] if isinstance(value, tuple) and value[1] in MONEY_UNITS else "元"
        attrs = dict(attrs or {}, inputmode="decimal")
        box = super().render(name, value, attrs, renderer)
        options = format_html_join("", '<option value="{}"{}>{}</option>',
                                   ((u, " selected" if u == unit else "", _(u)) for u in MONEY_UNITS))
        return format_html('<div class="input-group money-input">{}<select name="{}_unit" class="form-select money-unit" '
                           'aria-label="{}">{}</select></div>', box, name, _("金额单位"), options)


def _without_unit(label):
    """The label without its "（元）" (or its English), read in the reader's language."""
    text = str(label)
    for unit in ("（元）", " (yuan)"):
        if text.endswith(unit):
            return text[:-len(unit)]
    return text


class MoneyField(forms.DecimalField):
    """Every money field of the forms: typed in 元 or 万元 (the switch beside
    it), or as offices write it (399万, 3,990,000, 叁佰玖拾玖万元: a unit
    written in the box wins over the switch), stored as Decimal 元, converted
    exactly: an amount finer than the cent is refused, never rounded.
    Models pass their max_digits and decimal_places through `field_classes`."""

    widget = MoneyInput

    def __init__(self, *args, allow_negative=True, **kwargs):
        # Negative amounts are left to the model's rules (which say what the
        # amount must be, 金额应大于0) unless a form refuses them here.
        self.allow_negative = allow_negative
        for bound in ("max_value", "min_value", "step_size"):
            kwargs.pop(bound, None)
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)
        # The unit is the switch's; a label still saying （元） would contradict it.
        if self.label is not None:
            self.label = lazy(_without_unit, str)(self.label)

    def widget_attrs(self, widget):
        return {}  # no number-box attributes (step, min): the box takes 399万 too

    def to_python(self, value):
        text, unit = value if isinstance(value, tuple) else (value, "元")
        if text in self.empty_values or (isinstance(text, str) and not text.strip()):
            return None
        if unit not in MONEY_UNITS:
            raise ValidationError(_("金额单位“%(unit)s”无法识别，只能选元或万元") % {"unit": unit}, code="invalid")
        try:
            amount = parse_amount(text, unit, exact=True)
        except ValueError as e:
            raise ValidationError(str(e), code="invalid") from None
        if amount < 0 and not self.allow_negative:
            raise ValidationError(_("金额不能为负数（填写的是%(text)s%(value)s）") % {"text": text, "value": unit if unit != '元' else ''}, code="negative")
        return amount

    def validate(self, value):
        forms.Field.validate(self, value)

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (None if initial in self.empty_values else Decimal(initial))
        except (ValidationError, ArithmeticError, TypeError):
            return True


class BootstrapMixin:
    """Give widgets Bootstrap classes so every form looks the same."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"


class VersionedForm(BootstrapMixin, forms.ModelForm):
    """A ModelForm with optimistic locking on the model's `version` field.

    The version the user loaded travels in a hidden field; saving checks it
    against the row, locked, inside the transaction, so of two users editing
    the same record the second is refused instead of silently overwriting.
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        # An edit must carry the version it was made from; a new record has
        # none to carry. Refused here, before anything is saved, so the user
        # sees the message on the form.
        if self.instance.pk and cleaned.get("loaded_version") is None and "loaded_version" not in self.errors:
            self.add_error(None, ValidationError(VERSION_MISSING, code="version_missing"))
        return cleaned

    def validate_unique(self):
        # Django skips constraints that involve fields not on the form (the
        # pairing is set by the view), which would let a duplicate reach the
        # database as an IntegrityError. Check them all and show the message.
        try:
            self.instance.validate_unique()
            self.instance.validate_constraints()
        except ValidationError as e:
            for field, messages in e.update_error_dict({}).items():
                self.add_error(field if field in self.fields else None, messages)

    def save(self, commit=True):
        instance = super().save(commit=False)
        if not commit:
            return instance
        def write():
            instance.save()
            self.save_m2m()

        if instance.pk:
            return save_versioned(instance, self.cleaned_data.get("loaded_version"), save=write)
        with transaction.atomic():
            write()
        return instance


def save_or_conflict(form):
    """Save a VersionedForm; on a conflict attach the message to the form and
    return None."""
    try:
        return form.save()
    except ValidationError as e:
        if getattr(e, "code", None) != "conflict":
            raise
        form.add_error(None, e)
        return None
