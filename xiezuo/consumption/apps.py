from django.apps import AppConfig


class ConsumptionConfig(AppConfig):
    name = "xiezuo.consumption"
    verbose_name = "消费帮扶"
    nav_items = [("消费帮扶", "consumption_sales"), ("832预留份额", "consumption_share832")]

    def ready(self):
        from . import figures  # noqa: F401  registers the `consumption` section
