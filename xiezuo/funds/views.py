from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.audit.models import record
from xiezuo.crosscheck import onsave
from xiezuo.figures import cached
from xiezuo.front.downloads import file_download
from xiezuo.front.forms import loaded_version_of
from xiezuo.front.params import id_param, year_param
from xiezuo.front.years import working_year
from xiezuo.notices.public import public_notice_groups
from xiezuo.pairings.models import Pairing

from . import health
from .forms import (AttachmentForm, BeneficiaryFormSet, CategoryFormSet, DisbursementForm, HealthRuleFormSet,
                    OutputFormSet, ProjectForm, ReceiptForm, ReturnForm, TransitionForm, save_checked)
from .figures import POVERTY_KINDS, rate
from .models import Disbursement, FundReceipt, HealthRule, Project, ProjectAttachment, ProjectCategory

PER_PAGE = 25


def require_progress(user, project):
    if not project.can_update_progress(scope_for(user)):
        raise PermissionDenied(_("只有协作办或本项目的实施单位可以更新项目进展"))


def page_of(request, qs):
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


def rows_total(qs, field="amount"):
    """Return {n, sum} of all the rows a list's filter gives (every page)."""
    found = qs.order_by().aggregate(n=Count("pk"), total=Sum(field))
    return {"n": found["n"], "sum": found["total"] or Decimal("0")}


def years_of(pairing):
    projects = Project.objects.in_subtree(pairing).values_list("year", flat=True).distinct()
    receipts = FundReceipt.objects.filter(pairing__path__startswith=pairing.path).values_list("year", flat=True)
    return sorted(set(projects) | set(receipts.distinct()), reverse=True)


