from importlib import import_module

from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from xiezuo.api import api


def _module_urls():
    """Mount every domain app that has a `urls` module (convention over a
    central list, so a new module plugs in by being installed)."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("xiezuo.") or config.name == "xiezuo.front":
            continue
        try:
            import_module(f"{config.name}.urls")
        except ModuleNotFoundError as e:
            if e.name != f"{config.name}.urls":
                raise
            continue
        found.append(path("", include(f"{config.name}.urls")))
    return found


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    *_module_urls(),
    path("", include("xiezuo.front.urls")),
]
# No /media/ route, not even under DEBUG: uploaded files leave only through
# views that check the owning record's pairing (xiezuo.front.downloads).

handler403 = "xiezuo.front.errors.permission_denied"
handler404 = "xiezuo.front.errors.page_not_found"
handler500 = "xiezuo.front.errors.server_error"
