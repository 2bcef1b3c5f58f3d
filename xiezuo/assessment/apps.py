from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "xiezuo.assessment"
    verbose_name = "考核、看板与报告"
    nav_items = [("考核看板", "assessment:dashboard"), ("年度自评", "assessment:self_evaluations")]
