"""One working year per pairing, chosen once and carried by every page.

The year a page of a pairing shows is, in this order: the `?year=` of the
link (links between pages carry it), the year the person chose in the
header's year switcher (kept in the session, per pairing), and the
pairing's own default (`Pairing.default_year`: the working year the office
set, else the latest year with data). Pages that read `?year=` as a filter
(`front.params.year_param`) fall back to the session's choice only, so a
list nobody narrowed still shows every year until a year is chosen.
"""

from .params import FIRST_YEAR, LAST_YEAR, int_or_none

SESSION_KEY = "working_year"


def chosen_year(request, pairing_id):
    """Return the year chosen in the switcher for this pairing, or None."""
    session = getattr(request, "session", None)
    if session is None or pairing_id is None:
        return None
    value = (session.get(SESSION_KEY) or {}).get(str(pairing_id))
    return value if isinstance(value, int) and FIRST_YEAR <= value <= LAST_YEAR else None


def choose_year(request, pairing_id, year):
    """Keep `year` as the person's working year of this pairing."""
    years = dict(request.session.get(SESSION_KEY) or {})
    if years.get(str(pairing_id)) != year:
        years[str(pairing_id)] = year
        request.session[SESSION_KEY] = years


def url_pairing_id(request):
    """Return the pairing id of the page's URL (`<int:pairing_id>`), or None."""
    match = getattr(request, "resolver_match", None)
    return match.kwargs.get("pairing_id") if match else None


def working_year(request, pairing):
    """Return the year a page of `pairing` shows, and keep a year given in
    the link as the person's choice (so the next page opens on it too)."""
    given = int_or_none(request.GET.get("year"), FIRST_YEAR, LAST_YEAR)
    if given is not None:
        choose_year(request, pairing.pk, given)
        return given
    return chosen_year(request, pairing.pk) or pairing.default_year()


def working_year_switch(request):
    """Return what the header's year switcher needs on a page of a pairing
    the user reads ({pairing, year, years}), else None."""
    from xiezuo.accounts.scope import scope_for
    from xiezuo.pairings.models import Pairing

    pairing_id = url_pairing_id(request)
    user = getattr(request, "user", None)
    if not pairing_id or not (user and user.is_authenticated) or not scope_for(user).has(pairing_id):
        return None
    year = int_or_none(request.GET.get("year"), FIRST_YEAR, LAST_YEAR) or chosen_year(request, pairing_id)
    if year is None:
        pairing = Pairing.objects.filter(pk=pairing_id).first()
        year = pairing.default_year() if pairing else None
    if year is None:
        return None
    this_year = max(year, _today_year())
    return {"pairing_id": pairing_id, "year": year, "years": range(this_year, min(year, 2021) - 1, -1)}


def _today_year():
    from django.utils import timezone

    return timezone.localdate().year
