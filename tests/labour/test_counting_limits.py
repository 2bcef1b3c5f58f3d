"""Labour counting at its limits: whole months, long-term stays, stays in
post on the first and last day of a year, and the names of the paired
province (each suffix of a province, prefecture and county)."""

import datetime

import pytest
from django.utils import timezone

from xiezuo.labour.models import (
    Employment,
    TalentExchange,
    counted_span,
    in_named_place,
    paired_province_names,
    whole_months,
)
from xiezuo.pairings.models import Pairing, Region

pytestmark = pytest.mark.django_db
D = datetime.date


# -- whole months --------------------------------------------------------------

def test_whole_months_at_its_limits():
    assert whole_months(D(2022, 5, 8), D(2022, 5, 7)) == 0  # ends before it starts
    assert whole_months(D(2022, 5, 8), D(2022, 5, 8)) == 0  # one day
    assert whole_months(D(2022, 1, 31), D(2022, 1, 31)) == 0  # one day at a month's end
    assert whole_months(D(2021, 11, 15), D(2022, 2, 14)) == 3  # across a year
    assert whole_months(D(2021, 11, 15), D(2022, 2, 13)) == 2
    assert whole_months(D(2020, 12, 1), D(2023, 11, 30)) == 36  # December to November, three years on
    assert whole_months(D(2022, 1, 31), D(2022, 2, 28)) == 1  # clipped to February's end
    assert whole_months(D(2024, 1, 31), D(2024, 2, 28)) == 1  # leap year: the month ends with 29 February
    assert whole_months(D(2024, 1, 31), D(2024, 2, 27)) == 0
    assert whole_months(D(2022, 8, 31), D(2022, 9, 29)) == 1  # 31 August + 1 month is 30 September
    assert whole_months(D(2022, 8, 31), D(2022, 9, 28)) == 0


def test_whole_months_reaches_the_calendars_last_year_without_overflow():
    # A long start month (12) and a gap of thousands of years: the count is
    # exact, and no guessed month count runs past year 9999.
    assert whole_months(D(2000, 12, 1), D(9999, 11, 30)) == 7999 * 12
    assert whole_months(D(2000, 12, 1), D(9999, 11, 29)) == 7999 * 12 - 1


# -- months and long-term stays ------------------------------------------------

@pytest.fixture
def expert(county, person_factory):
    return person_factory(county, name="限值专家")


def test_months_and_long_term_exactly_at_the_threshold(county, expert, exchange_factory):
    closed = exchange_factory(county, expert, D(2022, 1, 10), D(2022, 7, 9))
    assert closed.months(D(2000, 1, 1)) == 6  # a recorded end ignores today
    assert closed.is_long_term(6) and not closed.is_long_term(7)

    open_stay = exchange_factory(county, expert, D(2022, 3, 1), kind=TalentExchange.TEACHER)
    assert open_stay.months(D(2022, 8, 31)) == 6  # the open end runs to the given today
    assert open_stay.months(D(2022, 8, 30)) == 5
    assert open_stay.is_long_term(6, D(2022, 8, 31))
    assert not open_stay.is_long_term(6, D(2022, 8, 30))


def test_months_of_an_open_stay_default_to_today(county, expert, exchange_factory):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=100)
    stay = exchange_factory(county, expert, start)
    assert stay.months() == whole_months(start, today)
    assert stay.is_long_term(3) and not stay.is_long_term(4)


def test_is_sanzhi():
    assert TalentExchange(kind=TalentExchange.TEACHER).is_sanzhi
    assert TalentExchange(kind=TalentExchange.DOCTOR).is_sanzhi
    assert TalentExchange(kind=TalentExchange.AGRI).is_sanzhi
    assert not TalentExchange(kind=TalentExchange.CADRE).is_sanzhi
    assert not TalentExchange(kind=TalentExchange.OTHER).is_sanzhi


# -- in post between two days --------------------------------------------------

FIRST, LAST = D(2022, 1, 1), D(2022, 12, 31)


