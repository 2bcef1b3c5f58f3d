from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "xiezuo.front"
    verbose_name = "界面"
