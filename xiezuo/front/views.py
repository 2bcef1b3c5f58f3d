from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from xiezuo.accounts.scope import get_pairing, scope_for

from .params import FIRST_YEAR, LAST_YEAR, MAX_ID, int_or_none
from .worklist import waiting_items
from .years import choose_year, chosen_year

# The key figures of the home page's cards (indicator codes, in this order).
KEY_FIGURES = ("fiscal_funds", "execution", "projects", "consumption", "labour", "training")
# Pairings whose figures the home page shows (the top ones the user reads).
KEY_PAIRINGS = 3


@login_required
def home(request):
    pairings = scope_for(request.user).pairings().select_related("east_region", "west_region", "east_org", "west_org")
    pairings = list(pairings)
    # Pairings come ordered by path, so indenting by depth draws the tree.
    top = min((p.path.count("/") for p in pairings), default=0)
    for p in pairings:
        p.depth = p.path.count("/") - top
    items = waiting_items(request.user)
    request.user._xiezuo_waiting = total = sum(item.count for item in items)
    ctx = {"pairings": pairings, "items": items, "waiting_total": total,
           "key_figures": key_figures(request, pairings)}
    return render(request, "front/home.html", ctx)


def key_figures(request, pairings):
    """Return [(pairing, year, dashboard indicator rows)] for the user's top
    pairings (those whose parent the user does not read), in their working year."""
    from xiezuo.assessment import services

    ids = {p.pk for p in pairings}
    roots = [p for p in pairings if p.parent_id not in ids][:KEY_PAIRINGS]
    out = []
    for pairing in roots:
        year = chosen_year(request, pairing.pk) or pairing.default_year()
        rows, _missing = services.indicators_for(pairing, year)
        by_code = {row["code"]: row for row in rows}
        out.append((pairing, year, [by_code[c] for c in KEY_FIGURES if c in by_code]))
    return out


@login_required
def set_working_year(request):
    """Keep the year chosen in the header's switcher for a pairing and go
    back to the page, opened on that year."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    pairing = get_pairing(request.user, int_or_none(request.POST.get("pairing"), 1, MAX_ID))
    year = int_or_none(request.POST.get("year"), FIRST_YEAR, LAST_YEAR)
    back = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = "/"
    if year is None:
        messages.error(request, _("年度应为2000至2100之间的四位数字"))
        return redirect(back)
    choose_year(request, pairing.pk, year)
    return redirect(with_year(back, year))


def with_year(url, year):
    """Return `url` with its ?year= set to `year` (other parameters kept)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("year", "cursor", "page")]
    query.append(("year", str(year)))
    return urlunsplit(("", "", parts.path, urlencode(query), ""))
