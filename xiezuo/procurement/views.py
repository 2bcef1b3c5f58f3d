import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.front.downloads import file_download
from xiezuo.front.forms import save_or_conflict
from xiezuo.front.params import year_param
from xiezuo.funds.models import Project
from xiezuo.pairings.models import Organisation

from . import services
from .forms import (AmendmentForm, BidForm, DocumentForm, ReviewForm, RuleSetForm, SettingForm, TenderForm,
                    VersionForm)
from .models import SEVERITIES, Amendment, Bid, Finding, RuleSet, RuleSetting, RuleSetVersion, Tender, \
    TenderDocument
from .rules import RULES


# What a tender's page shows beside it, fetched with the scope check's query.
TENDER = ("pairing", "project", "buyer")


def _subtree(request, pairing, queryset):
    return scope_for(request.user).filter(queryset.filter(pairing__path__startswith=pairing.path))


@login_required
def tender_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    tenders = _subtree(request, pairing, Tender.objects.all())
    years = sorted(set(tenders.values_list("year", flat=True)), reverse=True)
    year = year_param(request)
    if year:
        tenders = tenders.filter(year=year)
    ctx = {"pairing": pairing, "year": year, "years": years,
           "tenders": tenders.with_finding_counts().select_related("project", "buyer"),
           "can_write": scope_for(request.user).has(pairing, "write"),
           "export_year": year or (years[0] if years else None)}
    return render(request, "procurement/tender_list.html", ctx)


def _tender_form(request, pairing, tender):
    scope = scope_for(request.user)
    projects = Project.objects.filter(pairing_id__in=scope.pairing_ids("write"), pairing__path__startswith=pairing.path)
    buyers = Organisation.objects.filter(scope.region_q())
    return TenderForm(request.POST or None, instance=tender, projects=projects, buyers=buyers)


def _tender_page(request, pairing, tender):
    form = _tender_form(request, pairing, tender)
    form.instance.pairing = pairing
    if request.method == "POST" and form.is_valid():
        saved = save_or_conflict(form)
        if saved:
            messages.success(request, _("已保存：%(saved)s") % {"saved": saved})
            return redirect("procurement_tender", saved.pk)
    return render(request, "procurement/tender_form.html", {"form": form, "pairing": pairing, "tender": tender})


@login_required
def tender_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    return _tender_page(request, pairing, Tender())


@login_required
def tender_edit(request, tender_id):
    tender = scope_for(request.user).get(Tender.objects.select_related(*TENDER), tender_id, "write")
    return _tender_page(request, tender.pairing, tender)


@login_required
def tender_detail(request, tender_id):
    tender = scope_for(request.user).get(Tender.objects.select_related(*TENDER), tender_id)
    scope = scope_for(request.user)
    bids = list(tender.bids.all())
    ctx = {"tender": tender, "pairing": tender.pairing, "bids": bids, "timeline": tender.timeline(),
           "amendments": tender.amendments.all(), "documents": tender.documents.all(),
           "findings": tender.findings.order_by("-active", "rule_code"),
           "can_write": scope.has(tender.pairing, "write"), "can_audit": scope.has(tender.pairing, "audit")}
    return render(request, "procurement/tender_detail.html", ctx)


