"""The labour employment figures computed person by person in Python: the
way the section counted before it moved into grouped SQL, kept here only as
the oracle the SQL is compared with (tests/labour/test_grouped_sql.py)."""

import datetime

from django.db.models import OuterRef, Subquery

from xiezuo.labour.models import Employment, LabourYearRule, Person, days_in_year

DESTINATION_ORDER = {code: n for n, (code, _) in enumerate(Employment.DESTINATIONS)}


def person_figures(jobs, years, rules, first_start, today):
    """Return what one person's jobs in the years say, or None when they
    hold no worked day. `jobs` are (destination, form, start, end)."""
    per_job = [[days_in_year([(start, end)], y, today) for y in years] for _, _, start, end in jobs]
    spells = [(start, end) for _, _, start, end in jobs]
    days = {y: days_in_year(spells, y, today) for y in years}
    worked = [y for y in years if days[y] > 0]
    if not worked:
        return None
    own = [(sum(n), start, destination, form) for n, (destination, form, start, end) in zip(per_job, jobs)]
    own = [j for j in own if j[0] > 0]
    # The job with the most days; the later start, then the report's order, break ties.
    main = max(own, key=lambda j: (j[0], j[1], -DESTINATION_ORDER.get(j[2], 99)))
    return {
        "worked": worked,
        "new": first_start >= datetime.date(min(years), 1, 1),
        "stable": any(days[y] >= rules[y].stable_days for y in worked),
        "destination": main[2],
        "forms": {j[3] for j in own},
    }


def employment(pairing_ids, years, today):
    """The employment part of the labour section, counted in Python."""
    years = sorted(set(years))
    rules = LabourYearRule.for_years(years)
    first_job = Employment.objects.filter(person_id=OuterRef("person_id")).order_by("start").values("start")[:1]
    jobs = (Employment.objects.filter(pairing_id__in=pairing_ids).in_years(years).filter(start__lte=today)
            .annotate(first_start=Subquery(first_job))
            .values_list("person_id", "person__household_type", "destination", "form", "start", "end", "first_start"))
    people = {}
    for person, household, destination, form, start, end, first_start in jobs:
        entry = people.setdefault(person, (household, first_start, []))
        entry[2].append((destination, form, start, end))
    out = {"employed": 0, "employed_new": 0, "employed_poverty": 0, "employed_stable": 0,
           "by_destination": {code: 0 for code, _ in Employment.DESTINATIONS},
           "by_form": {code: 0 for code, _ in Employment.FORMS}}
    for household, first_start, own_jobs in people.values():
        fig = person_figures(own_jobs, years, rules, first_start, today)
        if fig is None:
            continue
        out["employed"] += 1
        out["employed_new"] += fig["new"]
        out["employed_stable"] += fig["stable"]
        if household == Person.POVERTY or (household == Person.MONITORED and any(
                rules[y].poverty_includes_monitored for y in fig["worked"])):
            out["employed_poverty"] += 1
        out["by_destination"][fig["destination"]] += 1
        for form in fig["forms"]:
            out["by_form"][form] += 1
    return out
