"""Helpers for API endpoints of every module."""

from ninja.errors import HttpError
from django.utils.translation import gettext as _


def etag_of(instance):
    return f'"{instance._meta.label_lower}-{instance.pk}-v{instance.version}"'


def loaded_version_from(request, instance):
    """Return the version named by If-Match, or raise 428/412 in Chinese.

    Updates through the API must say which version they change, so that two
    clients editing one record cannot silently overwrite each other.
    """
    header = request.headers.get("If-Match")
    if not header:
        raise HttpError(428, _("修改须带 If-Match 请求头（取自读取该记录时返回的 ETag），以免覆盖他人的修改"))
    if header.strip() != etag_of(instance):
        raise HttpError(412, _("此记录已被他人修改（ETag 不符），本次未保存。请重新读取后再修改。"))
    return instance.version


# The If-Match header of a state change (a transition, a confirmation), in
# the schema: such POSTs carry no body field for the version, so without this
# a client reading the schema would not know the header is required.
IF_MATCH = {"parameters": [{
    "in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
    "description": "读取该记录时返回的 ETag；缺少为 428，记录已被他人修改为 412",
}]}


def state_change(request, instance, change):
    """Run `change(loaded_version)` with the version named by If-Match.

    The model method compares it again under its row lock; a change that
    slipped in between this read and the lock is the same stale screen as a
    wrong ETag, so it answers 412 too, with the model's Chinese message.
    """
    from django.core.exceptions import ValidationError

    loaded = loaded_version_from(request, instance)
    try:
        return change(loaded)
    except ValidationError as e:
        if getattr(e, "code", None) == "conflict":
            raise HttpError(412, e.messages[0]) from None
        raise


def save_or_409(save):
    """Run `save()` (a form's save under its version check) and return what it
    returns; a conflict with a save that won becomes HTTP 409 with its message."""
    from django.core.exceptions import ValidationError
    from ninja.errors import HttpError

    try:
        return save()
    except ValidationError as e:
        if getattr(e, "code", None) == "conflict":
            raise HttpError(409, e.messages[0]) from None
        raise