@login_required
def funds_overview(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    years = years_of(pairing)
    year = working_year(request, pairing)
    projects = scope_for(request.user).filter(Project.objects.in_subtree(pairing))
    figures = cached(pairing, [year], ["funds"])["funds"]
    names = dict(ProjectCategory.objects.values_list("code", "name"))
    ctx = {"pairing": pairing, "years": years, "year": year, "figures": figures, "alerts": health.alerts(projects),
           "by_status": [(label, figures["projects_by_status"][code]) for code, label in Project.STATUSES
                         if figures["projects_by_status"][code]],
           "by_category": [(names.get(code, code), n) for code, n in figures["projects_by_category"].items()]}
    return render(request, "funds/overview.html", ctx)


# -- fund receipts ------------------------------------------------------------

@login_required
def receipt_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    qs = scope.filter(FundReceipt.objects.filter(pairing__path__startswith=pairing.path)).select_related(
        "pairing", "payer")
    year, kind = year_param(request), request.GET.get("kind", "")
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.of_kind(kind)
    sort = request.GET.get("sort", "")
    qs = qs.order_by({"amount": "amount", "-amount": "-amount", "date": "date"}.get(sort, "-date"), "pk")
    ctx = {"pairing": pairing, "page": page_of(request, qs), "years": years_of(pairing), "year": year,
           "kind": kind, "kinds": FundReceipt.KINDS + FundReceipt.GROUP_LABELS, "totals": rows_total(qs),
           "can_write": scope.has(pairing, "write")}
    return render(request, "funds/receipt_list.html", ctx)


def _receipt_page(request, pairing, receipt):
    form = ReceiptForm(request.POST or None, instance=receipt, pairing=pairing, scope=scope_for(request.user))
    if request.method == "POST" and form.is_valid() and save_checked(form):
        messages.success(request, _("已保存资金到位记录"))
        return redirect("receipt_list", pairing.pk)
    return render(request, "funds/receipt_form.html", {"form": form, "pairing": pairing, "receipt": receipt})


@login_required
def receipt_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    return _receipt_page(request, pairing, FundReceipt(pairing=pairing, year=timezone.localdate().year))


@login_required
def receipt_edit(request, fund_receipt_id):
    receipt = scope_for(request.user).get(FundReceipt.objects.select_related("pairing"), fund_receipt_id, "write")
    return _receipt_page(request, receipt.pairing, receipt)


# -- projects -----------------------------------------------------------------

@login_required
def project_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    f = {k: request.GET.get(k, "").strip()
         for k in ("year", "category", "status", "township", "q", "sort", "counted")}
    f["year"] = str(year_param(request) or "")
    for k in ("category", "township"):
        f[k] = str(id_param(request, k) or "")
    qs = scope.filter(Project.objects.in_subtree(pairing)).filter_by(
        f["year"], f["category"], f["status"], f["township"], f["q"]).sorted_by(f["sort"])
    # The rows behind the dashboard's cards, by the figures' own rules:
    # 实施协作项目 (立项, not reserve nor terminated) and the started projects
    # whose 脱贫人口（含监测对象） beneficiaries count as led.
    if f["counted"] == "started":
        qs = qs.started().annotate(poverty_led=Sum("beneficiaries__count",
                                                   filter=Q(beneficiaries__kind__in=POVERTY_KINDS)))
    elif f["counted"]:
        qs = qs.counted()
    qs = qs.select_related("category", "township", "implementing_unit")
    totals = rows_total(qs, "coop_funds")
    if f["counted"] == "started":
        totals["poverty_led"] = sum(p.poverty_led or 0 for p in qs)
    ctx = {"pairing": pairing, "page": page_of(request, qs), "f": f, "years": years_of(pairing), "totals": totals,
           "categories": ProjectCategory.objects.all(), "statuses": Project.STATUSES,
           "townships": Project.objects.in_subtree(pairing).exclude(township=None).values_list(
               "township_id", "township__name").distinct().order_by("township__name"),
           "can_write": scope.has(pairing, "write")}
    return render(request, "funds/project_list.html", ctx)


@login_required
def project_detail(request, project_id):
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id)
    scope = scope_for(request.user)
    ctx = {
        "project": project, "pairing": project.pairing,
        "beneficiaries": project.beneficiaries.all(), "outputs": project.outputs.all(),
        "changes": project.status_changes.select_related("user"),
        "disbursements": project.disbursements.select_related("submitted_by", "decided_by"),
        "disbursed": project.confirmed_disbursed(), "attachments": project.attachments.all(),
        "alerts": health.alerts(Project.objects.filter(pk=project.pk)),
        "steps": [(s, dict(Project.STATUSES)[s]) for s in project.allowed_steps(scope)],
        "transition_form": TransitionForm(initial={"date": timezone.localdate()}),
        "attachment_form": AttachmentForm(), "return_form": ReturnForm(),
        "can_write": scope.has(project.pairing_id, "write"), "can_progress": project.can_update_progress(scope),
        "is_west": scope.has(project.pairing_id, "west"), "is_east": scope.has(project.pairing_id, "east"),
        # 口径核对 of the texts the public disclosure page shows, right after they were saved.
        "saved_check": onsave.recall(request, f"project:{project.pk}"),
        # A flagged rule becomes a rectification task (one per rule): the
        # task's link, or for an office the button that makes it.
        "health_tasks": {t.health_rule: t for t in project.rectifications.exclude(health_rule="")},
        "offer_rectification": scope.has(project.pairing_id, "write"),
    }
    return render(request, "funds/project_detail.html", ctx)


def _project_page(request, pairing, project):
    form = ProjectForm(request.POST or None, instance=project, pairing=pairing, scope=scope_for(request.user))
    if request.method == "POST" and form.is_valid():
        saved = save_checked(form)
        if saved:
            if getattr(saved, "allocation_warning", None):
                messages.warning(request, saved.allocation_warning)
            messages.success(request, _("已保存项目：%(saved)s") % {"saved": saved})
            # 建设内容 and 联农带农说明 are published (公告公示): check their figures, never block.
            onsave.check_saved(request, f"project:{saved.pk}", f"{saved.description}\n{saved.linkage_note}",
                               saved.pairing, onsave.year_end(saved.year))
            return redirect("project_detail", saved.pk)
    return render(request, "funds/project_form.html", {"form": form, "pairing": pairing, "project": project})


@login_required
def project_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    return _project_page(request, pairing, Project(pairing=pairing, year=timezone.localdate().year))


@login_required
def project_edit(request, project_id):
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id, "write")
    return _project_page(request, project.pairing, project)


