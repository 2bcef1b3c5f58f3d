from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "xiezuo.library"
    verbose_name = _("项目库")
    nav_items = [(_("项目库"), "library_list")]
