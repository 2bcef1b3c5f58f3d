import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.crosscheck import onsave
from xiezuo.downloads.services import report_is_small
from xiezuo.front.downloads import file_download
from xiezuo.front.forms import loaded_version_of, save_or_conflict
from xiezuo.front.params import id_param_or_404
from xiezuo.front.params import year_param as year_given  # this module has its own year_param with a default
from xiezuo.front.years import working_year
from xiezuo.pairings.models import Region

from . import dashboard as dash
from . import iati, reports, services, workflow
from .forms import IndicatorForm, ManualActualForm, NarrativeForm, OpinionForm
from .models import Indicator, ManualActual, SelfEvaluation
from .narrative import WORK_AREAS

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def year_param(request, pairing=None):
    """Return ?year=, else the pairing's working year (`front.years`), else this year."""
    if request.GET.get("year"):
        year = year_given(request)
        if year is None:
            raise Http404(_("年度应为2000至2100之间的四位数字"))
    return working_year(request, pairing) if pairing else (year_given(request) or services.today().year)


def is_admin(user):
    scope = scope_for(user)
    return scope.is_global or scope.has_any("admin")


@login_required
def dashboard(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    year = year_param(request, pairing)
    # The first screen (cards and warnings) comes with the page; the charts
    # are drawn from the same JSON by the page's script.
    data = json.loads(dash.reader_text(pairing, year))
    for alert in data["alerts"]:
        if alert.get("project"):
            alert["href"] = reverse("project_detail", args=[alert["project"]])
    ctx = {"pairing": pairing, "year": year, "years": range(year - 4, year + 2), "first_year": year - 4,
           "can_write": scope_for(request.user).has(pairing, "write"), "iati_ready": iati_ready(),
           "indicators": data["indicators"], "alerts": data["alerts"], "status": status_text(data),
           "locked": data["locked"]}
    return render(request, "assessment/dashboard.html", ctx)


def status_text(data):
    """Each side's self-evaluation state; both finalised lock the year."""
    if data["locked"]:
        return _("双方自评已定稿（锁定）")
    names = {"draft": _("起草中"), "submitted": _("征求意见中"), "confirmed": _("已定稿")}
    states = data.get("self_evaluations") or {}
    parts = [_("%(side)s自评%(state)s") % {"side": side, "state": names[states[key]]}
             for key, side in (("east", _("东部")), ("west", _("西部"))) if states.get(key) in names]
    return _("，").join(parts) or _("实时数据")


def iati_ready():
    """Whether the IATI export has a reporting organisation to name."""
    try:
        iati.reporting_org()
    except iati.MissingReportingOrg:
        return False
    return True


@login_required
def rollup_page(request):
    scope = scope_for(request.user)
    region_id = id_param_or_404(request, "region")
    region = get_object_or_404(Region, pk=region_id) if region_id else None
    year = year_param(request)
    counties = services.county_pairs_within(region, scope)
    if not counties:
        raise Http404(_("该区域内没有您可查看的县级结对"))
    total, per_county, rows = services.rollup(counties, year)
    regions = Region.objects.filter(level__in=["province", "city"]).order_by("path")
    ctx = {"region": region, "year": year, "rows": rows, "per_county": per_county, "total": total,
           "regions": regions, "counties": counties}
    return render(request, "assessment/rollup.html", ctx)


@login_required
def self_evaluation_years(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    evaluations = SelfEvaluation.objects.filter(pairing=pairing)
    years = sorted(set(pairing.agreements.values_list("year", flat=True)) | {e.year for e in evaluations}, reverse=True)
    by_year = {(e.year, e.side): e for e in evaluations}
    ctx = {"pairing": pairing, "rows": [(y, by_year.get((y, "east")), by_year.get((y, "west"))) for y in years]}
    return render(request, "assessment/self_evaluation_list.html", ctx)


@login_required
def self_evaluation_year(request, pairing_id, year):
    pairing = get_pairing(request.user, pairing_id)
    return redirect("assessment:self_evaluation", pairing.pk, year, "west")


@login_required
def self_evaluation(request, pairing_id, year, side):
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    evaluation = SelfEvaluation.objects.filter(pairing=pairing, year=year, side=side).first()
    if evaluation is None:
        ctx = {"pairing": pairing, "year": year, "side": side, "side_name": dict(SelfEvaluation.SIDES)[side],
               "can_draft": scope.has(pairing, side)}
        return render(request, "assessment/self_evaluation_missing.html", ctx)
    form = NarrativeForm(request.POST or None, instance=evaluation)
    if request.method == "POST":
        evaluation.require_editable(request.user)
        if form.is_valid():
            with transaction.atomic():
                saved = save_or_conflict(form)
                if saved and saved.is_locked:
                    saved.admin_event(_("修改自评文字"))
            if saved:
                messages.success(request, _("已保存自评内容"))
                # The narratives go out in the report: check their figures, never block.
                onsave.check_saved(request, f"self-evaluation:{saved.pk}",
                                   "\n".join(t for t in saved.narratives.values() if t), pairing,
                                   onsave.year_end(year))
                return redirect("assessment:self_evaluation", pairing.pk, year, side)
    ctx = {"pairing": pairing, "year": year, "side": side, "evaluation": evaluation, "form": form,
           "areas": WORK_AREAS, "can_edit": _can_edit(evaluation, request.user),
           "can_refresh": evaluation.may_refresh(request.user), "changes": workflow.snapshot_changes(evaluation),
           "can_side": scope.has(pairing, side), "can_other": scope.has(pairing, evaluation.other_side),
           "can_admin": scope.has(pairing, "admin"), "opinions": evaluation.opinion_list(),
           "opinion_form": OpinionForm(), "docx_kind": "report_docx_east" if side == "east" else "report_docx",
           "saved_check": onsave.recall(request, f"self-evaluation:{evaluation.pk}")}
    ctx.update(_earlier_rectifications(scope, pairing, year))
    return render(request, "assessment/self_evaluation.html", ctx)


def _earlier_rectifications(scope, pairing, year):
    """Problems found before the assessed year and not yet closed (销号):
    every assessment looks at last year's findings again."""
    from xiezuo.rectification.models import Rectification

    earlier = scope.filter(Rectification.objects.within(pairing).filter(year__lt=year).not_closed()) \
        .order_by("deadline", "pk")
    return {"earlier_open": earlier[:20], "earlier_open_count": earlier.count()}


def _can_edit(evaluation, user):
    try:
        evaluation.require_editable(user)
    except PermissionDenied:
        return False
    return True


# The self-evaluation's steps (SelfEvaluation methods, under its row lock).
ACTIONS = {"refresh": "refresh_snapshot", "submit": "submit", "finalise": "finalise", "withdraw": "withdraw",
           "reopen": "reopen"}
DONE = {"draft": gettext_lazy("已根据台账数据起草自评"), "refresh": gettext_lazy("已重新生成数据快照"), "submit": gettext_lazy("已提交对方征求意见"),
        "opinion": gettext_lazy("已记录意见"), "finalise": gettext_lazy("已定稿，本方自评报告已锁定"), "withdraw": gettext_lazy("已撤回修改"),
        "reopen": gettext_lazy("已解除锁定")}


@login_required
def self_evaluation_action(request, pairing_id, year, side, action):
    # Scope first, so that a foreign pairing is a 404 whatever the method.
    pairing = get_pairing(request.user, pairing_id, side if action in ("draft", "submit") else "read")
    if request.method != "POST":
        return redirect("assessment:self_evaluation", pairing.pk, year, side)
    if action == "draft":
        workflow.get_or_draft(pairing, year, request.user, side)
    else:
        evaluation = get_object_or_404(SelfEvaluation, pairing=pairing, year=year, side=side)
        version = loaded_version_of(request.POST)
        try:
            if action == "opinion":
                form = OpinionForm(request.POST)
                text = form.cleaned_data["text"] if form.is_valid() else request.POST.get("text", "")
                evaluation.record_opinion(request.user, text, loaded_version=version)
            else:
                getattr(evaluation, ACTIONS[action])(request.user, loaded_version=version)
        except ValidationError as e:
            messages.error(request, _("；").join(e.messages))
            return redirect("assessment:self_evaluation", pairing.pk, year, side)
    messages.success(request, DONE[action])
    return redirect("assessment:self_evaluation", pairing.pk, year, side)


@login_required
def cross_check(request, pairing_id, year):
    """互评: the two sides' figures of the year side by side, differences flagged."""
    pairing = get_pairing(request.user, pairing_id)
    found = workflow.cross_check(pairing, year)
    ctx = {"pairing": pairing, "year": year, **found, "east": found["sources"]["east"],
           "west": found["sources"]["west"]}
    return render(request, "assessment/cross_check.html", ctx)


def _report_too_big(request, pairing, year):
    """A report over many pairings (a province's) is made on the job queue
    (the page's buttons, `downloads`), not inside a direct link."""
    if report_is_small(pairing):
        return None
    messages.info(request, _("该结对下的下级结对较多，报告汇总量较大，请点击页面上的下载按钮在后台生成。"))
    return redirect(reverse("assessment:dashboard", args=[pairing.pk]) + f"?year={year}")


@login_required
def report_docx(request, pairing_id, year, side):
    pairing = get_pairing(request.user, pairing_id)
    if too_big := _report_too_big(request, pairing, year):
        return too_big
    evaluation = SelfEvaluation.objects.filter(pairing=pairing, year=year, side=side).first()
    if evaluation is None:
        raise Http404(_("本年度本方尚未起草自评，请先在“年度自评”页面起草"))
    response = HttpResponse(reports.self_evaluation_docx(evaluation), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{reports.docx_name(evaluation)}"'
    return response


@login_required
def report_xlsx(request, pairing_id, year):
    pairing = get_pairing(request.user, pairing_id)
    if too_big := _report_too_big(request, pairing, year):
        return too_big
    response = HttpResponse(reports.statistics_xlsx(pairing, year), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="statistics-{pairing.pk}-{year}.xlsx"'
    return response


@login_required
def manual_actuals(request, pairing_id, year):
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    # A finalised report locks the hand-entered actuals of the indicators it
    # holds (its side's and both sides'); the others stay open.
    locked = workflow.locked_sides(pairing.pk, year)
    instance = None
    if request.GET.get("edit"):
        instance = scope.get(ManualActual.objects.filter(pairing=pairing), id_param_or_404(request, "edit"))
    form = ManualActualForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST":
        scope.require(pairing, "write")
        was = instance.indicator.side if instance else None
        form.instance.pairing, form.instance.year = pairing, year
        if form.is_valid():
            if workflow.covers(form.cleaned_data["indicator"].side, locked) or workflow.covers(was, locked):
                scope.require(pairing, "admin")
            if save_or_conflict(form):
                messages.success(request, _("已保存填报值"))
                return redirect("assessment:manual_actuals", pairing.pk, year)
    ctx = {"pairing": pairing, "year": year, "form": form, "locked": bool(locked),
           "locked_names": _("、").join(str(dict(SelfEvaluation.SIDES)[s]) for s in sorted(locked)),
           "rows": ManualActual.objects.filter(pairing=pairing, year=year).select_related("indicator"),
           "can_write": scope.has(pairing, "write")}
    return render(request, "assessment/manual_actuals.html", ctx)


@login_required
def indicator_list(request):
    ctx = {"indicators": Indicator.objects.all(), "can_admin": is_admin(request.user)}
    return render(request, "assessment/indicator_list.html", ctx)


@login_required
def indicator_edit(request, indicator_id=None):
    if not is_admin(request.user):
        raise PermissionDenied(_("只有管理员可以修改考核指标"))
    indicator = get_object_or_404(Indicator, pk=indicator_id) if indicator_id else None
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid() and save_or_conflict(form):
        messages.success(request, _("已保存考核指标"))
        return redirect("assessment:indicator_list")
    return render(request, "assessment/indicator_form.html", {"form": form, "indicator": indicator})


@login_required
def manual_actual_evidence(request, manual_actual_id):
    """The evidence (佐证材料) of a hand-entered actual, for readers of its pairing."""
    actual = scope_for(request.user).get(ManualActual.objects.all(), manual_actual_id)
    return file_download(actual.evidence)
