"""Request parameters read the same way by every page.

A parameter that is not what the page expects must never reach the database
or `datetime` as is: letters in an id raised ValueError, a year of 10045865
made `datetime.date` fail, and an id beyond PostgreSQL's integer columns made
the query itself fail — each a 500. These helpers turn such values into
"absent" (the page shows its default) or 404, and the `year` path converter
keeps absurd years in URLs from matching any route at all.
"""

from django.http import Http404
from django.urls import register_converter
from django.utils.translation import gettext as _

FIRST_YEAR, LAST_YEAR = 2000, 2100
# The largest value of PostgreSQL's `integer` (and of Django's AutoField).
MAX_ID = 2**31 - 1


def int_or_none(value, low, high):
    """Return `value` as an int within [low, high], else None."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if low <= number <= high else None


def year_param(request, name="year"):
    """?year= as an int in 2000–2100, or None when unusable or empty (every
    year). Absent, ?year= falls back to the working year the person chose in
    the header's switcher for the page's pairing (`front.years`), if any."""
    if name == "year" and name not in request.GET:
        from .years import chosen_year, url_pairing_id

        return chosen_year(request, url_pairing_id(request))
    return int_or_none(request.GET.get(name), FIRST_YEAR, LAST_YEAR)


def id_param(request, name):
    """?name= as a record id, or None when absent or not an id."""
    return int_or_none(request.GET.get(name), 1, MAX_ID)


def id_param_or_404(request, name):
    """?name= as a record id; a value given but unusable is a 404, like a
    record that does not exist."""
    raw = request.GET.get(name)
    if not raw:
        return None
    value = int_or_none(raw, 1, MAX_ID)
    if value is None:
        raise Http404(_("参数“%s”应为记录编号") % name)
    return value


class YearConverter:
    """`<year:year>` in a URL: four digits between 2000 and 2100; any other
    value does not match, so the answer is 404 instead of a report built for
    the year 99999."""

    regex = "[0-9]{1,8}"

    def to_python(self, value):
        year = int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(value)
        return year

    def to_url(self, value):
        return str(value)


register_converter(YearConverter, "year")