@login_required
def project_progress(request, project_id):
    """Let offices and the project's own implementing unit report outputs and beneficiaries."""
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id)
    require_progress(request.user, project)
    outputs = OutputFormSet(request.POST or None, instance=project, prefix="outputs")
    beneficiaries = BeneficiaryFormSet(request.POST or None, instance=project, prefix="beneficiaries")
    if request.method == "POST" and outputs.is_valid() and beneficiaries.is_valid():
        with transaction.atomic():
            outputs.save()
            beneficiaries.save()
            project.touch()
        messages.success(request, _("已更新项目进展"))
        return redirect("project_detail", project.pk)
    ctx = {"project": project, "pairing": project.pairing, "outputs": outputs, "beneficiaries": beneficiaries}
    return render(request, "funds/project_progress.html", ctx)


@login_required
def project_transition(request, project_id):
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id)
    if request.method != "POST":  # after the scope check, so foreign records answer 404
        return HttpResponseNotAllowed(["POST"])
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("；").join(_("%(label)s：%(value)s") % {"label": form.fields[k].label, "value": v[0]} for k, v in form.errors.items()))
        return redirect("project_detail", project.pk)
    if not project.may_step(scope_for(request.user), form.cleaned_data["to"]):
        raise PermissionDenied(_("您的角色无权执行此状态变更"))
    try:
        project.transition(request.user, form.cleaned_data["to"], form.cleaned_data["date"],
                           form.cleaned_data["reason"], loaded_version=loaded_version_of(request.POST))
        messages.success(request, _("项目状态已变更为“%(status)s”") % {"status": project.get_status_display()})
    except ValidationError as e:
        messages.error(request, _("；").join(e.messages))
    return redirect("project_detail", project.pk)


# -- attachments --------------------------------------------------------------

@login_required
def attachment_upload(request, project_id):
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id)
    require_progress(request.user, project)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = AttachmentForm(request.POST, request.FILES, instance=ProjectAttachment(project=project))
    if form.is_valid():
        with transaction.atomic():
            attachment = form.save(commit=False)
            attachment.uploaded_by = request.user
            attachment.save()
            project.touch()
        messages.success(request, _("已上传：%(title)s") % {"title": attachment.title})
    else:
        messages.error(request, _("；").join(m for errs in form.errors.values() for m in errs))
    return redirect("project_detail", project.pk)


@login_required
def attachment_download(request, project_attachment_id):
    attachment = scope_for(request.user).get(ProjectAttachment.objects.all(), project_attachment_id)
    return file_download(attachment.file)


@login_required
def attachment_delete(request, project_attachment_id):
    attachment = scope_for(request.user).get(ProjectAttachment.objects.select_related("project"),
                                             project_attachment_id)
    project = attachment.project
    require_progress(request.user, project)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic():
        attachment.delete()
        project.touch()
    messages.success(request, _("已删除附件"))
    return redirect("project_detail", project.pk)


# -- disbursements ------------------------------------------------------------

@login_required
def disbursement_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    qs = scope.filter(Disbursement.objects.filter(project__pairing__path__startswith=pairing.path)).select_related(
        "project", "submitted_by", "decided_by")
    year, status = year_param(request), request.GET.get("status", "")
    if year:
        qs = qs.filter(project__year=year)
    if status:
        qs = qs.filter(status=status)
    ctx = {"pairing": pairing, "page": page_of(request, qs), "years": years_of(pairing), "year": year,
           "status": status, "statuses": Disbursement.STATUSES, "is_east": scope.has(pairing, "east"),
           "return_form": ReturnForm(), "totals": rows_total(qs)}
    if year and status == Disbursement.CONFIRMED:
        # The execution rate: the year's confirmed payments over the year's
        # cash received (the receipt list behind the denominator).
        cash = rows_total(scope.filter(FundReceipt.objects.filter(pairing__path__startswith=pairing.path))
                          .filter(year=year).of_kind("received_cash"))
        ctx["execution"] = {"cash": cash, "rate": rate(ctx["totals"]["sum"], cash["sum"])}
    return render(request, "funds/disbursement_list.html", ctx)


def _disbursement_page(request, project, disbursement):
    form = DisbursementForm(request.POST or None, instance=disbursement)
    if request.method == "POST" and form.is_valid():
        d = form.save(commit=False)
        if disbursement.pk:
            # The edit is checked against the version read; the submit
            # below refuses it when the row has moved on.
            d.version = form.cleaned_data["loaded_version"]
        try:
            d.submit(request.user)
            messages.success(request, _("已提交拨付，等待东部协作办确认"))
            return redirect("project_detail", project.pk)
        except ValidationError as e:
            for field, errs in e.update_error_dict({}).items():
                form.add_error(field if field in form.fields else None, errs)
    ctx = {"form": form, "project": project, "pairing": project.pairing, "disbursement": disbursement}
    return render(request, "funds/disbursement_form.html", ctx)


