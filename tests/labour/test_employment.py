"""Employment: pages, and the rules "employed in a year", "new or kept",
"stably employed", "其中脱贫劳动力" and the four destinations.

Stable employment counts cumulative working days in the year: the union of
a person's spells (overlaps once), both ends included, at least the year's
`LabourYearRule.stable_months` × 30 days (default 3 → 90 days). A day counts
once it has come: an open end runs to today, never into the future.
"""

import datetime
from importlib import import_module

import pytest
import time_machine
from django.apps import apps as django_apps
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from xiezuo.audit.models import AuditEvent
from xiezuo.figures import compute
from xiezuo.labour.models import (
    DAYS_PER_MONTH,
    Employment,
    LabourYearRule,
    days_in_year,
    in_named_place,
    paired_province_names,
)

from ..checklist import login, page_checklist
from .conftest import RAW_ID

pytestmark = pytest.mark.django_db
D = datetime.date

# Named dates. 31 January–1 March 2022 is 1 + 28 + 1 = 30 days (it touches
# three calendar months, which the old rule counted as three months).
JAN_31, MARCH_1 = D(2022, 1, 31), D(2022, 3, 1)
# 1 November 2021–31 March 2022: 61 days in 2021, 31 + 28 + 31 = 90 in 2022.
NOV_1_2021, MARCH_31 = D(2021, 11, 1), D(2022, 3, 31)
NEW_YEAR_2022 = D(2022, 1, 1)
NEW_YEARS_EVE_2021 = D(2021, 12, 31)
FAR = D(2099, 1, 1)


def labour(pairing, years=(2022,)):
    return compute(pairing, list(years), sections=["labour"])["labour"]


def plus(day, n):
    """The day n days after `day`: a spell from `day` to plus(day, n - 1) lasts n days."""
    return day + datetime.timedelta(days=n)


# --- cumulative days --------------------------------------------------------------

def test_a_month_is_thirty_days_and_the_default_is_three_months():
    assert DAYS_PER_MONTH == 30
    rule = LabourYearRule.for_year(2022)
    assert rule.pk is None and (rule.stable_months, rule.stable_days, rule.poverty_includes_monitored) == (3, 90, True)


def test_days_in_year_edges():
    assert days_in_year([(JAN_31, MARCH_1)], 2022, today=FAR) == 30
    assert days_in_year([(NOV_1_2021, MARCH_31)], 2022, today=FAR) == 90
    assert days_in_year([(NOV_1_2021, MARCH_31)], 2021, today=FAR) == 61
    # A spell crossing New Year has one day in each year.
    assert days_in_year([(NEW_YEARS_EVE_2021, NEW_YEAR_2022)], 2021, today=FAR) == 1
    assert days_in_year([(NEW_YEARS_EVE_2021, NEW_YEAR_2022)], 2022, today=FAR) == 1
    # Overlapping spells count a day once; touching spells join without a gap.
    assert days_in_year([(D(2022, 3, 1), D(2022, 3, 20)), (D(2022, 3, 11), D(2022, 3, 31))], 2022, today=FAR) == 31
    assert days_in_year([(D(2022, 3, 1), D(2022, 3, 10)), (D(2022, 3, 11), D(2022, 3, 20))], 2022, today=FAR) == 20
    # A spell inside another adds nothing.
    assert days_in_year([(D(2022, 1, 1), D(2022, 12, 31)), (D(2022, 5, 1), D(2022, 5, 31))], 2022, today=FAR) == 365
    # Days that have not come yet do not count: open or dated ends stop at today.
    assert days_in_year([(D(2022, 3, 1), None)], 2022, today=D(2022, 3, 10)) == 10
    assert days_in_year([(D(2022, 3, 1), D(2022, 12, 31))], 2022, today=D(2022, 3, 10)) == 10
    assert days_in_year([(D(2022, 3, 1), None)], 2023, today=D(2022, 3, 10)) == 0


def test_thirty_days_across_three_calendar_months_is_not_stable(foreign, person_factory, job_factory):
    job_factory(person_factory(foreign, name="三十天"), JAN_31, MARCH_1)
    fig = labour(foreign)
    assert (fig["employed"], fig["employed_stable"], fig["stable_months"]) == (1, 0, 3)


