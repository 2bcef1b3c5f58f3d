from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "xiezuo.funds"
    verbose_name = "资金与项目"
