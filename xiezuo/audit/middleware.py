from .context import acting_as


def client_ip(request):
    # Behind nginx the real address comes in X-Real-IP, set by our own proxy
    # configuration (docs/DEPLOY.md); X-Forwarded-For can be forged by clients.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        with acting_as(user, ip=client_ip(request), username=None if user else "anonymous"):
            return self.get_response(request)
