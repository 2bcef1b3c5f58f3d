"""The trends endpoint computes every year of the headline figures at once,
grouped by year (issue 22): the same number of queries for one year as for
five, and each year's values equal the sections' own figures of that year."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.checklist import login
from xiezuo import figures as registry
from xiezuo.assessment import dashboard as dash
from xiezuo.assessment import services
from xiezuo.funds.figures import funds_by_year, funds_section
from xiezuo.funds.models import Project
from xiezuo.pairings.models import Pairing

from .conftest import add_projects, add_receipts

pytestmark = pytest.mark.django_db
YEARS = [2020, 2021, 2022, 2023, 2024]


def per_year_table(pairing, years):
    """The table as built before: every section computed for each year alone."""
    ids = services.subtree_ids([pairing])[pairing.pk]
    fresh = {y: json.loads(json.dumps(services._compute(ids, y), cls=services.DjangoJSONEncoder)) for y in years}
    return dash.trends(years, fresh)


def test_every_trend_path_is_computed_by_year():
    for path in dash.TREND_PATHS:
        section, key = path.split(".", 1)
        assert section in registry.BY_YEAR, path


def test_each_year_equals_the_figures_of_that_year(county):
    add_receipts(county, 2024, ["1234.56"])
    got = login("liuhe").get(f"/api/v1/pairings/{county.pk}/trends?from={YEARS[0]}&to={YEARS[-1]}").json()
    assert got["rows"] == per_year_table(county, YEARS)["rows"]
    # The demo fills the table: at least one value of each column is not zero.
    for n, label in enumerate(got["columns"][1:], start=1):
        assert any(row[n] not in (0, "0.00", None) for row in got["rows"]), label


def test_one_year_costs_the_queries_of_five(county):
    from xiezuo.assessment.models import FiguresCache

    FiguresCache.objects.filter(pairing=county).delete()  # every year computed, none read from the cache
    c = login("liuhe")
    url = f"/api/v1/pairings/{county.pk}/trends?from=%d&to=%d"
    c.get(url % (2022, 2022))  # the session and the scope
    with CaptureQueriesContext(connection) as one:
        assert c.get(url % (2022, 2022)).status_code == 200
    with CaptureQueriesContext(connection) as five:
        assert len(c.get(url % (YEARS[0], YEARS[-1])).json()["rows"]) == 5
    with CaptureQueriesContext(connection) as fifteen:
        assert len(c.get(url % (2015, 2029)).json()["rows"]) == 15
    assert len(one.captured_queries) == len(five.captured_queries) == len(fifteen.captured_queries)
    # No figures section runs per year: one query per grouped table, not a pass per year.
    ids = services.subtree_ids([county])[county.pk]
    with CaptureQueriesContext(connection) as direct:
        registry.headline_by_year(ids, YEARS, dash.TREND_PATHS)
    assert len(direct.captured_queries) <= 10


def test_fresh_cached_years_come_from_the_cache_and_an_edit_is_seen(county):
    """Years whose figures are cached and fresh are not summed again; a
    change of one year's funds makes that year computed (grouped) again."""
    from decimal import Decimal

    for year in (2021, 2022):
        services.figures_for(county, year)
    c = login("liuhe")
    url = f"/api/v1/pairings/{county.pk}/trends?from=2021&to=2022"
    before = c.get(url).json()
    with CaptureQueriesContext(connection) as warm:
        assert c.get(url).json() == before
    ledgers = ("funds_", "consumption_", "labour_", "industry_")
    assert not [q["sql"] for q in warm.captured_queries if any(f'"{t}' in q["sql"] for t in ledgers)]
    add_receipts(county, 2022, ["1000.00"])
    with CaptureQueriesContext(connection) as after:
        rows = c.get(url).json()["rows"]
    assert any('"funds_' in q["sql"] for q in after.captured_queries)
    received = before["columns"].index("到位资金（元）")
    assert Decimal(rows[1][received]) - Decimal(before["rows"][1][received]) == Decimal("1000.00")
    assert rows[0] == before["rows"][0]
    assert rows == per_year_table(county, [2021, 2022])["rows"]


def test_the_funds_trend_counts_only_the_pairings_asked_for(county, foreign):
    sub = Pairing.objects.filter(parent=county).order_by("pk").first()
    add_receipts(foreign, 2022, ["999.00"])
    add_receipts(sub, 2022, ["50.00"])
    for pairing in (foreign, sub):
        made = add_projects(pairing, 2022, 2)
        Project.objects.filter(pk__in=[p.pk for p in made]).update(status=Project.IMPLEMENTING)
    years = [2021, 2022]
    for ids in ([county.pk], [county.pk, sub.pk]):
        got = funds_by_year(ids, years)
        for year in years:
            section = funds_section(ids, [year])
            assert got[year] == {"received": section["received"], "disbursed": section["disbursed"],
                                 "projects": section["projects"]}, (ids, year)
    alone, with_sub = funds_by_year([county.pk], [2022])[2022], funds_by_year([county.pk, sub.pk], [2022])[2022]
    assert alone["received"] != with_sub["received"] and alone["projects"] + 2 == with_sub["projects"]
