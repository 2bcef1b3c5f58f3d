from django.apps import AppConfig


class LabourConfig(AppConfig):
    name = "xiezuo.labour"
    verbose_name = "劳务协作与人才交流"
