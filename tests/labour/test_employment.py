"""Employment: pages, and the rules "employed in a year" and "stably employed".

Months are calendar months touched: a job counts for every month of the year
in which it has at least one day; a person's overlapping jobs count a month
once; an open-ended job runs to today, never into the future.
"""

import datetime

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st
from django.urls import reverse

from xiezuo.figures import compute
from xiezuo.labour.models import Employment, LabourSettings, months_in_year, months_touched

from ..checklist import login, page_checklist
from .conftest import RAW_ID

pytestmark = pytest.mark.django_db
D = datetime.date

# Named dates of the boundary: a job from 1 March 2022 to 31 July 2022 touches
# March–July, 5 months (N-1); one that ends on 1 August touches 6 (N).
MARCH_1 = D(2022, 3, 1)
JULY_31 = D(2022, 7, 31)
AUGUST_1 = D(2022, 8, 1)
NEW_YEAR_2022 = D(2022, 1, 1)
NEW_YEARS_EVE_2021 = D(2021, 12, 31)
MID_AUGUST_2022 = D(2022, 8, 15)
MID_JULY_2022 = D(2022, 7, 15)


def labour(pairing, years=(2022,)):
    return compute(pairing, list(years), sections=["labour"])["labour"]


def test_months_touched_edges():
    assert months_touched(MARCH_1, JULY_31, 2022) == {3, 4, 5, 6, 7}
    assert months_touched(MARCH_1, AUGUST_1, 2022) == {3, 4, 5, 6, 7, 8}
    # A job crossing New Year counts one month in each year.
    assert months_touched(NEW_YEARS_EVE_2021, NEW_YEAR_2022, 2021) == {12}
    assert months_touched(NEW_YEARS_EVE_2021, NEW_YEAR_2022, 2022) == {1}
    assert months_touched(MARCH_1, JULY_31, 2021) == set()
    # Ongoing: up to today, not beyond.
    assert months_touched(MARCH_1, None, 2022, today=MID_JULY_2022) == {3, 4, 5, 6, 7}
    assert months_touched(MARCH_1, None, 2021, today=MID_JULY_2022) == set()


def test_overlapping_jobs_count_a_month_once():
    jobs = [Employment(start=MARCH_1, end=D(2022, 5, 31)), Employment(start=D(2022, 4, 10), end=JULY_31)]
    assert months_in_year(jobs, 2022) == {3, 4, 5, 6, 7}


def test_stable_boundary_n_minus_one_and_n_months(foreign, person_factory, job_factory):
    five = person_factory(foreign, name="五个月")
    six = person_factory(foreign, name="六个月")
    job_factory(five, MARCH_1, JULY_31)
    job_factory(six, MARCH_1, AUGUST_1)
    fig = labour(foreign)
    assert fig["employed"] == 2 and fig["employed_stable"] == 1 and fig["stable_months"] == 6


def test_two_short_jobs_add_up_but_overlaps_do_not(foreign, person_factory, job_factory):
    p = person_factory(foreign, name="两份工")
    job_factory(p, MARCH_1, D(2022, 5, 31))  # Mar–May
    job_factory(p, D(2022, 5, 20), JULY_31)  # May–Jul, May counted once → 5 months
    assert labour(foreign)["employed_stable"] == 0
    job_factory(p, D(2022, 11, 1), D(2022, 11, 30))  # November → 6 months
    fig = labour(foreign)
    assert fig["employed_stable"] == 1 and fig["employed"] == 1


def test_stable_months_setting_changes_the_count(foreign, person_factory, job_factory):
    job_factory(person_factory(foreign, name="五个月"), MARCH_1, JULY_31)
    assert labour(foreign)["employed_stable"] == 0
    LabourSettings.objects.update_or_create(pk=1, defaults={"stable_months": 5})
    assert labour(foreign)["employed_stable"] == 1 and labour(foreign)["stable_months"] == 5


def test_ongoing_job_counts_months_up_to_today(foreign, person_factory, job_factory):
    job_factory(person_factory(foreign, name="在岗"), MARCH_1, None)
    with time_machine.travel(datetime.datetime(2022, 7, 15, 12, tzinfo=datetime.timezone.utc), tick=False):
        assert labour(foreign)["employed_stable"] == 0  # March–July
    with time_machine.travel(datetime.datetime(2022, 8, 15, 12, tzinfo=datetime.timezone.utc), tick=False):
        assert labour(foreign)["employed_stable"] == 1  # March–August
        assert labour(foreign, [2023])["employed"] == 0  # 2023 has not happened yet


