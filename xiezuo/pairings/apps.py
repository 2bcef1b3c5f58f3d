from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairingsConfig(AppConfig):
    name = "xiezuo.pairings"
    verbose_name = _("结对与单位")

    def ready(self):
        from . import figures  # noqa: F401  registers the `pairing` section
