"""The notices on the public disclosure page: published (not withdrawn)
notices of the public pairings' projects of the year and of their library
entries, current (not yet ended) and past, with their content and 监督电话.
No feedback and no personal data is read here; board photos stay off the
public page (they are kept for the offices and auditors, our judgement:
a photo of a village board may show passers-by)."""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notice, PUBLISHED


def public_notice_groups(pairings, year):
    """Return [(heading, notices, table id)] for the current and past notices."""
    if not year:
        return []
    today = timezone.localdate()
    notices = list(Notice.objects.filter(pairing__in=pairings, status=PUBLISHED)
                   .filter(Q(project__year=year) | Q(library_entry__year=year))
                   .only(*PUBLIC_FIELDS).order_by("-start_date", "pk"))
    current = [n for n in notices if n.end_date >= today]
    past = [n for n in notices if n.end_date < today]
    return [(_("正在公示"), current, "public-notices-current"), (_("往期公示"), past, "public-notices-past")]


PUBLIC_FIELDS = ("pairing", "stage", "title", "name", "place", "content", "coop_funds", "other_funds",
                 "fund_sources", "implementing_unit", "benefit", "linkage", "results", "hotline", "start_date",
                 "end_date", "status")
