"""The `labour` and `talent` sections of the figures endpoint.

Counting rules (docs/modules/labour.md):
- a training class counts in the year it starts; trainees are 人次 (roster
  rows), so one person in two classes counts twice;
- a person counts as employed in a year when any job has a day in it, and as
  stably employed when their jobs touch at least N calendar months of it
  (N = LabourSettings.stable_months); over several years a person counts once;
- an exchange counts in the year it starts; person_times are exchanges,
  persons distinct people; it is long-term when it lasts at least N whole
  months (N = LabourSettings.long_term_months; 8 May–7 Aug is 3 months).
Each section costs a fixed number of queries, whatever the number of rows.
"""

from django.db.models import Count, Q
from django.utils import timezone

from xiezuo.figures import section

from .models import Employment, LabourSettings, Person, TalentExchange, TrainingClass, months_touched, whole_months


@section("labour")
def labour_section(pairing_ids, years):
    years = sorted(set(years))
    stable_months = LabourSettings.current().stable_months
    agg = TrainingClass.objects.filter(pairing_id__in=pairing_ids).started_in(years).aggregate(
        n_classes=Count("pk", distinct=True), n_trainees=Count("trainees"),
        n_certified=Count("trainees", filter=Q(trainees__certificate=True)))
    jobs = Employment.objects.filter(pairing_id__in=pairing_ids).in_years(years).values_list(
        "person_id", "person__household_type", "destination", "form", "start", "end")
    today = timezone.localdate()
    employed, poverty, east = set(), set(), set()
    by_destination = {code: set() for code, _ in Employment.DESTINATIONS}
    by_form = {code: set() for code, _ in Employment.FORMS}
    months = {}  # (person, year) -> months touched by any of the person's jobs
    for person, household, destination, form, start, end in jobs:
        hit = False
        for year in years:
            touched = months_touched(start, end, year, today)
            if touched:
                hit = True
                months.setdefault((person, year), set()).update(touched)
        if not hit:
            continue
        employed.add(person)
        if household == Person.POVERTY:
            poverty.add(person)
        if destination == Employment.EAST:
            east.add(person)
        by_destination[destination].add(person)
        by_form[form].add(person)
    stable = {person for (person, _), m in months.items() if len(m) >= stable_months}
    return {
        "training_classes": agg["n_classes"],
        "trainees": agg["n_trainees"],
        "certified": agg["n_certified"],
        "employed": len(employed),
        "employed_poverty": len(poverty),
        "employed_east": len(east),
        "employed_stable": len(stable),
        "stable_months": stable_months,
        "by_destination": {k: len(v) for k, v in by_destination.items()},
        "by_form": {k: len(v) for k, v in by_form.items()},
    }


@section("talent")
def talent_section(pairing_ids, years):
    long_term_months = LabourSettings.current().long_term_months
    rows = list(TalentExchange.objects.filter(pairing_id__in=pairing_ids).started_in(years).values_list(
        "person_id", "kind", "direction", "start", "end"))
    today = timezone.localdate()
    by_kind = {code: 0 for code, _ in TalentExchange.KINDS}
    by_direction = {code: 0 for code, _ in TalentExchange.DIRECTIONS}
    long_term = 0
    for _, kind, direction, start, end in rows:
        by_kind[kind] += 1
        by_direction[direction] += 1
        if whole_months(start, end or today) >= long_term_months:
            long_term += 1
    return {
        "persons": len({r[0] for r in rows}),
        "person_times": len(rows),
        "sanzhi_person_times": sum(by_kind[k] for k in TalentExchange.SANZHI),
        "sanzhi_persons": len({r[0] for r in rows if r[1] in TalentExchange.SANZHI}),
        "by_kind": by_kind,
        "by_direction": by_direction,
        "cadres": len({r[0] for r in rows if r[1] == TalentExchange.CADRE}),
        "professionals": len({r[0] for r in rows if r[1] in TalentExchange.PROFESSIONAL}),
        "long_term": long_term,
        "short_term": len(rows) - long_term,
        "long_term_months": long_term_months,
    }
