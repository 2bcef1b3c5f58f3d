"""The 公告公示 section of a project page, read through the scope helper."""

from django import template
from django.utils import timezone

from xiezuo.accounts.scope import scope_for

from ..models import CHANNELS, LISTING, STAGES, Notice

register = template.Library()


@register.inclusion_tag("notices/_project_section.html", takes_context=True)
def project_notices(context, project):
    scope = scope_for(context["request"].user)
    qs = Notice.objects.filter(project=project)
    if project.library_entry_id:
        qs = qs | Notice.objects.filter(library_entry_id=project.library_entry_id)
    qs = scope.filter(qs).prefetch_related("postings", "feedback").select_related("project", "library_entry")
    today = timezone.localdate()
    labels = dict(CHANNELS)
    rows = [(n, n.has_run(today), [labels[p.channel] for p in n.postings.all()])
            for n in qs.order_by("start_date", "pk")]
    return {"rows": rows, "project": project, "stages": [s for s in STAGES if s[0] != LISTING],
            "can_write": scope.has(project.pairing_id, "write")}
