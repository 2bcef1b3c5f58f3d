from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DownloadsConfig(AppConfig):
    name = "xiezuo.downloads"
    verbose_name = _("下载文件")
