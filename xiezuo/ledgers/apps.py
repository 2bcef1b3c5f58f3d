from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "xiezuo.ledgers"
    verbose_name = _("台账导入导出")
    nav_items = [(_("台账导入导出"), "ledger_index")]
