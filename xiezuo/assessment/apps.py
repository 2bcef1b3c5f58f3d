from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "xiezuo.assessment"
    verbose_name = _("考核、看板与报告")
    nav_items = [(_("考核看板"), "assessment:dashboard"), (_("年度自评"), "assessment:self_evaluations")]
