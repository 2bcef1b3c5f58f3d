"""The rule the project life cycle asks of this app: a project is handed
over (资产移交) only with at least one registered asset. Kept here so that
`funds.models.Project.transition` holds one line for it; this module imports
nothing of funds at load time."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext


def check_handover(project, to):
    """Refuse the step to 资产移交 of a project without a registered asset."""
    if to != project.HANDED_OVER:
        return
    from .models import DISPOSED, Asset

    if not Asset.objects.filter(project_id=project.pk).exclude(status=DISPOSED).exists():
        raise ValidationError({"status": gettext(
            "项目移交前须登记资产：请先在项目页“登记资产”登记移交形成的资产（类别、价值、确权单位、移交文件），再办理资产移交")})
