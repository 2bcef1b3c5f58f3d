from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "xiezuo.audit"
    verbose_name = "审计日志"
