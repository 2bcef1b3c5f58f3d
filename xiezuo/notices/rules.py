"""The period rule: a project cannot move past a stage whose notice has not
run its period by the day of the step. Called from `funds.Project.transition`
(one line there); the ledger import of projects is not a transition and is
not held."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from .models import IMPLEMENTATION, LISTING, PLAN, RESULT, STAGES, Notice

# The stages whose notices must have run before a project may move to a
# status: 立项 needs the entry's 入库公示, 招标采购 (past 立项) the 计划公告,
# 完工 (past 实施) the 实施公示, 验收 both the 计划 and 实施 notices (a
# project imported beyond 立项 took neither step), 资产移交 (past 验收) the
# 验收结果公告. 终止 is never held.
NEEDED = {
    "approved": (LISTING,),
    "procurement": (PLAN,),
    "completed": (IMPLEMENTATION,),
    "accepted": (PLAN, IMPLEMENTATION),
    "handed_over": (RESULT,),
}


def notices_of(project, stage):
    if stage == LISTING:
        if not project.library_entry_id:
            return Notice.objects.none()
        qs = Notice.objects.filter(library_entry_id=project.library_entry_id)
    else:
        qs = Notice.objects.filter(project_id=project.pk)
    return qs.filter(stage=stage).prefetch_related("postings", "feedback").select_related(
        "project", "library_entry").order_by("-start_date", "-pk")


def refusal(project, to, day):
    """Return the Chinese sentence saying which notice keeps `project` from
    moving to `to` on `day` and what it lacks, or None."""
    labels = dict(STAGES)
    for stage in NEEDED.get(to, ()):
        notices = list(notices_of(project, stage))
        if not notices:
            return gettext("%(stage)s尚未发布：请先在项目的公告公示中登记并发布，公示期满后才能变更") % {
                "stage": labels[stage]}
        best = None
        for notice in notices:
            missing = notice.missing(day)
            if not missing:
                best = None
                break
            if best is None or len(missing) < len(best[1]):
                best = (notice, missing)
        if best is not None:
            return gettext("%(stage)s%(missing)s") % {"stage": labels[stage], "missing": "；".join(best[1])}
    return None


def check_notices(project, to, day):
    """Raise ValidationError when a notice the step needs has not run its period by `day`."""
    message = refusal(project, to, day)
    if message:
        raise ValidationError({"status": message})
