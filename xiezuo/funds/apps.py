from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "xiezuo.funds"
    verbose_name = "资金与项目"
    nav_items = [("资金与项目", "funds_overview"), ("项目", "project_list"), ("资金到位", "receipt_list"),
                 ("资金拨付", "disbursement_list")]

    def ready(self):
        from . import figures  # noqa: F401  registers the `funds` section
