from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "xiezuo.procurement"
    verbose_name = "招投标与发包监督"
