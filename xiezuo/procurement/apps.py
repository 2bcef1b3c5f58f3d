from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "xiezuo.procurement"
    verbose_name = _("招投标与发包监督")
    nav_items = [
        (_("招投标监督"), "procurement_tenders"),
        (_("预警线索"), "procurement_findings"),
        (_("监督规则"), "procurement_rules"),
    ]

    def ready(self):
        from . import figures  # noqa: F401  registers the `procurement` section
