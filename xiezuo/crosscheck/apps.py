from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrosscheckConfig(AppConfig):
    name = "xiezuo.crosscheck"
    verbose_name = _("口径核对")
    nav_items = [(_("口径核对"), "crosscheck_check"), (_("信息简报"), "crosscheck_briefings")]
