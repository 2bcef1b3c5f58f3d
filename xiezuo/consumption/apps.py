from django.apps import AppConfig


class ConsumptionConfig(AppConfig):
    name = "xiezuo.consumption"
    verbose_name = "消费帮扶"
