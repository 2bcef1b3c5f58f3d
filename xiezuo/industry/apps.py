from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndustryConfig(AppConfig):
    name = "xiezuo.industry"
    verbose_name = _("产业合作与交流互访")
    nav_items = [
        (_("产业合作"), "industry_home"),
        (_("互访与会议"), "industry_visits_list"),
        (_("合作事项看板"), "industry_board"),
    ]

    def ready(self):
        from . import figures  # noqa: F401  registers the `industry` and `exchanges` sections
