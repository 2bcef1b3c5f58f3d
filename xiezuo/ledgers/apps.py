from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "xiezuo.ledgers"
    verbose_name = "台账导入导出"
