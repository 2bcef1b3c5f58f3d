from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.front.forms import loaded_version_of
from xiezuo.front.params import id_param, year_param
from xiezuo.funds.forms import save_checked
from xiezuo.funds.models import Project, ProjectCategory

from . import notice
from .forms import EntryForm, StepForm
from .models import LibraryEntry

PER_PAGE = 25
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def years_of(pairing):
    return sorted(set(LibraryEntry.objects.in_subtree(pairing).values_list("year", flat=True).distinct()),
                  reverse=True)


def skipped(scope, pairing):
    """跳步: projects approved without a listed library entry, and listed
    entries without the review or approval steps, in the pairing's tree."""
    # Approved: at 立项 or beyond, or terminated after a 立项 step (a project
    # imported beyond 储备 has no steps logged and counts too).
    approved = Q(status__in=Project.ALLOCATING) | Q(status=Project.TERMINATED,
                                                     status_changes__to_status=Project.APPROVED)
    projects = (scope.filter(Project.objects.in_subtree(pairing)).filter(approved).distinct()
                .select_related("library_entry").order_by("-year", "code"))
    rows = []
    for p in projects:
        entry = p.library_entry
        if entry is None:
            rows.append((p, None, gettext("立项时未关联项目库条目")))
        elif entry.stage not in (LibraryEntry.LISTED, LibraryEntry.REMOVED):
            rows.append((p, entry, gettext("所关联的项目库条目尚未入库")))
    entries = scope.filter(LibraryEntry.objects.in_subtree(pairing).filter(
        stage__in=(LibraryEntry.LISTED, LibraryEntry.REMOVED))).prefetch_related("steps")
    for e in entries:
        taken = {s.action for s in e.steps.all()}
        missing = [str(LibraryEntry.ACTION_LABELS[a]) for a in ("review", "approve") if a not in taken]
        if missing:
            rows.append((None, e, gettext("入库前缺少：") + "、".join(missing)))
    return rows


@login_required
def entry_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    years = years_of(pairing)
    year = year_param(request)
    stage = request.GET.get("stage", "")
    stage = stage if stage in dict(LibraryEntry.STAGES) else ""
    category = id_param(request, "category")
    q = request.GET.get("q", "").strip()
    qs = scope.filter(LibraryEntry.objects.in_subtree(pairing))
    if year:
        qs = qs.filter(year=year)
    counts = dict(qs.values_list("stage").annotate(n=Count("pk")))
    if stage:
        qs = qs.filter(stage=stage)
    if category:
        qs = qs.filter(category_id=category)
    if q:
        qs = qs.filter(name__icontains=q)
    qs = qs.select_related("category", "township", "village", "pairing").order_by("-year", "name", "pk")
    ctx = {"pairing": pairing, "years": years, "year": year, "stage": stage, "category": category, "q": q,
           "stages": LibraryEntry.STAGES, "categories": ProjectCategory.objects.all(),
           "stage_counts": [(code, label, counts.get(code, 0)) for code, label in LibraryEntry.STAGES],
           "page": Paginator(qs, PER_PAGE).get_page(request.GET.get("page")),
           "skipped": skipped(scope, pairing), "can_write": scope.has(pairing, "write")}
    return render(request, "library/entry_list.html", ctx)


def _entry_page(request, pairing, entry):
    scope = scope_for(request.user)
    form = EntryForm(request.POST or None, instance=entry, pairing=pairing, scope=scope)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            new = entry.pk is None
            saved = save_checked(form)
            if saved and new:
                saved.record_application(request.user)
        if saved:
            messages.success(request, gettext("已保存项目库条目：%(name)s") % {"name": saved})
            return redirect("library_detail", saved.pk)
    return render(request, "library/entry_form.html", {"form": form, "pairing": pairing, "entry": entry})


@login_required
def entry_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    return _entry_page(request, pairing, LibraryEntry(pairing=pairing, year=timezone.localdate().year))


@login_required
def entry_edit(request, library_entry_id):
    entry = scope_for(request.user).get(LibraryEntry.objects.for_detail(), library_entry_id, "write")
    if not entry.editable:
        raise PermissionDenied(gettext("只有村申报或已退回阶段的条目可以修改"))
    return _entry_page(request, entry.pairing, entry)


@login_required
def entry_detail(request, library_entry_id):
    scope = scope_for(request.user)
    entry = scope.get(LibraryEntry.objects.for_detail(), library_entry_id)
    ctx = {"entry": entry, "pairing": entry.pairing, "steps": entry.steps.select_related("user"),
           "actions": [(a, LibraryEntry.ACTION_LABELS[a]) for a in entry.allowed_actions(scope)],
           "step_form": StepForm(initial={"date": timezone.localdate()}),
           "project": Project.objects.filter(library_entry=entry).first(),
           "can_edit": entry.editable and scope.has(entry.pairing_id, "write"),
           "skipped": entry.skipped_steps()}
    return render(request, "library/entry_detail.html", ctx)


@login_required
def entry_step(request, library_entry_id):
    entry = scope_for(request.user).get(LibraryEntry.objects.for_detail(), library_entry_id)
    if request.method != "POST":  # after the scope check, so foreign records answer 404
        return HttpResponseNotAllowed(["POST"])
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{v[0]}" for k, v in form.errors.items()))
        return redirect("library_detail", entry.pk)
    action = form.cleaned_data["action"]
    if not entry.may_take(scope_for(request.user), action):
        raise PermissionDenied(gettext("您的角色无权执行此操作"))
    try:
        entry.take(request.user, action, form.cleaned_data["opinion"], form.cleaned_data["date"],
                   loaded_version=loaded_version_of(request.POST))
        messages.success(request, gettext("已完成：%(action)s") % {"action": LibraryEntry.ACTION_LABELS[action]})
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("library_detail", entry.pk)


@login_required
def entry_notice(request, library_entry_id):
    entry = scope_for(request.user).get(LibraryEntry.objects.for_detail(), library_entry_id)
    if entry.stage != LibraryEntry.LISTED:
        messages.error(request, gettext("只有已入库的条目才有入库公示"))
        return redirect("library_detail", entry.pk)
    if request.GET.get("format") == "docx":
        response = HttpResponse(notice.notice_docx(entry), content_type=DOCX)
        response["Content-Disposition"] = f'attachment; filename="library-notice-{entry.pk}.docx"'
        return response
    return render(request, "library/entry_notice.html",
                  {"entry": entry, "pairing": entry.pairing, "notice": notice.notice(entry)})
