"""Error pages that never show a traceback.

When the database cannot be reached, every page would fail the same way; the
user gets one clear page (or JSON for the API) with status 503 instead of a
generic 500, and the details go to the log only.
"""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger("xiezuo")

DB_DOWN = "数据库暂时无法连接，请稍后再试；如持续出现，请联系系统管理员。"
SERVER_ERROR = "服务器内部错误，已记录，请稍后再试或联系系统管理员。"


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
