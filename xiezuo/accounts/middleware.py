from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _


class PasswordChangeRequiredMiddleware:
    """Send a user whose password was set by someone else to the password
    page until they have chosen their own.

    An administrator or office knows that temporary password, so nothing
    else may be done with it. The login, logout and password pages, the
    language switch and static files pass; API calls with a Bearer token are
    the token's business, not the session's, and pass too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.must_change_password and not self._passes(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("请先修改初始密码或临时密码")}, status=403)
            target = reverse("password_change")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _passes(request):
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return True
        open_paths = (reverse("login"), reverse("logout"), reverse("password_change"), reverse("set_language"))
        return request.path in open_paths or request.path.startswith(settings.STATIC_URL)