def test_in_post_between_at_the_ends_of_the_year():
    between = TalentExchange.in_post_between
    assert between(D(2021, 6, 1), FIRST, FIRST, LAST)  # ends on the first day
    assert not between(D(2021, 6, 1), D(2021, 12, 31), FIRST, LAST)
    assert between(LAST, D(2023, 6, 1), FIRST, LAST)  # starts on the last day
    assert not between(D(2023, 1, 1), D(2023, 6, 1), FIRST, LAST)  # after the year, closed
    assert not between(D(2023, 1, 1), None, FIRST, LAST, today=D(2023, 5, 1))  # after the year, open
    # An open end runs to the given today, not to the real one.
    assert not between(D(2020, 1, 1), None, FIRST, LAST, today=D(2021, 12, 31))
    assert between(D(2020, 1, 1), None, FIRST, LAST, today=FIRST)
    # Not begun by today: the open end is the start.
    assert between(D(2022, 3, 1), None, FIRST, LAST, today=D(2021, 6, 1))


def test_a_stays_in_post_in_a_year(county, expert, exchange_factory):
    stay = exchange_factory(county, expert, D(2021, 6, 1), D(2022, 1, 1))
    assert stay.in_post_in(2022, today=D(2030, 1, 1)) and stay.in_post_in(2021)
    assert not stay.in_post_in(2023) and not stay.in_post_in(2020)
    open_stay = exchange_factory(county, expert, D(2020, 5, 1), kind=TalentExchange.TEACHER)
    assert open_stay.in_post_in(2022, today=FIRST)
    assert not open_stay.in_post_in(2022, today=D(2021, 12, 31))


def _in_post(qs, years, today):
    return set(qs.in_post_in(years, today).values_list("batch", flat=True))


def test_the_query_of_stays_in_post_at_its_limits(county, expert, exchange_factory):
    make = exchange_factory
    make(county, expert, D(2021, 6, 1), D(2022, 1, 1), batch="ends on 1 January")
    make(county, expert, D(2021, 6, 1), D(2021, 12, 31), batch="ends the day before", kind=TalentExchange.TEACHER)
    make(county, expert, D(2022, 12, 31), D(2023, 2, 1), batch="starts on 31 December", kind=TalentExchange.AGRI)
    make(county, expert, D(2023, 1, 1), D(2023, 2, 1), batch="starts after", kind=TalentExchange.OTHER)
    make(county, expert, D(2020, 5, 1), batch="open, begun before", kind=TalentExchange.CADRE)
    make(county, expert, D(2022, 3, 1), D(2022, 4, 1), batch="closed, inside")
    make(county, expert, D(2022, 6, 1), batch="open, begun inside", kind=TalentExchange.TEACHER)
    qs = TalentExchange.objects.filter(pairing=county, person=expert)
    inside = {"ends on 1 January", "starts on 31 December", "closed, inside"}
    # Today in the year, on its first day, and after it: an open stay is in post.
    both_open = inside | {"open, begun before", "open, begun inside"}
    assert _in_post(qs, [2022], D(2022, 7, 1)) == both_open
    assert _in_post(qs, [2022], FIRST) == both_open
    assert _in_post(qs, [2022], D(2030, 1, 1)) == both_open
    # Today before the year: an open stay begun before it ended (in effect) today;
    # one that starts in the year is in post from its start.
    assert _in_post(qs, [2022], D(2021, 12, 31)) == inside | {"open, begun inside"}
    assert _in_post(qs, [2021, 2022], D(2021, 12, 31)) == both_open | {"ends the day before"}
    # Each stay agrees with the stay's own rule.
    for today in (D(2021, 12, 31), FIRST, D(2030, 1, 1)):
        expected = {x.batch for x in qs if x.in_post_in(2022, today)}
        assert _in_post(qs, [2022], today) == expected


def test_started_in_and_sanzhi(county, expert, exchange_factory):
    exchange_factory(county, expert, D(2021, 12, 31), batch="a", kind=TalentExchange.CADRE)
    exchange_factory(county, expert, D(2022, 1, 1), batch="b", kind=TalentExchange.AGRI)
    qs = TalentExchange.objects.filter(person=expert)
    assert set(qs.started_in([2022]).values_list("batch", flat=True)) == {"b"}
    assert set(qs.started_in([2021, 2022]).values_list("batch", flat=True)) == {"a", "b"}
    assert set(qs.sanzhi().values_list("batch", flat=True)) == {"b"}


