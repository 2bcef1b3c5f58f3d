from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.figures import cached
from xiezuo.front.downloads import file_download
from xiezuo.front.forms import loaded_version_of, save_or_conflict
from xiezuo.front.years import working_year

from . import services
from .figures import VILLAGE_PAIR_LEVELS
from .forms import NoteForm, StatusForm, WorkshopMonthForm
from .ledgers import LEDGERS, detail_fields, rows
from .models import AgreedItem, Visit, Workshop, WorkshopMonth, poverty_threshold


def _ledger(slug):
    if slug not in LEDGERS:
        raise Http404(_("台账不存在"))
    return LEDGERS[slug]


def _year(request, pairing):
    """Return the year asked for, else the pairing's working year
    (`front.years`)."""
    return working_year(request, pairing)


@login_required
def home(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    year = _year(request, pairing)
    figures = cached(pairing, [year], sections=["industry", "exchanges"])
    village_pairs = pairing.subtree().filter(level__in=VILLAGE_PAIR_LEVELS).select_related(
        "east_org", "west_org", "east_region", "west_region")
    ctx = {"pairing": pairing, "year": year, "industry": figures["industry"], "exchanges": figures["exchanges"],
           "ledgers": LEDGERS.values(), "village_pairs": village_pairs,
           "can_write": scope_for(request.user).has(pairing, "write")}
    return render(request, "industry/home.html", ctx)


@login_required
def ledger_list(request, pairing_id, slug):
    ledger = _ledger(slug)
    pairing = get_pairing(request.user, pairing_id)
    scope = scope_for(request.user)
    qs = scope.filter(ledger.model.objects.within(pairing)).select_related("pairing", *ledger.related)
    qs = ledger.filtered(qs, request.GET)
    if slug == "items" and request.GET.get("overdue"):
        qs = qs.overdue()
    listed = rows(ledger, qs[:1000])
    rule = ledger.counted_rule(request.GET)
    counted = None
    if rule:
        # A dashboard card's rows: each marked with what it adds to the figure
        # (a row, or a distinct enterprise / village), and their total.
        for obj, _cells in listed:
            obj.counted_key = getattr(obj, rule[1]) if rule[1] else None
        total = qs.values(rule[1]).distinct().count() if rule[1] else qs.count()
        counted = {"figure": request.GET["counted"], "distinct": bool(rule[1]), "total": total}
    ctx = {"pairing": pairing, "ledger": ledger, "rows": listed, "count": qs.count(), "counted": counted,
           "choice_filters": ledger.choice_filters(request.GET), "q": request.GET.get("q", ""),
           "year": request.GET.get("year", ""), "overdue": request.GET.get("overdue", ""),
           "can_write": scope.has(pairing, "write")}
    return render(request, "industry/list.html", ctx)


@login_required
def ledger_detail(request, slug, **ids):
    ledger = _ledger(slug)
    obj = scope_for(request.user).get(ledger.model.objects.select_related("pairing"), ids[ledger.id_param])
    pairing = obj.pairing
    ctx = {"obj": obj, "pairing": pairing, "ledger": ledger, "fields": detail_fields(ledger, obj),
           "can_write": scope_for(request.user).has(pairing, "write"), "today": timezone.localdate()}
    if slug == "items":
        ctx.update(note_form=NoteForm(initial={"date": timezone.localdate()}), notes=obj.notes.select_related("author"))
    if slug == "workshops":
        ctx.update(months=obj.months.all(), threshold=poverty_threshold())
    return render(request, ledger.detail_template, ctx)


def _edit_page(request, ledger, pairing, instance):
    # Links such as "new agreed item from this meeting" preset fields by query string.
    initial = {k: v for k, v in request.GET.items() if k in ledger.form.Meta.fields and k != "pairing"}
    form = ledger.form(request.POST or None, request.FILES or None, instance=instance, pairing=pairing,
                       user=request.user, initial=initial)
    formset = (ledger.formset(request.POST or None, instance=instance, prefix=ledger.formset_prefix)
               if ledger.formset else None)
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        with transaction.atomic():
            saved = save_or_conflict(form)
            if saved and formset is not None:
                formset.instance = saved
                formset.save()
                saved.refresh_from_db()  # an investment's sum follows its arrivals
        if saved:
            if getattr(saved, "arrived_exceeds_agreed", False):
                messages.warning(request, _("实际到位投资超过协议投资额，请核实"))
            messages.success(request, _("已保存：%(saved)s") % {"saved": saved})
            return redirect(ledger.url("detail"), saved.pk)
    ctx = {"form": form, "formset": formset, "pairing": pairing, "ledger": ledger, "obj": instance}
    return render(request, "industry/form.html", ctx)


@login_required
def ledger_create(request, pairing_id, slug):
    ledger = _ledger(slug)
    pairing = get_pairing(request.user, pairing_id, "write")
    return _edit_page(request, ledger, pairing, ledger.model(pairing=pairing))


@login_required
def ledger_edit(request, slug, **ids):
    ledger = _ledger(slug)
    obj = scope_for(request.user).get(ledger.model.objects.select_related("pairing"), ids[ledger.id_param], "write")
    pairing = obj.pairing
    return _edit_page(request, ledger, pairing, obj)


def _month_page(request, workshop, instance):
    form = WorkshopMonthForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = save_or_conflict(form)
        if saved:
            messages.success(request, _("已保存：%(saved)s") % {"saved": saved})
            return redirect("industry_workshops_detail", workshop.pk)
    ctx = {"form": form, "pairing": workshop.pairing, "ledger": LEDGERS["workshops"], "workshop": workshop,
           "obj": instance}
    return render(request, "industry/month_form.html", ctx)


@login_required
def workshop_month_create(request, workshop_id):
    workshop = scope_for(request.user).get(Workshop.objects.select_related("pairing"), workshop_id, "write")
    return _month_page(request, workshop, WorkshopMonth(workshop=workshop))


@login_required
def workshop_month_edit(request, workshopmonth_id):
    row = scope_for(request.user).get(WorkshopMonth.objects.select_related("workshop__pairing"), workshopmonth_id,
                                      "write")
    return _month_page(request, row.workshop, row)


@login_required
def visit_minutes(request, visit_id):
    visit = scope_for(request.user).get(Visit.objects.select_related("pairing"), visit_id)
    if not visit.minutes:
        raise Http404(_("没有会议纪要附件"))
    return file_download(visit.minutes)


def _board_context(request, pairing, year):
    scope = scope_for(request.user)
    items = scope.filter(AgreedItem.objects.within(pairing).in_years([year])).prefetch_related("notes")
    columns = [(code, label, [i for i in items if i.status == code]) for code, label in AgreedItem.STATUSES]
    return {"pairing": pairing, "year": year, "columns": columns, "today": timezone.localdate(),
            "can_write": scope.has(pairing, "write"), "overdue": sum(i.is_overdue() for i in items)}


@login_required
def board(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    return render(request, "industry/board.html", _board_context(request, pairing, _year(request, pairing)))


@login_required
def item_status(request, agreeditem_id):
    # Scope first, method second: another pairing's user learns nothing, not
    # even that the address takes POST.
    item = scope_for(request.user).get(AgreedItem.objects.select_related("pairing"), agreeditem_id, "write")
    pairing = item.pairing
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = StatusForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("状态无效")
    else:
        try:
            services.change_status(item, form.cleaned_data["status"], user=request.user, text=form.cleaned_data["text"],
                                   loaded_version=loaded_version_of(request.POST))
        except ValidationError as e:
            error = _("；").join(e.messages)
    if request.headers.get("HX-Request"):
        # The board swaps itself in place; a refusal shows above the columns.
        ctx = _board_context(request, pairing, item.year)
        ctx["error"] = error
        # htmx swaps only successful responses, so a refusal is a 200 too.
        return render(request, "industry/_board.html", ctx)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("已更新：%(item)s") % {"item": item})
    if request.POST.get("next") == "board":
        return redirect(reverse("industry_board", args=[pairing.pk]) + f"?year={item.year}")
    return redirect("industry_items_detail", item.pk)


@login_required
def item_note(request, agreeditem_id):
    item = scope_for(request.user).get(AgreedItem.objects.select_related("pairing"), agreeditem_id, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(item, form.cleaned_data["text"], date=form.cleaned_data["date"], user=request.user)
            messages.success(request, _("已追加进展记录"))
            return redirect("industry_items_detail", item.pk)
        except ValidationError as e:
            for field, msgs in e.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
    ledger = LEDGERS["items"]
    ctx = {"obj": item, "pairing": item.pairing, "ledger": ledger, "fields": detail_fields(ledger, item),
           "can_write": True, "note_form": form, "notes": item.notes.select_related("author"),
           "today": timezone.localdate()}
    return render(request, ledger.detail_template, ctx, status=422)
