from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "xiezuo.assets"
    verbose_name = _("资产后续管理")
    nav_items = [(_("资产管理"), "asset_list")]

    def ready(self):
        from . import figures  # noqa: F401  registers the `assets` section