def test_employed_counts_people_once_and_splits_by_destination_poverty_and_form(foreign, person_factory,
                                                                                job_factory):
    a = person_factory(foreign, name="甲", household_type="poverty")
    b = person_factory(foreign, name="乙", household_type="general")
    job_factory(a, D(2021, 11, 1), D(2022, 1, 31), destination="east", form="enterprise")
    job_factory(a, D(2022, 2, 1), None, destination="local", form="workshop")
    job_factory(b, D(2022, 6, 1), D(2022, 6, 30), destination="province", form="public_post")
    job_factory(b, D(2020, 1, 1), D(2020, 12, 31), destination="east", form="self")  # outside 2021–2022
    fig = labour(foreign, [2021, 2022])
    assert fig["employed"] == 2 and fig["employed_poverty"] == 1 and fig["employed_east"] == 1
    assert fig["by_destination"] == {"east": 1, "province": 1, "local": 1}
    assert fig["by_form"] == {"enterprise": 1, "workshop": 1, "public_post": 1, "self": 0, "flexible": 0}
    assert labour(foreign, [2021])["employed"] == 1  # only 甲 had a day of work in 2021


def test_labour_figures_cost_a_fixed_number_of_queries(county, django_assert_num_queries):
    from xiezuo.labour.figures import labour_section

    ids = list(county.subtree().values_list("pk", flat=True))
    # Settings, classes with their rosters, jobs: three, however many rows.
    with django_assert_num_queries(3):
        fig = labour_section(ids, [2021, 2022])
    assert fig["training_classes"] == 3 and fig["employed"] == 20


def test_employment_pages_checklist(county):
    person = county.labour_people.get(name="示例学员001")
    url = reverse("labour_employment_create", args=[county.pk])
    data = {"person": person.pk, "destination": "east", "form": "enterprise", "employer": "示例企业乙",
            "start": "2022-03-01", "end": "2022-08-01", "monthly_income": "4500.50"}
    r = page_checklist(url, write=True, data=data)
    job = Employment.objects.get(employer="示例企业乙")
    assert r["Location"] == reverse("labour_employment_detail", args=[job.pk])
    assert job.monthly_income == pytest.approx(job.monthly_income) and str(job.monthly_income) == "4500.50"
    html = page_checklist(reverse("labour_employment_detail", args=[job.pk])).content.decode()
    assert "示例企业乙" in html and "2022年3月1日" in html and "<td>2022</td><td class=\"amount\">6</td>" in html
    html = page_checklist(reverse("labour_employment_list", args=[county.pk]) + "?destination=east&year=2022"
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
    data = {"person": person.pk, "destination": "east", "form": "enterprise", "start": "2022-03-01",
            "end": "2022-02-01", "monthly_income": "-1"}
    html = login("liuhe").post(url, data).content.decode()
    assert "结束日期不能早于开始日期" in html and "月收入不能为负数" in html
    # A person of another cooperation tree cannot be chosen.
    other = person_factory(foreign, name="外部人员", id_number=RAW_ID)
    html = login("liuhe").post(url, {**data, "person": other.pk, "end": "", "monthly_income": ""}).content.decode()
    assert "选择一个有效的选项" in html
    assert not Employment.objects.filter(person=other).exists()


@given(st.dates(D(2000, 1, 1), D(2030, 12, 31)), st.integers(0, 4000))
def test_months_touched_over_all_years_add_up_to_the_calendar_months_spanned(start, days):
    end = start + datetime.timedelta(days=days)
    far = D(2099, 1, 1)
    per_year = [len(months_touched(start, end, y, today=far)) for y in range(start.year, end.year + 1)]
    assert all(1 <= n <= 12 for n in per_year)
    assert sum(per_year) == (end.year - start.year) * 12 + end.month - start.month + 1


@given(st.dates(D(2000, 1, 1), D(2030, 12, 28)).filter(lambda d: d.day <= 28), st.integers(1, 60))
def test_whole_months_of_n_months_less_a_day_is_n(start, n):
    from xiezuo.labour.models import add_months, whole_months

    end = add_months(start, n) - datetime.timedelta(days=1)
    assert whole_months(start, end) == n
    assert whole_months(start, end - datetime.timedelta(days=1)) == n - 1
