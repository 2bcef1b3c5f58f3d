from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "xiezuo.funds"
    verbose_name = _("资金与项目")
    nav_items = [(_("资金与项目"), "funds_overview"), (_("项目"), "project_list"), (_("资金到位"), "receipt_list"),
                 (_("资金拨付"), "disbursement_list")]

    def ready(self):
        from . import figures  # noqa: F401  registers the `funds` section