@login_required
def tender_delete(request, tender_id):
    tender = scope_for(request.user).get(Tender.objects.select_related(*TENDER), tender_id, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    pairing_id = tender.pairing_id
    with transaction.atomic():
        tender.delete()
    messages.success(request, _("已删除：%(tender)s") % {"tender": tender})
    return redirect("procurement_tenders", pairing_id)


def _bid_page(request, tender, bid):
    form = BidForm(request.POST or None, instance=bid)
    form.instance.tender = tender
    if request.method == "POST" and form.is_valid():
        if save_or_conflict(form):
            messages.success(request, _("已保存投标信息"))
            return redirect("procurement_tender", tender.pk)
    return render(request, "procurement/child_form.html",
                  {"form": form, "tender": tender, "title": _("投标") if bid.pk else _("登记投标")})


@login_required
def bid_create(request, tender_id):
    tender = scope_for(request.user).get(Tender.objects.select_related(*TENDER), tender_id, "write")
    return _bid_page(request, tender, Bid(tender=tender))


@login_required
def bid_edit(request, bid_id):
    bid = scope_for(request.user).get(Bid.objects.select_related("tender"), bid_id, "write")
    return _bid_page(request, bid.tender, bid)


def _delete_child(request, model, pk):
    # Scope first, method second: a foreign record is 404 whatever the method.
    obj = scope_for(request.user).get(model.objects.select_related("tender"), pk, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic():
        obj.delete()
    messages.success(request, _("已删除"))
    return redirect("procurement_tender", obj.tender_id)


@login_required
def bid_delete(request, bid_id):
    return _delete_child(request, Bid, bid_id)


@login_required
def amendment_delete(request, amendment_id):
    return _delete_child(request, Amendment, amendment_id)


@login_required
def document_delete(request, tenderdocument_id):
    return _delete_child(request, TenderDocument, tenderdocument_id)


@login_required
def amendment_create(request, tender_id):
    tender = scope_for(request.user).get(Tender.objects.select_related(*TENDER), tender_id, "write")
    form = AmendmentForm(request.POST or None, instance=Amendment(tender=tender))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已登记合同变更"))
        return redirect("procurement_tender", tender.pk)
    return render(request, "procurement/child_form.html", {"form": form, "tender": tender, "title": _("登记合同变更")})


@login_required
def document_create(request, tender_id):
    tender = scope_for(request.user).get(Tender.objects.select_related(*TENDER), tender_id, "write")
    form = DocumentForm(request.POST or None, request.FILES or None, instance=TenderDocument(tender=tender))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已上传文件"))
        return redirect("procurement_tender", tender.pk)
    return render(request, "procurement/child_form.html",
                  {"form": form, "tender": tender, "title": _("上传采购文件"), "multipart": True})


@login_required
def document_download(request, tenderdocument_id):
    doc = scope_for(request.user).get(TenderDocument.objects.select_related("tender"), tenderdocument_id, "read")
    return file_download(doc.file)


@login_required
def finding_list(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    findings = _subtree(request, pairing, Finding.objects.filter(active=True)).select_related(
        "tender", "reviewed_by").prefetch_related("rectifications")
    year, rule, severity, status = year_param(request), request.GET.get("rule", ""), request.GET.get("severity", ""), \
        request.GET.get("status", "")
    findings = findings.filter(tender__year=year) if year else findings
    findings = findings.filter(rule_code=rule) if rule else findings
    findings = findings.filter(severity=severity) if severity else findings
    findings = findings.filter(review_status=status) if status else findings
    ctx = {"pairing": pairing, "findings": findings.order_by("tender__year", "tender_id", "rule_code"),
           "year": year, "rule": rule, "severity": severity, "status": status,
           "rules": [(code, r.name_shown) for code, r in RULES.items()], "severities": SEVERITIES,
           "statuses": Finding.REVIEW, "years": range(timezone.localdate().year, 2017, -1),
           "can_audit": scope_for(request.user).has(pairing, "audit"),
           "can_write": scope_for(request.user).has(pairing, "write")}
    return render(request, "procurement/finding_list.html", ctx)


@login_required
def finding_review(request, finding_id):
    finding = scope_for(request.user).get(Finding.objects.select_related("tender"), finding_id, "audit")
    form = ReviewForm(request.POST or None, instance=finding)
    if request.method == "POST" and form.is_valid():
        form.instance.reviewed_by, form.instance.reviewed_at = request.user, timezone.now()
        if save_or_conflict(form):
            messages.success(request, _("已记录复核意见"))
            return redirect("procurement_tender", finding.tender_id)
    return render(request, "procurement/finding_review.html", {"form": form, "finding": finding})


# ---------------------------------------------------------------- rule sets


@login_required
def rules_overview(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    on = _date(request.GET.get("date")) or timezone.localdate()
    layers = services.layers_for(pairing)
    effective = services.effective_settings(pairing, on)
    ctx = {"pairing": pairing, "layers": [(s, s.versions.all()) for s in layers], "on": on,
           "effective": [(RULES[c], e) for c, e in effective.items()],
           "own_set": any(s.pairing_id == pairing.pk for s in layers),
           "can_admin": scope_for(request.user).has(pairing, "admin")}
    return render(request, "procurement/rules_overview.html", ctx)


def _date(text):
    try:
        return datetime.date.fromisoformat(text or "")
    except ValueError:
        return None


@login_required
def ruleset_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "admin")
    form = RuleSetForm(request.POST or None, instance=RuleSet(pairing=pairing))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            ruleset = form.save()
            version = RuleSetVersion.objects.create(ruleset=ruleset, effective_from=form.cleaned_data["effective_from"],
                                                    note="首个版本")
        messages.success(request, _("已建立本级规则集，请勾选需要覆盖的规则并修改参数"))
        return redirect("procurement_version_edit", pairing.pk, version.pk)
    return render(request, "procurement/simple_form.html", {"form": form, "pairing": pairing, "title": _("新建本级规则集")})


def _ruleset_for(pairing, ruleset_id):
    """Return a rule set that applies to the pairing (national or an ancestor's), else 404."""
    for ruleset in services.layers_for(pairing):
        if ruleset.pk == int(ruleset_id):
            return ruleset
    raise Http404(_("规则集不存在或不适用于本结对"))


@login_required
def version_create(request, pairing_id, ruleset_id):
    pairing = get_pairing(request.user, pairing_id, "admin")
    ruleset = _ruleset_for(pairing, ruleset_id)
    form = VersionForm(request.POST or None, instance=RuleSetVersion(ruleset=ruleset))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic(), services.batch():
            latest = ruleset.versions.order_by("-effective_from").first()
            version = form.save()
            for s in latest.settings.all() if latest else ():
                RuleSetting.objects.create(rule_version=version, rule_code=s.rule_code, enabled=s.enabled,
                                           severity=s.severity, params=s.params, law=s.law, article=s.article)
        messages.success(request, _("已新建版本（复制自最近版本），请修改参数"))
        return redirect("procurement_version_edit", pairing.pk, version.pk)
    return render(request, "procurement/simple_form.html",
                  {"form": form, "pairing": pairing, "title": _("%(ruleset)s · 新建版本") % {"ruleset": ruleset}})


@login_required
def version_edit(request, pairing_id, rulesetversion_id):
    pairing = get_pairing(request.user, pairing_id, "admin")
    version = get_object_or_404(RuleSetVersion.objects.select_related("ruleset"), pk=rulesetversion_id)
    _ruleset_for(pairing, version.ruleset_id)
    county = not version.ruleset.is_national
    inherited = services.inherited_settings(version)
    own = {s.rule_code: s for s in version.settings.all()}
    header = VersionForm(request.POST or None, instance=version, prefix="v")
    rows = []
    for code, rule in RULES.items():
        base, mine = inherited[code], own.get(code)
        if mine:
            base = services.Effective(code, rule.name, mine.enabled, mine.severity, {**base.params, **mine.params},
                                      mine.law or base.law, mine.article or base.article, version)
        rows.append(SettingForm(request.POST or None, prefix=code, rule=rule, effective=base, county=county,
                                initial={"override": mine is not None}))
    if request.method == "POST" and header.is_valid() and all(f.is_valid() for f in rows):
        with transaction.atomic(), services.batch():
            if save_or_conflict(header):
                _save_settings(version, rows, own, county)
                messages.success(request, _("已保存规则集版本，预警线索已重新计算"))
                return redirect("procurement_rules", pairing.pk)
    ctx = {"pairing": pairing, "version": version, "header": header, "rows": rows, "county": county}
    return render(request, "procurement/version_edit.html", ctx)


def _save_settings(version, rows, own, county):
    for form in rows:
        code, data = form.rule.code, form.cleaned_data
        if county and not data.get("override"):
            if code in own:
                own[code].delete()
            continue
        values = {"enabled": data["enabled"], "severity": data["severity"], "params": form.params(),
                  "law": data["law"], "article": data["article"]}
        setting = own.get(code) or RuleSetting(rule_version=version, rule_code=code)
        changed = setting.pk is None or any(getattr(setting, k) != v for k, v in values.items())
        if changed:
            for k, v in values.items():
                setattr(setting, k, v)
            setting.save()
