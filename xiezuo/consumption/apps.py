from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsumptionConfig(AppConfig):
    name = "xiezuo.consumption"
    verbose_name = _("消费帮扶")
    nav_items = [(_("消费帮扶"), "consumption_sales"), (_("832预留份额"), "consumption_share832")]

    def ready(self):
        from . import figures  # noqa: F401  registers the `consumption` section
