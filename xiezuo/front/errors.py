"""Error pages that never show a traceback.

When the database cannot be reached, every page would fail the same way; the
user gets one clear page (or JSON for the API) with status 503 instead of a
generic 500, and the details go to the log only.
"""

import logging
import re
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext_lazy as _

log = logging.getLogger("xiezuo")

DB_DOWN = _("数据库暂时无法连接，请稍后再试；如持续出现，请联系系统管理员。")
SERVER_ERROR = _("服务器内部错误，已记录，请稍后再试或联系系统管理员。")


def _is_db_down(exc):
    # Both the connection failing and the server going away mid-request.
    return isinstance(exc, (OperationalError, InterfaceError)) or (
        isinstance(exc, DatabaseError) and "connect" in str(exc).lower()
    )


def server_error(request):
    exc = sys.exc_info()[1]
    down = exc is not None and _is_db_down(exc)
    status = 503 if down else 500
    message = DB_DOWN if down else SERVER_ERROR
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    # Rendered without the request: the context processors may need the
    # database that just failed.
    html = render_to_string("error.html", {"status": status, "message": message})
    return HttpResponse(html, status=status)


FORBIDDEN = _("您的账户无权查看或执行此操作。如需权限，请联系本结对的管理员。")
NOT_FOUND = _("没有找到该页面或记录：它可能已被删除，或不在您可以查看的结对之内。")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _ours_in_english(exception):
    """In English our refusals carry no Chinese: tell them from Django's by
    their shape (a URL that matched nothing gives a dict, get_object_or_404
    "No … matches the given query.")."""
    if get_language() == settings.LANGUAGE_CODE or exception is None or not exception.args:
        return False
    reason = exception.args[0]
    return isinstance(reason, str) and bool(reason) and not DJANGO_404.match(reason)


DJANGO_404 = re.compile(r"No .* matches the given query\.$|.* does not exist$")


def _page(request, exception, status, default):
    # Our own refusals carry a Chinese reason ("只有审计/纪检和管理员可以查看审计日志");
    # Django's (a URL that matches nothing) do not, and say nothing useful.
    reason = str(exception or "")
    message = reason if _CJK.search(reason) or _ours_in_english(exception) else default
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "error_page.html", {"status": status, "message": message}, status=status)


def permission_denied(request, exception=None):
    """403 in the site's layout, in Chinese, with a way back."""
    return _page(request, exception, 403, FORBIDDEN)


def page_not_found(request, exception=None):
    """404 in the site's layout, in Chinese, with a way back."""
    return _page(request, exception, 404, NOT_FOUND)
