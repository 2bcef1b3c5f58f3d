from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from lib.dates import parse_date
from xiezuo.accounts.scope import scope_for

from . import display
from .models import AuditEvent


def visible_events(user):
    """Return the events of pairings the user may audit; of the events that
    belong to no pairing, those filed under a region (organisations,
    regions) inside the regions of those pairings, and national settings
    (the indicator catalogue, categories, health rules, national rule sets),
    which every auditor reads. Accounts' and other unfiled events stay with
    administrators."""
    scope = scope_for(user)
    if not (scope.is_global or scope.has_any("audit")):
        raise PermissionDenied(_("只有审计/纪检和管理员可以查看审计日志"))
    if scope.is_global:
        return AuditEvent.objects.all()
    unfiled = Q(pairing_id__isnull=True)
    return AuditEvent.objects.filter(
        Q(pairing_id__in=scope.pairing_ids("audit"))
        | (unfiled & scope.region_q(field=None, perm="audit", lookup="region_path__startswith"))
        | (unfiled & Q(region_path="", model__in=national_models())))


def national_models():
    """Return the labels of models whose changes are national settings (`audit_national`)."""
    return [m._meta.label for m in apps.get_models() if getattr(m, "audit_national", False)]


@login_required
def audit_list(request):
    events = visible_events(request.user)
    f = {k: request.GET.get(k, "").strip() for k in ("model", "action", "actor", "object_id", "since", "until")}
    if f["model"]:
        # "Pairing" means pairings.Pairing, not every model of the pairings app.
        events = events.filter(Q(model__iexact=f["model"]) | Q(model__iendswith="." + f["model"]))
    if f["action"]:
        events = events.filter(action=f["action"])
    if f["actor"]:
        events = events.filter(actor_name__icontains=f["actor"])
    if f["object_id"]:
        events = events.filter(object_id=f["object_id"])
    errors = []
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if f[key]:
            try:
                events = events.filter(**{lookup: parse_date(f[key])})
            except ValueError as e:
                errors.append(str(e))
    page = Paginator(events.order_by("-seq"), 50).get_page(request.GET.get("page"))
    for e in page:
        e.what, e.changes, e.said = display.model_name(e.model), display.changes(e), display.summary_text(e.summary)
        e.who = display.actor_name(e.actor_name)
    ctx = {"page": page, "f": f, "actions": AuditEvent.ACTIONS, "errors": errors}
    return render(request, "audit/audit_list.html", ctx)
