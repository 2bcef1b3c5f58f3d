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