@login_required
def disbursement_create(request, project_id):
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id, "west")
    if refusal := project.disbursement_refusal():
        messages.error(request, refusal)
        return redirect("project_detail", project.pk)
    return _disbursement_page(request, project, Disbursement(project=project, date=timezone.localdate()))


@login_required
def disbursement_edit(request, disbursement_id):
    d = scope_for(request.user).get(Disbursement.objects.select_related("project__pairing"), disbursement_id, "west")
    project = d.project
    if d.status == Disbursement.CONFIRMED:
        raise PermissionDenied(_("已确认的拨付不能修改"))
    return _disbursement_page(request, project, d)


def _decide(request, disbursement_id, action):
    d = scope_for(request.user).get(Disbursement.objects.select_related("project"), disbursement_id, "east")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        action(d)
    except ValidationError as e:
        messages.error(request, _("；").join(e.messages))
    # Back to the list the button was on, if it is one of our own pages.
    nxt = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) and nxt.startswith("/"):
        return redirect(nxt)
    return redirect("project_detail", d.project_id)


@login_required
def disbursement_confirm(request, disbursement_id):
    def confirm(d):
        d.confirm(request.user, loaded_version=loaded_version_of(request.POST))
        messages.success(request, _("已确认拨付：%(d)s") % {"d": d})
    return _decide(request, disbursement_id, confirm)


@login_required
def disbursement_return(request, disbursement_id):
    def send_back(d):
        d.send_back(request.user, request.POST.get("reason", ""), loaded_version=loaded_version_of(request.POST))
        messages.success(request, _("已退回拨付：%(d)s") % {"d": d})
    return _decide(request, disbursement_id, send_back)


# -- administration -----------------------------------------------------------

def _is_admin(user):
    scope = scope_for(user)
    return scope.is_global or scope.has_any("admin")


def _admin_formset(request, formset_class, queryset, template, title):
    can_edit = _is_admin(request.user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("只有管理员可以修改"))
    formset = formset_class(request.POST or None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save()
            record("admin", model="funds.settings", summary=f"修改{title}")
        messages.success(request, _("已保存%(title)s") % {"title": title})
        return redirect(request.path)
    return render(request, template, {"formset": formset, "can_edit": can_edit, "title": title})


@login_required
def health_rules(request):
    return _admin_formset(request, HealthRuleFormSet, HealthRule.objects.all(), "funds/health_rules.html",
                          _("项目健康规则"))


@login_required
def categories(request):
    return _admin_formset(request, CategoryFormSet, ProjectCategory.objects.all(), "funds/categories.html",
                          _("项目类别"))


# -- public disclosure (公告公示) ----------------------------------------------

def disclosure_index(request):
    pairings = Pairing.objects.filter(disclosure_enabled=True, parent=None)
    return render(request, "funds/disclosure_index.html", {"pairings": pairings})


def disclosure(request, pairing_id):
    """Show a pairing-year's projects and receipts to the public: no login,
    no personal data, and nothing at all when the pairing switched it off."""
    pairing = get_object_or_404(Pairing, pk=pairing_id, disclosure_enabled=True)
    public = pairing.subtree().filter(disclosure_enabled=True)
    years = sorted(set(Project.objects.filter(pairing__in=public).counted().values_list("year", flat=True)) |
                   set(FundReceipt.objects.filter(pairing__in=public).values_list("year", flat=True)), reverse=True)
    year = year_param(request) or (years[0] if years else None)
    projects = (Project.objects.filter(pairing__in=public, year=year).counted()
                .select_related("category", "township", "village", "implementing_unit").order_by("code"))
    receipts = FundReceipt.objects.filter(pairing__in=public, year=year).select_related("payer", "pairing")
    ctx = {"pairing": pairing, "years": years, "year": year, "projects": projects, "receipts": receipts,
           "statuses": dict(Project.STATUSES), "notice_groups": public_notice_groups(public, year)}
    return render(request, "funds/disclosure.html", ctx)

