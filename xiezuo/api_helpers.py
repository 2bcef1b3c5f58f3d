"""Helpers for API endpoints of every module."""

from ninja.errors import HttpError


def etag_of(instance):
    return f'"{instance._meta.label_lower}-{instance.pk}-v{instance.version}"'


def loaded_version_from(request, instance):
    """Return the version named by If-Match, or raise 428/412 in Chinese.

    Updates through the API must say which version they change, so that two
    clients editing one record cannot silently overwrite each other.
    """
    header = request.headers.get("If-Match")
    if not header:
        raise HttpError(428, "修改须带 If-Match 请求头（取自读取该记录时返回的 ETag），以免覆盖他人的修改")
    if header.strip() != etag_of(instance):
        raise HttpError(412, "此记录已被他人修改（ETag 不符），本次未保存。请重新读取后再修改。")
    return instance.version
