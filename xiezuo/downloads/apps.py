from django.apps import AppConfig


class DownloadsConfig(AppConfig):
    name = "xiezuo.downloads"
    verbose_name = "下载文件"
