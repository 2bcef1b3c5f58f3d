from django.apps import AppConfig


class LabourConfig(AppConfig):
    name = "xiezuo.labour"
    verbose_name = "劳务协作与人才交流"
    nav_items = [("劳务协作", "labour_overview"), ("人才交流", "labour_talent_list")]

    def ready(self):
        from . import figures  # noqa: F401  registers the `labour` and `talent` sections