def test_two_spells_of_50_and_45_days_are_stable(foreign, person_factory, job_factory):
    p = person_factory(foreign, name="两段务工")
    job_factory(p, D(2022, 3, 1), plus(D(2022, 3, 1), 49))  # 50 days
    assert labour(foreign)["employed_stable"] == 0
    job_factory(p, D(2022, 9, 1), plus(D(2022, 9, 1), 44))  # 45 days: 95 ≥ 90
    fig = labour(foreign)
    assert (fig["employed"], fig["employed_stable"]) == (1, 1)


def test_overlapping_spells_are_not_counted_twice(foreign, person_factory, job_factory):
    p = person_factory(foreign, name="重叠务工")
    job_factory(p, D(2022, 3, 1), plus(D(2022, 3, 1), 59))  # 60 days, 1 March–29 April
    job_factory(p, D(2022, 4, 1), plus(D(2022, 4, 1), 59), destination=Employment.PAIRED)  # 60 days, 29 overlap
    # Added up the spells would make 120; their union is 1 March–30 May, 91 days.
    assert days_in_year([(D(2022, 3, 1), D(2022, 4, 29)), (D(2022, 4, 1), D(2022, 5, 30))], 2022, today=FAR) == 91
    LabourYearRule.objects.create(year=2022, stable_months=4)  # 120 days
    assert labour(foreign)["employed_stable"] == 0
    LabourYearRule.objects.filter(year=2022).update(stable_months=3)  # 90 days
    assert labour(foreign)["employed_stable"] == 1


def test_a_job_from_november_to_march_counts_90_days_in_2022_and_is_kept(foreign, person_factory, job_factory):
    job_factory(person_factory(foreign, name="跨年务工"), NOV_1_2021, MARCH_31)
    fig = labour(foreign, [2022])
    # 90 days in 2022 reach 3 × 30: stable; employed before 2022: kept (稳岗).
    assert (fig["employed"], fig["employed_stable"], fig["employed_new"], fig["employed_kept"]) == (1, 1, 0, 1)
    fig = labour(foreign, [2021])
    # 61 days in 2021: not stable; the first job starts in 2021: new.
    assert (fig["employed"], fig["employed_stable"], fig["employed_new"], fig["employed_kept"]) == (1, 0, 1, 0)
    # Over 2021–2022 the person counts once, new, stable in one of the years.
    fig = labour(foreign, [2021, 2022])
    assert (fig["employed"], fig["employed_stable"], fig["employed_new"], fig["employed_kept"]) == (1, 1, 1, 0)


def test_employed_before_with_a_gap_is_kept_and_a_first_job_is_new(foreign, person_factory, job_factory):
    back = person_factory(foreign, name="曾务工")
    job_factory(back, D(2020, 3, 1), D(2020, 10, 31))
    job_factory(back, D(2022, 6, 1), D(2022, 6, 30))
    first = person_factory(foreign, name="首次务工")
    job_factory(first, D(2022, 2, 1), None)
    with time_machine.travel(datetime.datetime(2022, 12, 31, 12, tzinfo=datetime.timezone.utc), tick=False):
        fig = labour(foreign, [2022])
    assert (fig["employed"], fig["employed_new"], fig["employed_kept"]) == (2, 1, 1)


def test_the_year_rule_decides_each_year_on_its_own(foreign, person_factory, job_factory):
    p = person_factory(foreign, name="百日")
    job_factory(p, D(2021, 3, 1), plus(D(2021, 3, 1), 99))  # 100 days in 2021
    job_factory(p, D(2022, 3, 1), plus(D(2022, 3, 1), 99))  # 100 days in 2022
    rule = LabourYearRule.objects.create(year=2022, stable_months=4)
    assert labour(foreign, [2022])["employed_stable"] == 0 and labour(foreign, [2022])["stable_months"] == 4
    assert labour(foreign, [2021])["employed_stable"] == 1  # 2021 keeps the default 90 days
    assert labour(foreign, [2021, 2022])["employed_stable"] == 1  # stable in one of the years
    assert [e.action for e in AuditEvent.objects.filter(model="labour.LabourYearRule", object_id=str(rule.pk))] \
        == ["create"]


