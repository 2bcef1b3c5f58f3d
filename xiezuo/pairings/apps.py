from django.apps import AppConfig


class PairingsConfig(AppConfig):
    name = "xiezuo.pairings"
    verbose_name = "结对与单位"

    def ready(self):
        from . import figures  # noqa: F401  registers the `pairing` section
