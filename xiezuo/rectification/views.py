import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.front.downloads import file_download
from xiezuo.front.forms import loaded_version_of, save_or_conflict
from lib.dates import cn_date
from xiezuo.front.params import FIRST_YEAR, LAST_YEAR, int_or_none, year_param

from . import services
from .forms import RectificationForm, StepForm
from .models import CLOSE, SEND_BACK, SOURCES, STATUSES, SUBMIT, Rectification, as_of


def filtered(qs, params, year):
    """Apply the list filters shared by the page and the API.

    `open_in` and `closed_in` (years) select what the `rectification`
    figures count for that year, so a dashboard row opens exactly its rows:
    tasks open on the year's reading day (`as_of`), with `overdue` those of
    them past their deadline on that day, with `carried` those found before
    the year; tasks closed (销号) in the year."""
    if year:
        qs = qs.filter(year=year)
    if params.get("status") in dict(STATUSES):
        qs = qs.filter(status=params["status"])
    if params.get("source") in dict(SOURCES):
        qs = qs.filter(source=params["source"])
    open_in = int_or_none(params.get("open_in"), FIRST_YEAR, LAST_YEAR)
    if open_in:
        day = as_of([open_in])
        qs = qs.open_on(day)
        if params.get("overdue"):
            qs = qs.filter(deadline__lt=day)
        if params.get("carried"):
            qs = qs.filter(found_on__lt=datetime.date(open_in, 1, 1))
    elif params.get("overdue"):
        qs = qs.overdue()
    closed_in = int_or_none(params.get("closed_in"), FIRST_YEAR, LAST_YEAR)
    if closed_in:
        qs = qs.filter(closed_on__year=closed_in)
    return qs


def reading(params):
    """The sentence naming what `open_in` / `closed_in` selected, or ""."""
    open_in = int_or_none(params.get("open_in"), FIRST_YEAR, LAST_YEAR)
    if open_in:
        day = cn_date(as_of([open_in]))
        if params.get("overdue"):
            return _("截至%(day)s逾期未销号的整改任务") % {"day": day}
        if params.get("carried"):
            return _("截至%(day)s仍未销号的%(year)s年以前发现的整改任务") % {"day": day, "year": open_in}
        return _("截至%(day)s未销号的整改任务") % {"day": day}
    closed_in = int_or_none(params.get("closed_in"), FIRST_YEAR, LAST_YEAR)
    if closed_in:
        return _("%(year)s年销号的整改任务") % {"year": closed_in}
    return ""


@login_required
def task_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    year = year_param(request)
    qs = scope.filter(Rectification.objects.within(pairing)).select_related("pairing", "owner_unit")
    qs = filtered(qs, request.GET, year)
    ctx = {"pairing": pairing, "tasks": qs[:1000], "count": qs.count(), "year": year,
           "years": range(timezone.localdate().year, 2017, -1), "status": request.GET.get("status", ""),
           "source": request.GET.get("source", ""), "overdue": request.GET.get("overdue", ""),
           "statuses": STATUSES, "sources": SOURCES, "today": timezone.localdate(), "reading": reading(request.GET),
           "kept": {k: request.GET[k] for k in ("open_in", "closed_in", "carried") if request.GET.get(k)},
           "can_write": scope.has(pairing, "write")}
    return render(request, "rectification/list.html", ctx)


def _form_page(request, pairing, task):
    form = RectificationForm(request.POST or None, request.FILES or None, instance=task, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = save_or_conflict(form)
        if saved:
            messages.success(request, _("已保存：%(task)s") % {"task": saved})
            return redirect("rectification_detail", saved.pk)
    return render(request, "rectification/form.html", {"form": form, "pairing": pairing, "obj": task})


@login_required
def task_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    return _form_page(request, pairing, Rectification(pairing=pairing))


@login_required
def task_edit(request, rectification_id):
    task = scope_for(request.user).get(Rectification.objects.select_related("pairing"), rectification_id, "write")
    if not task.may_edit(request.user):
        messages.error(request, _("已申请销号或已销号的整改任务不能修改；退回后方可修改"))
        return redirect("rectification_detail", task.pk)
    return _form_page(request, task.pairing, task)


def _detail_context(request, task):
    return {"obj": task, "pairing": task.pairing, "steps": task.steps.select_related("user"),
            "allowed": task.allowed_steps(request.user), "may_edit": task.may_edit(request.user),
            "overdue": task.is_overdue(), "SUBMIT": SUBMIT, "CLOSE": CLOSE, "SEND_BACK": SEND_BACK}


@login_required
def task_detail(request, rectification_id):
    task = scope_for(request.user).get(
        Rectification.objects.select_related("pairing", "owner_unit", "finding", "project", "submitted_by",
                                             "closed_by"), rectification_id)
    return render(request, "rectification/detail.html", _detail_context(request, task))


@login_required
def task_step(request, rectification_id):
    # Scope first, method second: another pairing's user learns nothing.
    task = scope_for(request.user).get(Rectification.objects.select_related("pairing"), rectification_id, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("操作无效"))
        return redirect("rectification_detail", task.pk)
    step, loaded = form.cleaned_data["step"], loaded_version_of(request.POST)
    try:
        if step == SUBMIT:
            task.submit(request.user, loaded_version=loaded)
        elif step == CLOSE:
            task.close(request.user, loaded_version=loaded)
        else:
            task.send_back(request.user, form.cleaned_data["reason"], loaded_version=loaded)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("已%(step)s：%(task)s") % {"step": dict(StepForm.base_fields["step"].choices)[step],
                                                             "task": task})
    return redirect("rectification_detail", task.pk)


@login_required
def task_file(request, rectification_id, which):
    task = scope_for(request.user).get(Rectification.objects.select_related("pairing"), rectification_id)
    field = {"source": task.source_file, "evidence": task.evidence_file}.get(which)
    if not field:
        raise Http404(_("没有附件"))
    return file_download(field)


@login_required
def from_finding(request, finding_id):
    from xiezuo.procurement.models import Finding

    finding = scope_for(request.user).get(Finding.objects.select_related("tender"), finding_id, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        task, created = services.from_finding(finding, request.user)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        return redirect("procurement_findings", finding.pairing_id)
    if created:
        messages.success(request, _("已生成整改任务，请填写责任人、整改时限和整改措施"))
        return redirect("rectification_edit", task.pk)
    messages.info(request, _("该预警线索已有整改任务"))
    return redirect("rectification_detail", task.pk)


@login_required
def from_health(request, project_id):
    from xiezuo.funds.models import Project

    project = scope_for(request.user).get(Project.objects.select_related("pairing"), project_id, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        task, created = services.from_health(project, request.POST.get("rule", ""), request.user)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        return redirect("project_detail", project.pk)
    if created:
        messages.success(request, _("已生成整改任务，请填写责任人、整改时限和整改措施"))
        return redirect("rectification_edit", task.pk)
    messages.info(request, _("这条健康提醒已有整改任务"))
    return redirect("rectification_detail", task.pk)
