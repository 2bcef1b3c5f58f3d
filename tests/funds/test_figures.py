"""The `funds` figures section, read through the API for the demo pairing."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.figures import compute

from ..checklist import api_checklist

pytestmark = pytest.mark.django_db


def funds(county, year):
    r = api_checklist(f"/api/v1/pairings/{county.pk}/figures?year={year}")
    assert r.status_code == 200
    return r.json()["funds"]


def test_2021_reproduces_the_article(county):
    f = funds(county, 2021)
    assert f["fiscal_received"] == "43000000.00"
    assert f["projects"] == 7 and f["categories"] == 4
    # The 420万元 township pairing funds are 结对帮扶资金 on the township
    # sub-pairings: they roll up as social funds, not as fiscal funds.
    assert f["social_received"] == "4200000.00"
    assert f["received"] == "47200000.00"
    assert f["allocated"] == "43000000.00"
    # The district paid the 4300万元; the streets' 420万元 stays on its own.
    assert f["fiscal_by_level"] == {"province": "0.00", "city": "0.00", "county": "43000000.00",
                                    "township": "0.00"}
    assert f["pairing_received"] == "4200000.00"


def test_2022_reproduces_the_article(county):
    f = funds(county, 2022)
    assert f["fiscal_received"] == "42200000.00"
    assert f["projects"] == 12 and f["categories"] == 5
    assert f["beneficiaries"]["students"] == 5593
    assert f["beneficiaries"]["children"] == 707
    assert f["beneficiaries"]["schools"] == 10 and f["beneficiaries"]["kindergartens"] == 21
    assert sum(f["projects_by_category"].values()) == 12
    assert f["projects_by_category"]["education"] == 4


def test_school_works_of_2019_and_2020_add_up_to_490_wan(county):
    f = funds(county, "2019&from=2019")  # year wins over from/to
    g = compute(county, [2019, 2020], ["funds"])["funds"]
    assert g["fiscal_received"] == "4900000.00"
    assert g["projects_by_category"] == {"education": 2}
    assert set(g["funds_by_category"]) == {"education"}
    assert f["fiscal_received"] == "2400000.00"


def test_section_has_exactly_the_issue_keys_and_formats(county):
    f = funds(county, 2022)
    assert set(f) == {"received", "received_cash", "in_kind_received", "fiscal_received", "fiscal_by_level",
                      "social_received", "pairing_received", "allocated", "disbursed", "execution_rate",
                      "projects", "categories", "projects_by_status", "projects_by_category", "funds_by_category",
                      "started_rate",
                      "completed_rate", "beneficiaries", "poverty_led", "poverty_led_monitored"}
    assert set(f["fiscal_by_level"]) == {"province", "city", "county", "township"}
    disbursed, received = f["disbursed"], f["received_cash"]
    assert disbursed.count(".") == 1 and len(disbursed.split(".")[1]) == 2
    expected = (100 * Decimal(disbursed) / Decimal(received)).quantize(Decimal("0.01"))
    assert f["execution_rate"] == str(expected)
    by_status = f["projects_by_status"]
    assert set(by_status) == {"reserve", "approved", "procurement", "implementing", "completed", "accepted",
                              "handed_over", "terminated"}
    started = sum(by_status[s] for s in ("implementing", "completed", "accepted", "handed_over"))
    assert f["started_rate"] == f"{100 * started / 12:.2f}"


def test_rates_are_null_without_a_denominator(county):
    f = compute(county, [2030], ["funds"])["funds"]
    assert f["execution_rate"] is None and f["started_rate"] is None and f["completed_rate"] is None
    assert f["received"] == "0.00" and f["projects"] == 0 and f["beneficiaries"]["students"] == 0


def test_sub_pairing_sees_only_its_own_funds(county):
    township = county.children.get(level="township", east_region__name="雄州街道")
    f = compute(township, [2021], ["funds"])["funds"]
    assert f["social_received"] == "1200000.00" and f["fiscal_received"] == "0.00" and f["projects"] == 0


def test_section_is_a_fixed_number_of_queries(county):
    compute(county, [2022], ["funds"])
    with CaptureQueriesContext(connection) as one_year:
        compute(county, [2022], ["funds"])
    with CaptureQueriesContext(connection) as four_years:
        compute(county, [2019, 2020, 2021, 2022], ["funds"])
    # One query for the subtree, four aggregates: independent of the rows.
    assert len(one_year) == len(four_years) == 5


def test_the_sections_a_change_may_alter_are_read_by_app_and_by_model():
    from xiezuo import figures as registry

    # By app ("labour" is read by labour and talent) and by model: a pairing
    # feeds the pairing section (its app) and industry (that model only);
    # an organisation feeds consumption (by model) and pairing (by app);
    # labels are read whatever their case.
    assert registry.sections_reading("labour.Employment") == {"labour", "talent"}
    assert registry.sections_reading("pairings.Pairing") == {"pairing", "industry"}
    assert registry.sections_reading("pairings.Organisation") == {"pairing", "consumption"}
    assert registry.sections_reading("PAIRINGS.AGREEMENT") == {"pairing", "consumption", "talent"}
    assert registry.sections_reading("industry.Enterprise") == {"industry", "exchanges"}
    assert registry.sections_reading("library.Entry") == set()


def test_compute_names_its_pairing_and_years(county):
    from xiezuo.funds.figures import rate

    result = compute(county, (2022, 2021), sections={"funds"})
    assert (result["pairing_id"], result["years"]) == (county.pk, [2022, 2021])
    assert set(result) == {"pairing_id", "years", "funds"}
    assert rate(1, 800) == "0.13" and rate(1, 0) is None  # 0.125% rounds half up, not to even