# -- jobs ------------------------------------------------------------------------

def test_counted_span_at_its_limits():
    today = D(2022, 6, 30)
    assert counted_span(D(2021, 3, 1), None, 2022, today) == (FIRST, today)  # open: to today
    assert counted_span(D(2021, 3, 1), D(2023, 1, 1), 2022, today) == (FIRST, today)  # future end: cut
    assert counted_span(D(2022, 2, 1), D(2022, 2, 1), 2022, today) == (D(2022, 2, 1), D(2022, 2, 1))
    assert counted_span(D(2021, 3, 1), D(2021, 12, 31), 2022, today) is None
    assert counted_span(today, None, 2022, today) == (today, today)  # begins today
    assert counted_span(today + datetime.timedelta(days=1), None, 2022, today) is None
    assert counted_span(D(2020, 1, 1), D(2023, 1, 1), 2021, today) == (D(2021, 1, 1), D(2021, 12, 31))


def test_employed_in_counts_a_job_once_it_has_begun(county, person_factory, job_factory):
    p = person_factory(county, name="就业限值")
    job_factory(p, D(2022, 6, 30))
    job_factory(p, D(2022, 7, 1))
    job_factory(p, D(2021, 1, 1), D(2022, 1, 1))
    got = sorted(Employment.objects.filter(person=p).employed_in([2022], D(2022, 6, 30))
                 .values_list("start", flat=True))
    assert got == [D(2021, 1, 1), D(2022, 6, 30)]


# -- the paired province's names -------------------------------------------------

def _region(name, level, parent=None):
    return Region.objects.create(name=name, level=level, parent=parent)


def _names_for(east, county):
    pairing = Pairing.objects.create(level="county", east_region=east, west_region=county.west_region)
    return paired_province_names(pairing)


def test_province_suffixes_are_each_cut(county):
    cases = [("广西壮族自治区", "广西"), ("宁夏回族自治区", "宁夏"), ("新疆维吾尔自治区", "新疆"),
             ("西藏自治区", "西藏"), ("浙江省", "浙江"), ("上海市", "上海")]
    for full, short in cases:
        province = _region(full, "province")
        city = _region(f"{short}甲市", "city", province)
        east = _region(f"{short}乙县", "county", city)
        _region(f"{short}丙镇", "township", east)
        # Found from the county's path; townships are left out.
        assert _names_for(east, county) == {full, short, f"{short}甲市", f"{short}甲", f"{short}乙县", f"{short}乙"}


def test_lower_level_suffixes_are_each_cut(county):
    province = _region("青甘省", "province")
    prefecture = _region("海北藏族自治州", "city", province)
    area = _region("海东地区", "city", province)
    city = _region("西宁市", "city", province)
    east = _region("湟中县", "county", prefecture)
    _region("城东区", "county", city)
    _region("乐都县", "county", area)
    _region("门源镇", "township", east)
    assert _names_for(east, county) == {
        "青甘省", "青甘", "海北藏族自治州", "海北藏族", "海东地区", "海东", "西宁市", "西宁",
        "湟中县", "湟中", "城东区", "城东", "乐都县", "乐都"}


def test_a_county_under_no_province_names_only_its_own_subtree(county):
    city = _region("苏昆市", "city")  # a tree loaded from city level: no province above
    east = _region("昆山市", "county", city)
    _region("张浦镇", "township", east)
    assert _names_for(east, county) == {"昆山市", "昆山"}


def test_in_named_place_with_spaces_and_empty(county):
    names = paired_province_names(county)
    assert in_named_place("南 京市", names)  # a space inside the name
    assert in_named_place(" 六 合 ", names)
    assert not in_named_place("", names) and not in_named_place(None, names)
    assert not in_named_place("   ", names)
    assert not in_named_place("浙 江", names)
    assert Employment.legacy_east_destination("南 京", names) == Employment.PAIRED
    assert Employment.legacy_east_destination("浙江省", names) == Employment.OTHER_PROVINCE
    assert Employment.legacy_east_destination("", names) == Employment.OTHER_PROVINCE
