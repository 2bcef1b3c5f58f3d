"""The `labour` and `talent` sections of the figures endpoint.

Counting rules (docs/modules/labour.md; sources in docs/modules/rules.md,
"Labour (劳务协作)" and "Talent (人才交流)"):
- a training class counts in the year it starts; trainees are 人次 (roster
  rows), so one person in two classes counts twice; `training_classes` and
  `trainees` are the classes for rural workers (培训对象 农村劳动力), the
  classes for 党政干部 and 专业技术人才 count apart (`cadre_*`,
  `professional_*`);
- a person is employed in a year when any job has a worked day in it (a day
  counts once it has come); `employed_new` are those whose first job ever
  starts in the years, `employed_kept` (稳岗) those already employed before;
- stably employed in a year: cumulative working days in it (the union of
  the person's spells, overlaps once) of at least N × 30, N the year's
  `LabourYearRule.stable_months` (default 3: our judgement after the
  provincial texts); over several years, stable in at least one of them;
- 其中脱贫劳动力: household 脱贫户, and 监测对象 in a year whose rule counts
  them (default on, "脱贫人口（含防止返贫监测对象）" since 2021);
- `by_destination` puts each employed person under one destination, that of
  their job with the most working days in the years (ties: the later
  start), so the four parts add up to `employed`;
- talent: `cadres`, `professionals` and their per-direction keys count the
  people in post (在岗: the stay's period overlaps the years) and
  `*_arrived` those of them whose stay began in the years (当年新到岗);
  人次, 三支 and long/short count the stays begun in the years (the
  article's 31 人次 are arrivals).
Sources: destinations 省外 / 省内县外 / 县内 from 中国青年报 2020-07-08 and
赴对口省份 from the 苏陕协作 2021 report; "脱贫人口（含防止返贫监测对象）" and
累计工作时间 from the 2021 帮扶车间 notices (柳江 / 广西); cadres 计划选派 vs
已到岗 from 中国青年报 2020-07-08. No official East–West definition of
stable employment was found: 30-day months, 3 by default, are our judgement.
Each section costs a fixed number of queries, whatever the number of rows.
"""

import datetime

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from xiezuo.figures import section

from .models import Employment, LabourSettings, LabourYearRule, Person, TalentExchange, TrainingClass, days_in_year, \
    whole_months

DESTINATION_ORDER = {code: n for n, (code, _) in enumerate(Employment.DESTINATIONS)}


def person_figures(jobs, years, rules, first_start, today):
    """Return what one person's jobs in the years say, or None when they
    hold no worked day: {new, stable, poverty rule years, destination, forms}.
    `jobs` are (destination, form, start, end)."""
    per_job = [[days_in_year([(start, end)], y, today) for y in years] for _, _, start, end in jobs]
    if len(jobs) == 1:  # the common case: the job's own days
        days = dict(zip(years, per_job[0]))
    else:
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


