"""The labour section counts in grouped SQL (issue 22): for generated jobs —
spells across year ends, open ends, leap years, spells of exactly the
threshold's days, overlapping jobs, year rules of other thresholds — the
SQL figures equal the person-by-person Python computation (tests/labour/
oracle.py), for one year, several years and one period per year; and the
number of queries does not grow with the years or the rows."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.labour.figures import employment_figures, year_runs
from xiezuo.labour.models import Employment, LabourYearRule, Person

from . import oracle

pytestmark = pytest.mark.django_db
D = datetime.date
YEARS = list(range(2019, 2026))
DESTINATIONS = [code for code, _ in Employment.DESTINATIONS]
FORMS = [code for code, _ in Employment.FORMS]
HOUSEHOLDS = [code for code, _ in Person.HOUSEHOLDS] + [""]

# Days next to the year ends and 29 February of the leap years.
EDGES = [D(y, m, d) for y in YEARS for m, d in ((1, 1), (12, 31), (12, 30), (1, 2))] + [D(2020, 2, 29), D(2024, 2, 29)]
starts = st.one_of(st.dates(D(2018, 6, 1), D(2025, 12, 31)), st.sampled_from(EDGES))
# Lengths in days: any, or the thresholds of 1, 3 and 6 months and a day either side.
lengths = st.one_of(st.integers(1, 800), st.sampled_from([29, 30, 31, 89, 90, 91, 179, 180, 181, 365, 366]))
# A person's jobs start near one another (days after the first start), so
# that they often overlap, touch or leave a gap of a few days.
job = st.tuples(st.integers(0, 400), st.one_of(st.none(), lengths), st.sampled_from(DESTINATIONS),
                st.sampled_from(FORMS))
person = st.builds(lambda household, first, own: (household, [(first + datetime.timedelta(days=offset), *rest)
                                                               for offset, *rest in own]),
                   st.sampled_from(HOUSEHOLDS), starts, st.lists(job, min_size=1, max_size=4))
rule = st.one_of(st.none(), st.tuples(st.sampled_from([1, 3, 3, 6]), st.booleans()))
years_asked = st.lists(st.sampled_from(YEARS), min_size=1, max_size=5, unique=True).map(sorted)
todays = st.one_of(st.dates(D(2019, 1, 1), D(2026, 6, 30)), st.sampled_from(EDGES))


def make(pairing, people, rules):
    LabourYearRule.objects.bulk_create([LabourYearRule(year=y, stable_months=r[0], poverty_includes_monitored=r[1])
                                        for y, r in zip(YEARS, rules) if r is not None])
    jobs = []
    for n, (household, own) in enumerate(people):
        p = Person(pairing=pairing, name=f"生成{n}", household_type=household)
        p.save()
        seen = set()
        for start, length, destination, form in own:
            if start in seen:
                continue  # (person, start) is the ledger's natural key
            seen.add(start)
            end = None if length is None else start + datetime.timedelta(days=length - 1)
            jobs.append(Employment(pairing=pairing, person=p, start=start, end=end, destination=destination, form=form))
    Employment.objects.bulk_create(jobs)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(people=st.lists(person, min_size=1, max_size=6), rules=st.lists(rule, min_size=7, max_size=7),
       years=years_asked, today=todays)
def test_the_sql_figures_equal_the_python_computation(foreign, people, rules, years, today):
    with transaction.atomic():
        Employment.objects.filter(pairing=foreign).delete()
        make(foreign, people, rules)
        periods = {"all": years, **{y: [y] for y in years}}
        got, _ = employment_figures([foreign.pk], periods, today=today)
        assert got["all"] == oracle.employment([foreign.pk], years, today), (years, today)
        for y in years:
            assert got[y] == oracle.employment([foreign.pk], [y], today), (y, today)
        transaction.set_rollback(True)


def test_exactly_the_threshold_is_stable_and_a_day_less_is_not(foreign):
    LabourYearRule.objects.create(year=2024, stable_months=3)
    LabourYearRule.objects.create(year=2023, stable_months=6)
    # 2024 is a leap year: 1 Feb–30 Apr is 29 + 31 + 30 = 90 days.
    make(foreign, [("general", [(D(2024, 2, 1), 90, "in_county", "enterprise")]),
                   ("general", [(D(2024, 2, 1), 89, "in_county", "enterprise")]),
                   # Two overlapping spells of 2023: 1 Jan–30 Apr and 1 Apr–29 Jun is 180 days once.
                   ("general", [(D(2023, 1, 1), 120, "in_county", "enterprise"),
                                (D(2023, 4, 1), 90, "paired_province", "workshop")]),
                   # 1 Jan–30 Apr and 1 Apr–28 Jun: 209 days added up, 179 once.
                   ("general", [(D(2023, 1, 1), 120, "in_county", "enterprise"),
                                (D(2023, 4, 1), 89, "in_county", "enterprise")]),
                   # 1 Jan–30 Apr and 1 Feb–1 Apr: 180 days added up, but 120 once.
                   ("general", [(D(2023, 1, 1), 120, "in_county", "enterprise"),
                                (D(2023, 2, 1), 60, "in_county", "enterprise")])],
         [None] * 7)
    got, _ = employment_figures([foreign.pk], {2024: [2024], 2023: [2023]}, today=D(2025, 1, 1))
    assert got[2024]["employed"] == 2 and got[2024]["employed_stable"] == 1
    assert got[2023]["employed"] == 3 and got[2023]["employed_stable"] == 1
    # The longer job (120 days) decides the destination; both forms count.
    assert got[2023]["by_destination"]["in_county"] == 3 and got[2023]["by_destination"]["paired_province"] == 0
    assert got[2023]["by_form"] == {**{f: 0 for f in FORMS}, "enterprise": 3, "workshop": 1}


def test_the_queries_do_not_grow_with_the_years_or_the_jobs(foreign):
    make(foreign, [("poverty", [(D(2021, 3, 1), None, "in_county", "enterprise")])], [None] * 7)
    with CaptureQueriesContext(connection) as one:
        employment_figures([foreign.pk], {2021: [2021]}, today=D(2025, 6, 1))
    make(foreign, [("monitored", [(D(y, 5, 1), 200, "in_province", "self") for y in YEARS])] * 20, [None] * 7)
    with CaptureQueriesContext(connection) as many:
        got, _ = employment_figures([foreign.pk], {y: [y] for y in YEARS}, today=D(2025, 6, 1))
    assert len(one.captured_queries) == len(many.captured_queries) == 2
    assert got[2023]["employed"] == 21 and got[2023]["employed_poverty"] == 21


def test_a_period_is_cut_to_its_runs_of_consecutive_years():
    assert year_runs([2021, 2022, 2023, 2024, 2025]) == [(2021, 2025)]
    assert year_runs([2019, 2021, 2022, 2025]) == [(2019, 2019), (2021, 2022), (2025, 2025)]
    assert year_runs([2024]) == [(2024, 2024)]
    assert year_runs([]) == []


def test_a_job_over_a_gap_of_the_period_counts_only_its_days_in_the_years_asked(foreign):
    # 2021 and 2023 asked, not 2022. The long job (2021-12-25, 400 days, to
    # 2023-01-28) has 7 + 28 = 35 days in those years; the short one
    # (2023-03-01, 60 days) has 60, so it is the main job. Counting 2022
    # too would give the long job 400 days.
    make(foreign, [("poverty", [(D(2021, 12, 25), 400, "in_county", "enterprise"),
                                (D(2023, 3, 1), 60, "paired_province", "workshop")])], [None] * 7)
    got, _ = employment_figures([foreign.pk], {"p": [2021, 2023]}, today=D(2025, 6, 1))
    assert got["p"]["employed"] == 1 and got["p"]["employed_new"] == 1
    assert got["p"]["by_destination"]["paired_province"] == 1 and got["p"]["by_destination"]["in_county"] == 0
    # On 2023-03-20 the short job has 20 days: the long one's 35 win.
    got, _ = employment_figures([foreign.pk], {"p": [2021, 2023]}, today=D(2023, 3, 20))
    assert got["p"]["by_destination"]["in_county"] == 1 and got["p"]["by_destination"]["paired_province"] == 0
    assert got["p"] == oracle.employment([foreign.pk], [2021, 2023], D(2023, 3, 20))
