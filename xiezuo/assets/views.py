import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.front.downloads import file_download
from xiezuo.front.forms import loaded_version_of, save_or_conflict
from xiezuo.front.params import FIRST_YEAR, LAST_YEAR, int_or_none, year_param

from .forms import AssetForm, CareForm, DisposalForm, IncomeForm
from .models import APPROVE, KINDS, OPERATING, REJECT, REQUEST, STATUSES, Asset, AssetCare, AssetIncome


def filtered(qs, params, year):
    """Apply the list filters shared by the page and the API (the year is
    the year of handover). `held_in` (a year) selects what the `assets`
    figures count for it: assets handed over by its 31 December and not
    disposed of then, so a dashboard row opens exactly its assets."""
    if year:
        qs = qs.filter(year=year)
    held_in = int_or_none(params.get("held_in"), FIRST_YEAR, LAST_YEAR)
    if held_in:
        qs = qs.held_on(datetime.date(held_in, 12, 31))
    if params.get("status") in dict(STATUSES):
        qs = qs.filter(status=params["status"])
    if params.get("kind") in dict(KINDS):
        qs = qs.filter(kind=params["kind"])
    return qs


@login_required
def asset_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    year = year_param(request)
    qs = scope.filter(Asset.objects.within(pairing)).select_related("pairing", "project", "owner")
    qs = filtered(qs, request.GET, year)
    sums = {r["kind"]: r for r in qs.values("kind").annotate(n=Count("pk"), v=Sum("value")).order_by()}
    totals = [(label, sums.get(code, {}).get("n", 0), sums.get(code, {}).get("v") or 0) for code, label in KINDS]
    ctx = {"pairing": pairing, "assets": qs[:1000], "count": qs.count(), "year": year,
           "years": range(timezone.localdate().year, 2017, -1), "status": request.GET.get("status", ""),
           "kind": request.GET.get("kind", ""), "statuses": STATUSES, "kinds": KINDS, "totals": totals,
           "total_value": sum(t[2] for t in totals), "can_write": scope.has(pairing, "write"),
           "held_in": int_or_none(request.GET.get("held_in"), FIRST_YEAR, LAST_YEAR)}
    return render(request, "assets/list.html", ctx)


def _form_page(request, asset):
    form = AssetForm(request.POST or None, request.FILES or None, instance=asset, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = save_or_conflict(form)
        if saved:
            messages.success(request, _("已保存：%(asset)s") % {"asset": saved})
            return redirect("asset_detail", saved.pk)
    return render(request, "assets/form.html", {"form": form, "pairing": asset.pairing, "obj": asset,
                                                "project": asset.project})


@login_required
def asset_create(request, project_id):
    """Register an asset of a project (登记资产), from its page once accepted (验收)."""
    from xiezuo.funds.models import Project

    project = scope_for(request.user).get(Project.objects.select_related("pairing"), project_id, "write")
    return _form_page(request, Asset(pairing=project.pairing, project=project))


@login_required
def asset_edit(request, asset_id):
    asset = scope_for(request.user).get(Asset.objects.select_related("pairing", "project"), asset_id, "write")
    if not asset.may_edit(request.user):
        messages.error(request, _("申请处置或已处置的资产不能修改"))
        return redirect("asset_detail", asset.pk)
    return _form_page(request, asset)


def _detail_context(request, asset):
    scope = scope_for(request.user)
    can_write = scope.has(asset.pairing_id, "write")
    incomes = list(asset.incomes.prefetch_related("shares"))
    return {"obj": asset, "pairing": asset.pairing, "steps": asset.steps.select_related("user"),
            "care": asset.care.all(), "incomes": incomes, "allowed": asset.allowed_steps(request.user),
            "may_edit": asset.may_edit(request.user), "can_write": can_write,
            "may_add": can_write and asset.status != "disposed",
            "operating": asset.kind == OPERATING, "disposal_form": DisposalForm(),
            "REQUEST": REQUEST, "APPROVE": APPROVE, "REJECT": REJECT}


@login_required
def asset_detail(request, asset_id):
    asset = scope_for(request.user).get(
        Asset.objects.select_related("pairing", "project", "owner", "custodian_unit", "disposal_requested_by",
                                     "disposal_approved_by"), asset_id)
    return render(request, "assets/detail.html", _detail_context(request, asset))


@login_required
def asset_step(request, asset_id):
    # Scope first, method second: another pairing's user learns nothing.
    asset = scope_for(request.user).get(Asset.objects.select_related("pairing"), asset_id, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = DisposalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
        return redirect("asset_detail", asset.pk)
    data, loaded = form.cleaned_data, loaded_version_of(request.POST)
    step = data["step"]
    try:
        if step == REQUEST:
            asset.request_disposal(request.user, data["reason"], data["method"], data["value"], loaded_version=loaded)
        elif step == APPROVE:
            asset.approve_disposal(request.user, loaded_version=loaded)
        else:
            asset.reject_disposal(request.user, data["reason"], loaded_version=loaded)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, _("已%(step)s：%(asset)s") % {
            "step": dict(DisposalForm.base_fields["step"].choices)[step], "asset": asset})
    return redirect("asset_detail", asset.pk)


@login_required
def care_create(request, asset_id):
    asset = scope_for(request.user).get(Asset.objects.select_related("pairing"), asset_id, "write")
    form = CareForm(request.POST or None, instance=AssetCare(asset=asset))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已登记管护记录"))
        return redirect("asset_detail", asset.pk)
    return render(request, "assets/care_form.html", {"form": form, "obj": asset, "pairing": asset.pairing})


@login_required
def income_create(request, asset_id):
    asset = scope_for(request.user).get(Asset.objects.select_related("pairing"), asset_id, "write")
    if asset.kind != OPERATING:
        messages.error(request, _("只有经营性资产登记收益及其分配；“%(asset)s”为%(kind)s资产") % {
            "asset": asset, "kind": asset.get_kind_display()})
        return redirect("asset_detail", asset.pk)
    form = IncomeForm(request.POST or None, instance=AssetIncome(asset=asset))
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, _("已登记收益及分配"))
            return redirect("asset_detail", asset.pk)
    return render(request, "assets/income_form.html", {"form": form, "obj": asset, "pairing": asset.pairing})


@login_required
def handover_file(request, asset_id):
    asset = scope_for(request.user).get(Asset.objects.select_related("pairing"), asset_id)
    return file_download(asset.handover_file)
