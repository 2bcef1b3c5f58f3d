from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabourConfig(AppConfig):
    name = "xiezuo.labour"
    verbose_name = _("劳务协作与人才交流")
    nav_items = [(_("劳务协作"), "labour_overview"), (_("人才交流"), "labour_talent_list")]

    def ready(self):
        from . import figures  # noqa: F401  registers the `labour` and `talent` sections
