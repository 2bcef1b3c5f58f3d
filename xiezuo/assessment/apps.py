from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "xiezuo.assessment"
    verbose_name = "考核、看板与报告"
