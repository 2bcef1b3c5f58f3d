"""The JSON API under /api/v1/.

Authentication is a per-user Bearer token (stored hashed) or the browser
session (for the dashboards' own charts). Every router reaches data through
`xiezuo.accounts.scope`, exactly like the pages. Module routers are found by
convention: an installed app with an `api` module exposing `router` is mounted
under its `api_prefix`.
"""

from importlib import import_module

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as RequestInvalid
from ninja.security import HttpBearer, SessionAuth

from xiezuo.accounts.models import APIToken
from xiezuo.audit.context import set_actor


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = APIToken.objects.authenticate(token)
        if user is not None:
            request.user = user
            set_actor(user)
        return user


class Session(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user and user.is_active else None


ERROR_RESPONSES = {
    "400": "请求格式错误（如不是有效的 JSON）",
    "401": "未登录或令牌无效",
    "403": "无权执行此操作",
    "404": "不存在或无权访问（其他结对的数据一律按不存在处理）",
    "409": "与他人的修改冲突",
    "412": "If-Match 与当前版本不符：记录已被他人修改",
    "422": "参数或数据校验失败",
    "428": "缺少 If-Match 请求头",
}


class XiezuoAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Document the error answers every operation can give, with the
        shape the exception handlers below produce."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = {
            "type": "object",
            "properties": {
                "detail": {"anyOf": [{"type": "string"}, {"type": "array"}]},
                "errors": {"type": "object"},
            },
            "required": ["detail"],
        }
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for code, text in ERROR_RESPONSES.items():
                    responses.setdefault(code, {
                        "description": text,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    })
        return schema


api = XiezuoAPI(
    title="Xiezuo 东西部协作 API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), Session()],
    description="东西部协作台账数据接口。金额为人民币元的十进制字符串，计数为整数。",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("不存在或无权访问")}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("无权执行此操作")}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": _("未登录或令牌无效")}, status=401)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    if hasattr(exc, "message_dict"):
        errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    return api.create_response(request, {"detail": _("数据校验失败"), "errors": errors}, status=422)


YEAR_PARAMS = {"year", "from", "to"}


def _chinese(error):
    """One pydantic error of a request, in Chinese."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body", "data")]
    name = ".".join(loc) or _("请求")
    if loc and loc[-1] in YEAR_PARAMS and kind in ("greater_than_equal", "less_than_equal"):
        return name, _("年度应在2000至2100之间")
    text = {
        "missing": _("为必填项"),
        "int_parsing": _("应为整数"),
        "int_from_float": _("应为整数"),
        "greater_than_equal": _("不能小于%(get)s") % {"get": ctx.get('ge')},
        "less_than_equal": _("不能大于%(get)s") % {"get": ctx.get('le')},
        "literal_error": _("应为以下值之一：%(get)s") % {"get": ctx.get('expected', '')},
        "enum": _("应为以下值之一：%(get)s") % {"get": ctx.get('expected', '')},
        "decimal_parsing": _("应为数字"),
        "date_from_datetime_parsing": _("应为日期（YYYY-MM-DD）"),
        "date_parsing": _("应为日期（YYYY-MM-DD）"),
        "string_type": _("应为文本"),
        "bool_parsing": _("应为 true 或 false"),
    }.get(kind, _("格式不正确"))
    return name, _("参数“%(name)s”%(text)s") % {"name": name, "text": text}


@api.exception_handler(RequestInvalid)
def request_invalid(request, exc):
    """Parameters or a body that do not fit the schema: 422 with the reasons
    in Chinese (pydantic words them in English), each naming its parameter."""
    errors = {}
    for error in exc.errors:
        name, message = _chinese(error)
        errors.setdefault(name, []).append(message)
    detail = "；".join(dict.fromkeys(m for messages in errors.values() for m in messages))
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def _mount_module_routers():
    for config in apps.get_app_configs():
        if not config.name.startswith("xiezuo."):
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as e:
            if e.name != f"{config.name}.api":
                raise
            continue
        api.add_router(getattr(module, "api_prefix", ""), module.router)


_mount_module_routers()
