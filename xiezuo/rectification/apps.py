from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "xiezuo.rectification"
    verbose_name = _("问题整改")
    nav_items = [(_("问题整改"), "rectification_list")]

    def ready(self):
        from . import figures  # noqa: F401  registers the `rectification` section