@section("labour", reads=("labour",))
def labour_section(pairing_ids, years):
    years = sorted(set(years))
    rules = LabourYearRule.for_years(years)
    labour_class = Q(audience=TrainingClass.LABOUR)
    agg = TrainingClass.objects.filter(pairing_id__in=pairing_ids).started_in(years).aggregate(
        # 人次: roster rows, as the class list's 学员人次 (services.with_roster_counts).
        n_classes=Count("pk", distinct=True, filter=labour_class),
        n_trainees=Count("trainees", filter=labour_class),
        n_certified=Count("trainees", filter=labour_class & Q(trainees__certificate=True)),
        **{f"n_{audience}": Count("trainees", filter=Q(audience=audience))
           for audience in (TrainingClass.CADRE, TrainingClass.PROFESSIONAL)},
        **{f"c_{audience}": Count("pk", distinct=True, filter=Q(audience=audience))
           for audience in (TrainingClass.CADRE, TrainingClass.PROFESSIONAL)})
    today = timezone.localdate()
    # A person's first job ever (any pairing of their tree): before the
    # years means they were employed already (稳岗).
    first_job = Employment.objects.filter(person_id=OuterRef("person_id")).order_by("start").values("start")[:1]
    jobs = (Employment.objects.filter(pairing_id__in=pairing_ids).employed_in(years, today)
            .annotate(first_start=Subquery(first_job))
            .values_list("person_id", "person__household_type", "destination", "form", "start", "end", "first_start"))
    people = {}
    for person, household, destination, form, start, end, first_start in jobs:
        entry = people.setdefault(person, (household, first_start, []))
        entry[2].append((destination, form, start, end))
    employed = new = stable = poverty = 0
    by_destination = {code: 0 for code, _ in Employment.DESTINATIONS}
    by_form = {code: 0 for code, _ in Employment.FORMS}
    for household, first_start, own_jobs in people.values():
        fig = person_figures(own_jobs, years, rules, first_start, today)
        if fig is None:
            continue
        employed += 1
        new += fig["new"]
        stable += fig["stable"]
        if household == Person.POVERTY or (household == Person.MONITORED and any(
                rules[y].poverty_includes_monitored for y in fig["worked"])):
            poverty += 1
        by_destination[fig["destination"]] = by_destination.get(fig["destination"], 0) + 1
        for form in fig["forms"]:
            by_form[form] = by_form.get(form, 0) + 1
    return {
        "training_classes": agg["n_classes"],
        "trainees": agg["n_trainees"],
        "certified": agg["n_certified"],
        # 培训党政干部 / 专业技术人才 (人次: roster rows of the classes for them),
        # apart from the 劳动技能培训 of rural workers above.
        "cadre_trainees": agg["n_cadre"],
        "cadre_classes": agg["c_cadre"],
        "professional_trainees": agg["n_professional"],
        "professional_classes": agg["c_professional"],
        "employed": employed,
        "employed_new": new,
        "employed_kept": employed - new,
        "employed_poverty": poverty,
        "employed_stable": stable,
        # The threshold of the last year asked for (each year uses its own).
        "stable_months": rules[years[-1]].stable_months,
        "by_destination": by_destination,
        "by_form": by_form,
    }


@section("talent", reads=("labour", "pairings.agreement", "pairings.agreementtarget"))
def talent_section(pairing_ids, years):
    years = sorted(set(years))
    long_term_months = LabourSettings.current().long_term_months
    today = timezone.localdate()
    first, last = datetime.date(years[0], 1, 1), datetime.date(years[-1], 12, 31)
    own = TalentExchange.objects.filter(pairing_id__in=pairing_ids)
    rows = list((own.started_in(years) | own.in_post_in(years, today)).values_list(
        "person_id", "kind", "direction", "start", "end"))
    by_kind = {code: 0 for code, _ in TalentExchange.KINDS}
    by_direction = {code: 0 for code, _ in TalentExchange.DIRECTIONS}
    long_term = 0
    arrived_rows = []
    in_post = {}  # (group, direction) -> people in post; group "cadres" or "professionals"
    arrived = {}
    in_post_times = 0
    for person, kind, direction, start, end in rows:
        group = "cadres" if kind == TalentExchange.CADRE else "professionals"
        is_arrival = start.year in years
        if TalentExchange.in_post_between(start, end, first, last, today):
            in_post_times += 1
            in_post.setdefault((group, direction), set()).add(person)
            if is_arrival:
                arrived.setdefault((group, direction), set()).add(person)
        if not is_arrival:
            continue
        arrived_rows.append((person, kind))
        by_kind[kind] += 1
        by_direction[direction] += 1
        if whole_months(start, end or today) >= long_term_months:
            long_term += 1

    def people(table, group, direction=None):
        directions = [direction] if direction else [code for code, _ in TalentExchange.DIRECTIONS]
        return len(set().union(*(table.get((group, d), set()) for d in directions)))

    out = {
        "persons": len({p for p, _ in arrived_rows}),
        "person_times": len(arrived_rows),
        "sanzhi_person_times": sum(by_kind[k] for k in TalentExchange.SANZHI),
        "sanzhi_persons": len({p for p, k in arrived_rows if k in TalentExchange.SANZHI}),
        "by_kind": by_kind,
        "by_direction": by_direction,
        "in_post_person_times": in_post_times,
        "long_term": long_term,
        "short_term": len(arrived_rows) - long_term,
        "long_term_months": long_term_months,
    }
    for group in ("cadres", "professionals"):
        out[group] = people(in_post, group)
        out[f"{group}_arrived"] = people(arrived, group)
        for direction, _ in TalentExchange.DIRECTIONS:
            out[f"{group}_{direction}"] = people(in_post, group, direction)
            out[f"{group}_arrived_{direction}"] = people(arrived, group, direction)
    return out
