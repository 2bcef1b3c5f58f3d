from django.utils.translation import gettext as _, gettext_lazy


class SecurityHeadersMiddleware:
    """Add a Content-Security-Policy: everything is served from this server
    (county intranets have no internet), no inline scripts."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class NoStoreMiddleware:
    """Keep responses that may carry personal data out of every cache.

    Any page a signed-in user gets may name people (names, masked numbers,
    rosters, exports), and a shared office computer or a proxy must not keep
    it: `Cache-Control: no-store` (plus `Pragma: no-cache` for HTTP/1.0
    proxies) on every response to an authenticated user and on every API
    response, whoever asks (a Bearer token is read after this middleware
    runs). Static files are served by WhiteNoise before this and stay
    cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.private(request):
            if "no-store" not in response.headers.get("Cache-Control", ""):
                response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

    @staticmethod
    def private(request):
        from django.conf import settings

        if request.path.startswith(settings.STATIC_URL):
            return False
        if request.path.startswith("/api/"):
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)


# Characters refused in any text that arrives: the C0 controls (NUL first of
# all: PostgreSQL cannot store it in text and answered 500), DEL, the C1
# controls and lone surrogates (which no database encoding accepts). Tab,
# newline and carriage return remain, because multi-line fields (notes,
# purposes, addresses pasted from Excel) legitimately carry them.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


def bad_character(text):
    """Return the first refused character of `text`, or None."""
    for ch in text:
        code = ord(ch)
        if (code < 0x20 and ch not in _ALLOWED_CONTROLS) or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
            return ch
    return None


def _first_bad_json(value, path):
    """Walk a parsed JSON document; return (parameter path, character) of
    the first refused character in a key or a string, or None."""
    if isinstance(value, str):
        ch = bad_character(value)
        return (path, ch) if ch else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            ch = bad_character(str(key))
            if ch:
                return (name, ch)
            found = _first_bad_json(item, name)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_bad_json(item, f"{path}[{i}]")
            if found:
                return found
    return None


class BadInputMiddleware:
    """Refuse, with 400 and a Chinese message naming the parameter, any
    request whose query string, form fields or JSON body hold a control
    character other than tab, newline and carriage return.

    Why a middleware rather than a validator on every form and schema: the
    fault is the same wherever it appears (PostgreSQL refuses NUL in text,
    SQLite would keep it and pass it on to Excel exports), and the input
    reaches the database by many roads that no form sees — search boxes
    (`?q=`), list filters, cursors, API query parameters, ninja bodies.
    One check in front of every view covers the pages, the API and every
    route added later, so no module can forget it; a per-field validator
    would have to be repeated in some hundred places and would miss query
    parameters read straight from `request.GET`. Uploaded files are not
    examined here: their content is checked by `lib.uploads` and the ledger
    importer, which name the cell.
    """

    MESSAGE = gettext_lazy("参数“{name}”含有不允许的控制字符（U+{code:04X}），请删除后重试。")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = self.first_bad(request)
        if found:
            return self.refuse(request, *found)
        return self.get_response(request)

    def first_bad(self, request):
        for source in (request.GET, self._form(request)):
            for name, values in source.lists():
                ch = bad_character(name)
                if ch:
                    return (name, ch)
                for value in values:
                    ch = bad_character(value)
                    if ch:
                        return (name, ch)
        content_type = request.content_type or ""
        form = content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        # The API reads a body as JSON whatever its declared type, so every
        # API body that is not a form is looked into as JSON too.
        if content_type == "application/json" or content_type.endswith("+json") or (
                request.path.startswith("/api/") and not form and request.method in ("POST", "PUT", "PATCH")):
            import json

            try:
                document = json.loads(request.body or b"null")
            except (ValueError, UnicodeDecodeError):
                # Malformed JSON is the API's own 400; nothing to look into.
                return None
            return _first_bad_json(document, "")
        return None

    @staticmethod
    def _form(request):
        from django.http import QueryDict
        from django.http.multipartparser import MultiPartParserError

        if request.method != "POST" or request.content_type not in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            return QueryDict()
        try:
            return request.POST
        except (MultiPartParserError, ValueError):
            # A broken upload is the view's business (Django answers 400);
            # there are no fields here to look at.
            return QueryDict()

    def refuse(self, request, name, ch):
        from django.http import HttpResponse, JsonResponse
        from django.template.loader import render_to_string

        # The name itself may hold the bad character: show it escaped.
        shown = "".join(c if not bad_character(c) else f"\\u{ord(c):04x}" for c in (name or _("请求体")))
        message = self.MESSAGE.format(name=shown, code=ord(ch))
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
        return HttpResponse(render_to_string("error.html", {"status": 400, "message": message}), status=400)
