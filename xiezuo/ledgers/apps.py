from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "xiezuo.ledgers"
    verbose_name = "台账导入导出"
    nav_items = [("台账导入导出", "ledger_index")]