def test_ongoing_job_counts_days_up_to_today(foreign, person_factory, job_factory):
    job_factory(person_factory(foreign, name="在岗"), MARCH_1, None)
    # 1 March–29 May is 90 days; 28 May is 89.
    with time_machine.travel(datetime.datetime(2022, 5, 28, 12, tzinfo=datetime.timezone.utc), tick=False):
        assert labour(foreign)["employed_stable"] == 0
    with time_machine.travel(datetime.datetime(2022, 5, 29, 12, tzinfo=datetime.timezone.utc), tick=False):
        assert labour(foreign)["employed_stable"] == 1
        assert labour(foreign, [2023])["employed"] == 0  # 2023 has not come yet


def test_a_job_not_begun_is_not_employment(foreign, person_factory, job_factory):
    job_factory(person_factory(foreign, name="待上岗"), D(2022, 6, 1), D(2022, 12, 31))
    with time_machine.travel(datetime.datetime(2022, 5, 31, 12, tzinfo=datetime.timezone.utc), tick=False):
        assert labour(foreign)["employed"] == 0


# --- 其中脱贫劳动力 -----------------------------------------------------------------

def test_monitored_people_count_as_poverty_while_the_year_rule_says_so(foreign, person_factory, job_factory):
    job_factory(person_factory(foreign, name="脱贫户", household_type="poverty"), MARCH_1, MARCH_31)
    job_factory(person_factory(foreign, name="监测对象", household_type="monitored"), MARCH_1, MARCH_31)
    job_factory(person_factory(foreign, name="一般农户", household_type="general"), MARCH_1, MARCH_31)
    assert labour(foreign)["employed_poverty"] == 2  # default on: 脱贫人口（含防止返贫监测对象）
    LabourYearRule.objects.create(year=2022, poverty_includes_monitored=False)
    fig = labour(foreign)
    assert (fig["employed"], fig["employed_poverty"]) == (3, 1)


# --- destinations -----------------------------------------------------------------

def test_each_destination_and_the_parts_add_up_to_employed(foreign, person_factory, job_factory):
    for n, code in enumerate(["paired_province", "other_province", "in_province", "in_county"]):
        job_factory(person_factory(foreign, name=f"去向{n}"), MARCH_1, MARCH_31, destination=code)
    # Two jobs, two destinations: the person stands under the one with more days.
    both = person_factory(foreign, name="两地务工")
    job_factory(both, D(2022, 1, 1), D(2022, 1, 10), destination=Employment.IN_COUNTY)  # 10 days
    job_factory(both, D(2022, 4, 1), D(2022, 6, 30), destination=Employment.PAIRED)  # 91 days
    fig = labour(foreign)
    assert fig["by_destination"] == {"paired_province": 2, "other_province": 1, "in_province": 1, "in_county": 1}
    assert sum(fig["by_destination"].values()) == fig["employed"] == 5
    # By form a person with two kinds of job counts under both (not a partition).
    assert fig["by_form"]["enterprise"] == 5


def test_the_paired_province_is_read_from_the_pairing(county):
    names = paired_province_names(county)
    assert {"江苏省", "江苏", "南京市", "南京", "六合区", "六合"} <= names
    assert not {"青海省", "青海", "湟源县", "城关镇"} & names
    assert in_named_place("南京市六合区", names) and in_named_place("江苏 苏州", names)
    assert not in_named_place("浙江省宁波市", names) and not in_named_place("", names)


