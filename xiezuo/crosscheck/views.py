from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.front.forms import save_or_conflict

from . import onsave, services
from .briefing import briefing_docx as docx_of
from .briefing import default_issuer, docx_name, draft, next_issue_no
from .forms import BriefingForm, CheckForm, NewBriefingForm, TermForm
from .models import Briefing, Term

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
def check(request, pairing_id):
    """Paste a text or upload a .docx; every figure in it checked against the ledgers."""
    pairing = get_pairing(request.user, pairing_id)
    form = CheckForm(request.POST or None, request.FILES or None)
    claims = None
    if request.method == "POST" and form.is_valid():
        claims = services.check(form.cleaned_data["content"], pairing, scope_for(request.user),
                                form.cleaned_data["on"])
    ctx = {"pairing": pairing, "form": form, "claims": claims,
           "counts": services.tally(claims) if claims is not None else None}
    return render(request, "crosscheck/check.html", ctx)


@login_required
def terms(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id)
    rows = Term.objects.for_pairing(pairing).select_related("pairing")
    ctx = {"pairing": pairing, "terms": rows, "can_write": scope_for(request.user).has(pairing, "write")}
    return render(request, "crosscheck/terms.html", ctx)


def _term_page(request, pairing, term):
    form = TermForm(request.POST or None, instance=term)
    if request.method == "POST" and form.is_valid():
        if save_or_conflict(form):
            messages.success(request, _("已保存核对口径"))
            return redirect("crosscheck_terms", pairing.pk)
    return render(request, "crosscheck/term_form.html", {"pairing": pairing, "form": form, "term": term})


@login_required
def term_create(request, pairing_id):
    pairing = get_pairing(request.user, pairing_id, "write")
    return _term_page(request, pairing, Term(pairing=pairing))


@login_required
def term_edit(request, term_id):
    """Edit an office's own term; national rows are not edited here."""
    term = scope_for(request.user).get(Term.objects.filter(pairing__isnull=False).select_related("pairing"),
                                       term_id, "write")
    return _term_page(request, term.pairing, term)


@login_required
def term_delete(request, term_id):
    term = scope_for(request.user).get(Term.objects.filter(pairing__isnull=False).select_related("pairing"),
                                       term_id, "write")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    pairing = term.pairing
    with transaction.atomic():
        term.delete()
    messages.success(request, _("已删除核对口径"))
    return redirect("crosscheck_terms", pairing.pk)


# --- 信息简报 -----------------------------------------------------------------

def create_briefing(pairing, user, data):
    """Create a draft from NewBriefingForm's cleaned data: the page's and the API's one path."""
    issuer = data.get("issuer") or default_issuer(pairing, scope_for(user))
    briefing = Briefing(pairing=pairing, period=data["period"], year=data["year"], number=data.get("number"),
                        issuer=issuer, issue_no=data.get("issue_no") or next_issue_no(pairing, issuer),
                        issued_on=timezone.localdate(), created_by=user, edited_by=user)
    draft(briefing)
    briefing.full_clean()
    with transaction.atomic():
        briefing.save()
    return briefing


@login_required
def briefings(request, pairing_id):
    """The pairing's 简报 drafts, and a new one for a period."""
    pairing = get_pairing(request.user, pairing_id)
    can_write = scope_for(request.user).has(pairing, "write")
    form = NewBriefingForm(request.POST or None)
    if request.method == "POST":
        pairing = get_pairing(request.user, pairing_id, "write")
        if form.is_valid():
            briefing = create_briefing(pairing, request.user, form.cleaned_data)
            messages.success(request, _("已根据台账数字起草简报，请核对修改后导出"))
            return redirect("crosscheck_briefing", briefing.pk)
    rows = Briefing.objects.filter(pairing=pairing).select_related("created_by", "edited_by")
    return render(request, "crosscheck/briefings.html",
                  {"pairing": pairing, "briefings": rows, "form": form, "can_write": can_write})


@login_required
def briefing(request, briefing_id):
    """Edit a draft; on save, 口径核对 of the edited text is shown beside it."""
    scope = scope_for(request.user)
    item = scope.get(Briefing.objects.select_related("pairing"), briefing_id)
    can_write = scope.has(item.pairing, "write")
    form = BriefingForm(request.POST or None, instance=item)
    if request.method == "POST":
        scope.require(item.pairing, "write")
        if form.is_valid():
            form.instance.edited_by = request.user
            saved = save_or_conflict(form)
            if saved:
                result = onsave.check_text("\n".join(saved.lines()), saved.pairing, request.user, saved.issued_on)
                bad = len([c for c in result["flagged"] if c["verdict"] != "unknown"])
                if bad:
                    messages.warning(request, _("已保存；口径核对发现%(n)s处数字与台账不一致，请查看") % {"n": bad})
                else:
                    messages.success(request, _("已保存简报"))
                return redirect("crosscheck_briefing", saved.pk)
    # The text as saved, checked each time the page is shown (so right after a save too).
    check = onsave.check_text("\n".join(item.lines()), item.pairing, request.user, item.issued_on, unknown=True)
    return render(request, "crosscheck/briefing.html",
                  {"pairing": item.pairing, "briefing": item, "form": form, "can_write": can_write, "check": check})


@login_required
def briefing_docx(request, briefing_id):
    item = scope_for(request.user).get(Briefing.objects.select_related("pairing"), briefing_id)
    response = HttpResponse(docx_of(item), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{docx_name(item)}"'
    return response
