from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "xiezuo.notices"
    verbose_name = _("公告公示")
    nav_items = [(_("公告公示"), "notice_list")]