def test_the_migration_sorts_the_old_destinations(county, person_factory, job_factory):
    """The data migration's function, run on stored rows with the old codes."""
    migration = import_module("xiezuo.labour.migrations.0005_destinations_year_rules")
    p = person_factory(county, name="迁移测试", id_number=RAW_ID)
    rows = {
        "nanjing": job_factory(p, D(2019, 1, 1), D(2019, 1, 31), place="南京市六合区"),
        "jiangsu": job_factory(p, D(2019, 2, 1), D(2019, 2, 28), place="江苏省苏州市"),
        "zhejiang": job_factory(p, D(2019, 3, 1), D(2019, 3, 31), place="浙江省宁波市"),
        "unknown": job_factory(p, D(2019, 4, 1), D(2019, 4, 30), place=""),
        "province": job_factory(p, D(2019, 5, 1), D(2019, 5, 31), place="西宁市"),
        "local": job_factory(p, D(2019, 6, 1), D(2019, 6, 30), place="湟源县"),
    }
    old = {"nanjing": "east", "jiangsu": "east", "zhejiang": "east", "unknown": "east", "province": "province",
           "local": "local"}
    for key, code in old.items():
        Employment.objects.filter(pk=rows[key].pk).update(destination=code)
    seq = AuditEvent.objects.first().seq
    migration.forwards(django_apps, None)
    got = {key: Employment.objects.get(pk=job.pk).destination for key, job in rows.items()}
    assert got == {"nanjing": "paired_province", "jiangsu": "paired_province", "zhejiang": "other_province",
                   "unknown": "other_province", "province": "in_province", "local": "in_county"}
    events = AuditEvent.objects.filter(seq__gt=seq, model="labour.Employment", action="update")
    assert {(e.object_id, e.before["destination"], e.after["destination"]) for e in events} == {
        (str(rows[k].pk), old[k], got[k]) for k in rows}
    # The demo's own rows already use the new codes: nothing else was touched.
    assert events.count() == 6
    # And back: the new codes return to the old ones.
    migration.backwards(django_apps, None)
    assert Employment.objects.get(pk=rows["nanjing"].pk).destination == "east"
    assert Employment.objects.get(pk=rows["local"].pk).destination == "local"


# --- the demo and the cost --------------------------------------------------------

def test_demo_figures_over_2021_2022(county):
    fig = labour(county, [2021, 2022])
    assert fig["employed"] == 20 and fig["employed_new"] + fig["employed_kept"] == 20
    assert fig["by_destination"] == {"paired_province": 7, "other_province": 3, "in_province": 5, "in_county": 5}
    # Households cycle 脱贫户, 一般农户, 一般农户, 脱贫户, 监测对象 by the trainee's number
    # (i % 5): of 001–020, 脱贫户 8 (i % 5 in 0, 3) and 监测对象 4 (i % 5 == 4).
    assert fig["employed_poverty"] == 12


def test_labour_figures_cost_a_fixed_number_of_queries(county, django_assert_num_queries):
    from xiezuo.labour.figures import labour_section

    ids = list(county.subtree().values_list("pk", flat=True))
    # Year rules, classes with their rosters, jobs: three, however many rows.
    with django_assert_num_queries(3):
        fig = labour_section(ids, [2021, 2022])
    assert fig["training_classes"] == 3 and fig["employed"] == 20


# --- pages ----------------------------------------------------------------------------

def test_employment_pages_checklist(county):
    person = county.labour_people.get(name="示例学员001")
    url = reverse("labour_employment_create", args=[county.pk])
    data = {"person": person.pk, "destination": "paired_province", "form": "enterprise", "employer": "示例企业乙",
            "place": "南京市六合区", "start": "2022-03-01", "end": "2022-05-29", "monthly_income": "4500.50"}
    r = page_checklist(url, write=True, data=data)
    job = Employment.objects.get(employer="示例企业乙")
    assert r["Location"] == reverse("labour_employment_detail", args=[job.pk])
    assert str(job.monthly_income) == "4500.50"
    html = page_checklist(reverse("labour_employment_detail", args=[job.pk])).content.decode()
    # 1 March–29 May: 90 days, the default 3 × 30.
    assert "示例企业乙" in html and "2022年3月1日" in html and "赴对口省份" in html
    assert '<td>2022</td><td class="amount">90</td><td class="amount">90</td><td>是</td>' in html
    html = page_checklist(reverse("labour_employment_list", args=[county.pk]) + "?destination=paired_province&year=2022"
                          ).content.decode()
    assert "示例企业乙" in html and "湟源县示例用工企业" not in html
    edit = reverse("labour_employment_edit", args=[job.pk])
    page_checklist(edit, read_only=None)
    page_checklist(edit, write=True, data={**data, "end": "", "loaded_version": job.version})
    job.refresh_from_db()
    assert job.end is None and job.version == 2


