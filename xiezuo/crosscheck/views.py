from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.front.forms import save_or_conflict

from . import services
from .forms import CheckForm, TermForm
from .models import Term


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
