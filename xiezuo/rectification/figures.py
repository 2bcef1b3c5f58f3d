"""The `rectification` figures section.

- `found`: tasks found in the year(s), and `by_source` the same by source;
- `open`: tasks found by the reading day and not closed on it, whatever
  the year they were found in (last year's open tasks count this year too);
- `overdue`: of those, the ones whose deadline had passed on the reading day;
- `carried_over`: of the open ones, those found before the year(s);
- `closed_in_year`: tasks closed (销号) in the year(s), whenever found.

The reading day is today for the current year and 31 December for a past
year (`models.as_of`): a past year's overdue count is what stood at its end,
not what still stands now. Our judgement: no public text defines the count.
"""

import datetime

from django.db.models import Count

from xiezuo.figures import section

from .models import SOURCES, Rectification, as_of


@section("rectification", reads=("rectification",))
def rectification_section(pairing_ids, years):
    day = as_of(years)
    tasks = Rectification.objects.filter(pairing_id__in=pairing_ids)
    by_source = {code: 0 for code, _ in SOURCES}
    rows = tasks.filter(year__in=years).values("source").annotate(n=Count("pk")).order_by()
    by_source.update({r["source"]: r["n"] for r in rows})
    still_open = tasks.open_on(day)
    first = datetime.date(min(years), 1, 1)
    return {
        "found": sum(by_source.values()),
        "open": still_open.count(),
        "overdue": still_open.filter(deadline__lt=day).count(),
        "carried_over": still_open.filter(found_on__lt=first).count(),
        "closed_in_year": tasks.filter(closed_on__year__in=years).count(),
        "by_source": by_source,
    }