def test_employment_rules_refused_in_chinese(county, foreign, person_factory):
    person = county.labour_people.get(name="示例学员001")
    url = reverse("labour_employment_create", args=[county.pk])
    data = {"person": person.pk, "destination": "paired_province", "form": "enterprise", "start": "2022-03-01",
            "end": "2022-02-01", "monthly_income": "-1"}
    html = login("liuhe").post(url, data).content.decode()
    assert "结束日期不能早于开始日期" in html and "月收入不能为负数" in html
    # The old code is no longer a destination.
    html = login("liuhe").post(url, {**data, "destination": "east", "end": "", "monthly_income": ""}).content.decode()
    assert "选择一个有效的选项" in html
    # A person of another cooperation tree cannot be chosen.
    other = person_factory(foreign, name="外部人员", id_number=RAW_ID)
    html = login("liuhe").post(url, {**data, "person": other.pk, "end": "", "monthly_income": ""}).content.decode()
    assert "选择一个有效的选项" in html
    assert not Employment.objects.filter(person=other).exists()


@given(st.dates(D(2000, 1, 1), D(2030, 12, 31)), st.integers(0, 4000))
def test_days_over_all_years_add_up_to_the_days_of_the_spell(start, days):
    end = start + datetime.timedelta(days=days)
    per_year = [days_in_year([(start, end)], y, today=FAR) for y in range(start.year, end.year + 1)]
    assert all(1 <= n <= 366 for n in per_year)
    assert sum(per_year) == days + 1


@given(st.lists(st.tuples(st.dates(D(2022, 1, 1), D(2022, 12, 31)), st.integers(0, 120)), min_size=1, max_size=5))
def test_the_union_of_spells_counts_each_day_once(spells):
    spells = [(start, start + datetime.timedelta(days=n)) for start, n in spells]
    covered = {start + datetime.timedelta(days=k) for start, end in spells for k in range((end - start).days + 1)}
    assert days_in_year(spells, 2022, today=FAR) == len({d for d in covered if d.year == 2022})


@given(st.dates(D(2000, 1, 1), D(2030, 12, 28)).filter(lambda d: d.day <= 28), st.integers(1, 60))
def test_whole_months_of_n_months_less_a_day_is_n(start, n):
    from xiezuo.labour.models import add_months, whole_months

    end = add_months(start, n) - datetime.timedelta(days=1)
    assert whole_months(start, end) == n
    assert whole_months(start, end - datetime.timedelta(days=1)) == n - 1


def test_a_job_ending_on_new_years_day_is_in_that_year(foreign, person_factory, job_factory):
    # The years' first day is inside them: a job that ended on 1 January
    # has one day there; one ending on 31 December before has none.
    person = person_factory(foreign, name="元旦离岗")
    one_day = job_factory(person, D(2021, 10, 1), D(2022, 1, 1))
    before = job_factory(person_factory(foreign, name="年末离岗"), D(2021, 10, 1), D(2021, 12, 31))
    jobs = Employment.objects.filter(pk__in=[one_day.pk, before.pk])
    assert list(jobs.in_years([2022, 2023])) == [one_day]
    assert set(jobs.in_years([2021])) == {one_day, before}


def test_short_place_names_drop_only_their_own_suffix_and_keep_two_characters():
    from xiezuo.labour.models import _short

    county_suffixes = ("自治州", "地区", "市", "区", "县")
    assert _short("海西蒙古族藏族自治州", county_suffixes) == "海西蒙古族藏族"
    assert _short("六合区", county_suffixes) == "六合"
    assert _short("沙市", county_suffixes) == "沙市"  # one character left would name nothing
    assert _short("江苏省", ("自治区", "省", "市")) == "江苏"
    assert _short("南京", ("省", "市")) == "南京"
