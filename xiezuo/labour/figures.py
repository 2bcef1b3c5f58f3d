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
Each section costs a fixed number of queries, whatever the number of rows
or years: the employment figures are one grouped SQL statement
(`employment_figures`, for one period or one per year alike).
"""

import datetime

from django.db import connection
from django.db.models import Case, Count, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone

from xiezuo.figures import by_year, section

from .models import Employment, LabourSettings, LabourYearRule, Person, TalentExchange, TrainingClass, whole_months

EPOCH = datetime.date(1970, 1, 1)


class EpochDay(Func):
    """A date as its day number since 1970-01-01, so that spans of days are
    integer arithmetic on SQLite and PostgreSQL alike."""

    output_field = IntegerField()
    arity = 1
    template = "(%(expressions)s - DATE '1970-01-01')"  # PostgreSQL: date - date is an integer

    def as_sqlite(self, compiler, connection, **extra):
        # julianday('1970-01-01') is 2440587.5; dates are stored as 'YYYY-MM-DD'.
        return self.as_sql(compiler, connection, template="CAST(ROUND(julianday(%(expressions)s) - 2440587.5) AS INTEGER)",
                           **extra)


def epoch_day(date):
    return (date - EPOCH).days


# The tie-break of the main job after days and start: the report's order.
DESTINATION_ORDER = Case(*[When(destination=code, then=Value(n)) for n, (code, _) in enumerate(Employment.DESTINATIONS)],
                         default=Value(99), output_field=IntegerField())

# The employment figures of one or more periods (each a set of years) in one
# statement. `jobs` are the jobs of the pairings with a worked day by today
# (from the ORM, with day numbers); `years` holds one row per (period, year):
# the year's first and last day, its threshold of stable days and whether its
# rule counts 监测对象 as 脱贫; `ranges` one row per run of consecutive years
# of a period: its first and last day and the period's first day.
#  - pieces: each job's days (cut to today: a day counts once it has come)
#    that the person's earlier jobs (ordered by first day) do not cover:
#    those cover every day from this job's first day to their latest end
#    (the one ending last started no later), so a piece is what lies after
#    that end. The pieces are disjoint and together they are the union of
#    the person's spells, whatever the years asked: the one window runs over
#    jobs, not jobs × years;
#  - person_year: cumulative working days of a person in a year, the pieces
#    cut to the year and summed;
#  - person_period: employed (any day), stable (any year over the
#    threshold), 脱贫 (household, or 监测对象 in a year whose rule counts them);
#  - job_days: each job's days in each period, cut to its ranges;
#  - main: the job with the most days in the period (ties: the later start,
#    then the report's order), whose destination counts the person.
EMPLOYMENT_SQL = """
WITH jobs AS ({jobs}),
years (period, yf, yl, stable_days, monitored) AS (VALUES {years}),
ranges (period, rf, rl, pfirst) AS (VALUES {ranges}),
ends AS MATERIALIZED (
    SELECT job, worker, household, dest, form_code, s, f, o,
           CASE WHEN e IS NOT NULL AND e < {today} THEN e ELSE {today} END AS t
    FROM jobs
),
pieces AS (
    SELECT worker, CASE WHEN before_t IS NULL OR s > before_t THEN s ELSE before_t + 1 END AS lo, t AS hi
    FROM (SELECT worker, s, t, MAX(t) OVER (PARTITION BY worker ORDER BY s, t
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_t
          FROM ends) AS ordered
    WHERE before_t IS NULL OR t > before_t
),
person_year AS (
    SELECT p.worker, y.period, y.yf, MAX(y.stable_days) AS stable_days, MAX(y.monitored) AS monitored,
           SUM((CASE WHEN p.hi < y.yl THEN p.hi ELSE y.yl END) - (CASE WHEN p.lo > y.yf THEN p.lo ELSE y.yf END) + 1)
               AS days
    FROM pieces p JOIN years y ON p.lo <= y.yl AND p.hi >= y.yf AND p.lo <= p.hi
    GROUP BY p.worker, y.period, y.yf
),
person_period AS (
    SELECT worker, period, MAX(CASE WHEN days >= stable_days THEN 1 ELSE 0 END) AS stable,
           MAX(monitored) AS monitored
    FROM person_year GROUP BY worker, period
),
job_days AS MATERIALIZED (
    SELECT j.job, j.worker, r.period, MAX(j.household) AS household, MAX(j.dest) AS dest,
           MAX(j.form_code) AS form_code, MAX(j.s) AS s, MAX(j.o) AS o,
           MAX(CASE WHEN j.f >= r.pfirst THEN 1 ELSE 0 END) AS is_new,
           SUM((CASE WHEN j.t < r.rl THEN j.t ELSE r.rl END) - (CASE WHEN j.s > r.rf THEN j.s ELSE r.rf END) + 1) AS days
    FROM ends j JOIN ranges r ON j.s <= r.rl AND j.t >= r.rf AND j.s <= j.t
    GROUP BY j.job, j.worker, r.period
),
main AS (
    SELECT job_days.*, ROW_NUMBER() OVER (PARTITION BY worker, period ORDER BY days DESC, s DESC, o) AS place
    FROM job_days
),
people AS (
    -- main job and person-period flags side by side, grouped (no join: sorting scales, a nested loop did not)
    SELECT worker, period, MAX(dest) AS dest, MAX(household) AS household, MAX(is_new) AS is_new,
           MAX(stable) AS stable, MAX(monitored) AS monitored
    FROM (SELECT worker, period, dest, household, is_new, NULL AS stable, NULL AS monitored FROM main WHERE place = 1
          UNION ALL
          SELECT worker, period, NULL, NULL, NULL, stable, monitored FROM person_period) AS both_rows
    GROUP BY worker, period
)
SELECT 'dest', period, dest, COUNT(*), SUM(is_new), SUM(stable),
       SUM(CASE WHEN household = %s OR (household = %s AND monitored = 1) THEN 1 ELSE 0 END)
FROM people GROUP BY period, dest
UNION ALL
SELECT 'form', period, form_code, COUNT(DISTINCT worker), 0, 0, 0 FROM job_days GROUP BY period, form_code
"""


def year_runs(years):
    """[2021, 2022, 2024] → [(2021, 2022), (2024, 2024)]: the runs of
    consecutive years, for the statement's `ranges` (sorted, distinct years)."""
    runs = []
    for y in years:
        if runs and runs[-1][1] == y - 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return [tuple(r) for r in runs]


def employment_figures(pairing_ids, periods, today=None):
    """Return {period: employment figures} for periods {key: [years]}, in two
    queries (the year rules, then one statement) whatever the number of
    periods, years, jobs or people. The counting rules: the module's docstring."""
    today = today or timezone.localdate()
    all_years = sorted({y for years in periods.values() for y in years})
    rules = LabourYearRule.for_years(all_years)
    keys = list(periods)
    empty = {key: {"employed": 0, "employed_new": 0, "employed_poverty": 0, "employed_stable": 0,
                   "by_destination": {code: 0 for code, _ in Employment.DESTINATIONS},
                   "by_form": {code: 0 for code, _ in Employment.FORMS}} for key in keys}
    if not all_years or not pairing_ids:
        return empty, rules
    # A person's first job ever (any pairing of their tree): before the
    # period means they were employed already (稳岗).
    first_job = Employment.objects.filter(person_id=OuterRef("person_id")).order_by("start").values("start")[:1]
    jobs = (Employment.objects.filter(pairing_id__in=pairing_ids).employed_in(all_years, today)
            .order_by()
            .values(job=F("pk"), worker=F("person_id"), household=F("person__household_type"),
                    dest=F("destination"), form_code=F("form"), s=EpochDay("start"), e=EpochDay("end"),
                    f=EpochDay(Subquery(first_job)), o=DESTINATION_ORDER))
    jobs_sql, params = jobs.query.sql_with_params()
    rows, ranges = [], []
    for n, key in enumerate(keys):
        own = sorted(set(periods[key]))
        pfirst = epoch_day(datetime.date(own[0], 1, 1))
        for y in own:
            rule = rules[y]
            rows.append(f"({n}, {epoch_day(datetime.date(y, 1, 1))}, {epoch_day(datetime.date(y, 12, 31))}, "
                        f"{int(rule.stable_days)}, {1 if rule.poverty_includes_monitored else 0})")
        for first, last in year_runs(own):
            ranges.append(f"({n}, {epoch_day(datetime.date(first, 1, 1))}, {epoch_day(datetime.date(last, 12, 31))}, "
                          f"{pfirst})")
    sql = EMPLOYMENT_SQL.format(jobs=jobs_sql, years=", ".join(rows), ranges=", ".join(ranges),
                                today=epoch_day(today))
    with connection.cursor() as cur:
        cur.execute(sql, [*params, Person.POVERTY, Person.MONITORED])
        result = cur.fetchall()
    for kind, n, code, people, new, stable, poverty in result:
        out = empty[keys[n]]
        if kind == "form":
            out["by_form"][code] = out["by_form"].get(code, 0) + people
            continue
        out["by_destination"][code] = out["by_destination"].get(code, 0) + people
        out["employed"] += people
        out["employed_new"] += int(new or 0)
        out["employed_stable"] += int(stable or 0)
        out["employed_poverty"] += int(poverty or 0)
    return empty, rules


@section("labour", reads=("labour",))
def labour_section(pairing_ids, years):
    years = sorted(set(years))
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
    by_period, rules = employment_figures(pairing_ids, {"all": years})
    jobs = by_period["all"]
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
        "employed": jobs["employed"],
        "employed_new": jobs["employed_new"],
        "employed_kept": jobs["employed"] - jobs["employed_new"],
        "employed_poverty": jobs["employed_poverty"],
        "employed_stable": jobs["employed_stable"],
        # The threshold of the last year asked for (each year uses its own).
        "stable_months": rules[years[-1]].stable_months,
        "by_destination": jobs["by_destination"],
        "by_form": jobs["by_form"],
    }


@by_year("labour")
def labour_by_year(pairing_ids, years):
    """The trend's labour figures of each year (employed, trainees): one
    grouped query of the classes and the employment statement with one
    period per year."""
    employment, _ = employment_figures(pairing_ids, {y: [y] for y in years})
    trainees = dict(TrainingClass.objects.filter(pairing_id__in=pairing_ids, audience=TrainingClass.LABOUR)
                    .started_in(years).annotate(y=ExtractYear("start")).values("y")
                    .annotate(n=Count("trainees")).order_by().values_list("y", "n"))
    return {y: {"employed": employment[y]["employed"], "trainees": trainees.get(y, 0)} for y in years}


@by_year("talent")
def talent_by_year(pairing_ids, years):
    """The trend's 人才交流人次 of each year: the stays begun in it."""
    found = dict(TalentExchange.objects.filter(pairing_id__in=pairing_ids).started_in(years)
                 .annotate(y=ExtractYear("start")).values("y").annotate(n=Count("pk")).order_by()
                 .values_list("y", "n"))
    return {y: {"person_times": found.get(y, 0)} for y in years}


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
