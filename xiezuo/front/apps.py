from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontConfig(AppConfig):
    name = "xiezuo.front"
    verbose_name = _("界面")
