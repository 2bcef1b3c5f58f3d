from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.front.downloads import file_download
from xiezuo.front.forms import save_or_conflict
from xiezuo.front.years import working_year

from .forms import AgreementForm, OrganisationForm, PairingForm, TargetFormSet, WorkingYearForm, indicator_names
from .models import Agreement, Organisation, Pairing, PairingDocument, Region


@login_required
def pairing_detail(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    subtree = list(pairing.subtree().select_related("east_region", "west_region", "east_org", "west_org"))
    year = working_year(request, pairing)
    # The rows behind the dashboard's 各层级结对 and 结对帮扶村 cards: the
    # pairings formed by the end of the year (the figures' own rule).
    formed = set(pairing.subtree().formed_by(year).values_list("pk", flat=True))
    for p in subtree:
        p.depth = p.path.count("/") - pairing.path.count("/")
        p.formed = p.pk in formed
        p.covers = p.formed and p.pk != pairing.pk
        p.village_pair = p.formed and p.level in Pairing.VILLAGE_PAIR_LEVELS
    ctx = {
        "pairing": pairing,
        "subtree": subtree,
        "agreements": pairing.agreements.prefetch_related("targets"),
        "indicator_names": indicator_names(),
        "documents": pairing.documents.all(),
        "ancestors": [a for a in pairing.ancestors() if scope.has(a)],
        "can_write": scope.has(pairing, "write"),
        "can_manage_members": scope.has(pairing, "members"),
        "year_form": WorkingYearForm(instance=pairing),
        "year": year,
        "covered": sum(p.covers for p in subtree),
        "villages": len({p.west_region_id for p in subtree if p.village_pair}),
    }
    return render(request, "pairings/pairing_detail.html", ctx)


@login_required
def pairing_working_year(request, pairing_id):
    """Set the pairing's working year (an office, on the pairing page)."""
    pairing = get_pairing(request.user, pairing_id, "write")
    form = WorkingYearForm(request.POST or None, instance=pairing)
    if request.method == "POST" and form.is_valid() and save_or_conflict(form):
        messages.success(request, _("当前工作年度已设为%(working_year)s年") % {"working_year": pairing.working_year} if pairing.working_year
                         else _("已清除当前工作年度，各页面按最近有数据的年度打开"))
        return redirect("pairing_detail", pairing.pk)
    if request.method == "POST":
        messages.error(request, _("；").join(e for errs in form.errors.values() for e in errs))
    return redirect("pairing_detail", pairing.pk)


def _pairing_form(request, instance, parents):
    scope = scope_for(request.user)
    orgs = Organisation.objects.filter(scope.region_q())
    return PairingForm(request.POST or None, instance=instance, parents=parents, organisations=orgs)


@login_required
def pairing_create(request):
    scope = scope_for(request.user)
    parents = scope.pairings("write")
    parent_id = request.GET.get("parent") or request.POST.get("parent")
    # A top-level pairing belongs to nobody's scope yet: only administrators
    # create one. Sub-pairings need write access to their parent.
    if not parent_id and not (scope.is_global or scope.has_any("admin")):
        if not parents.exists():
            raise PermissionDenied(_("您的角色无权创建结对关系"))
    initial_parent = get_pairing(request.user, parent_id, "write") if parent_id else None
    form = _pairing_form(request, None, parents)
    if initial_parent and not request.POST:
        form.initial.update(parent=initial_parent.pk, east_region=initial_parent.east_region_id,
                            west_region=initial_parent.west_region_id)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["parent"] is None and not (scope.is_global or scope.has_any("admin")):
            form.add_error("parent", _("只有管理员可以创建顶层结对，请选择上级结对"))
        else:
            pairing = save_or_conflict(form)
            if pairing:
                messages.success(request, _("已创建结对关系：%(pairing)s") % {"pairing": pairing})
                return redirect("pairing_detail", pairing.pk)
    return render(request, "pairings/pairing_form.html", {"form": form, "parent": initial_parent})


@login_required
def pairing_edit(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    scope = scope_for(request.user)
    parents = scope.pairings("write").exclude(path__startswith=pairing.path)
    if pairing.parent_id:
        parents = parents | Pairing.objects.filter(pk=pairing.parent_id)
    form = _pairing_form(request, pairing, parents)
    if request.method == "POST" and form.is_valid():
        if save_or_conflict(form):
            messages.success(request, _("已保存"))
            return redirect("pairing_detail", pairing.pk)
    return render(request, "pairings/pairing_form.html", {"form": form, "pairing": pairing})


def _agreement_page(request, pairing, agreement):
    form = AgreementForm(request.POST or None, instance=agreement)
    formset = TargetFormSet(request.POST or None, instance=agreement, prefix="targets")
    if request.method == "POST":
        form.instance.pairing = pairing
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                saved = save_or_conflict(form)
                if saved:
                    formset.instance = saved
                    formset.save()
            if saved:
                messages.success(request, _("已保存年度协议"))
                return redirect("pairing_detail", pairing.pk)
    ctx = {"form": form, "formset": formset, "pairing": pairing, "agreement": agreement}
    return render(request, "pairings/agreement_form.html", ctx)


@login_required
def agreement_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    return _agreement_page(request, pairing, Agreement(pairing=pairing))


@login_required
def agreement_edit(request, agreement_id):
    agreement = scope_for(request.user).get(Agreement.objects.select_related("pairing"), agreement_id, "write")
    return _agreement_page(request, agreement.pairing, agreement)


@login_required
def organisation_list(request):
    scope = scope_for(request.user)
    orgs = Organisation.objects.filter(scope.region_q()).select_related("region")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        orgs = orgs.filter(name__icontains=q)
    if kind:
        orgs = orgs.filter(kind=kind)
    ctx = {"organisations": orgs[:500], "q": q, "kind": kind, "kinds": Organisation.KINDS,
           "can_write": scope.has_any("write")}
    return render(request, "pairings/organisation_list.html", ctx)


def _writable_regions(request):
    return Region.objects.filter(scope_for(request.user).region_q(field=None, perm="write"))


@login_required
def organisation_create(request):
    regions = _writable_regions(request)
    if not regions.exists():
        raise PermissionDenied(_("您的角色无权登记单位"))
    form = OrganisationForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        org = save_or_conflict(form)
        if org:
            messages.success(request, _("已登记单位：%(org)s") % {"org": org})
            return redirect("organisation_list")
    return render(request, "pairings/organisation_form.html", {"form": form})


@login_required
def organisation_edit(request, org_id):
    scope = scope_for(request.user)
    org = get_object_or_404(Organisation.objects.filter(scope.region_q()), pk=org_id)
    regions = _writable_regions(request)
    if not regions.filter(pk=org.region_id).exists():
        raise PermissionDenied(_("您的角色无权修改该单位"))
    form = OrganisationForm(request.POST or None, instance=org, regions=regions)
    if request.method == "POST" and form.is_valid():
        if save_or_conflict(form):
            messages.success(request, _("已保存"))
            return redirect("organisation_list")
    return render(request, "pairings/organisation_form.html", {"form": form, "organisation": org})


@login_required
def pairing_document_file(request, pairing_document_id):
    """The signed file of an agreement document, for readers of its pairing."""
    doc = scope_for(request.user).get(PairingDocument.objects.all(), pairing_document_id)
    return file_download(doc.file)
