from django.apps import AppConfig


class IndustryConfig(AppConfig):
    name = "xiezuo.industry"
    verbose_name = "产业合作与交流互访"
