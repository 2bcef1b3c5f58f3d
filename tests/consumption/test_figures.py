"""The `consumption` figures section: demo totals, totals equal the naive aggregate."""

import json
import re
from decimal import Decimal

import pytest

from xiezuo.consumption.figures import from_rows, from_totals
from xiezuo.consumption.models import Sale

pytestmark = pytest.mark.django_db


def test_demo_figures_2021_2022_exceed_ten_million_yuan_via_api(county, api_for):
    r = api_for("lingdao").get(f"/api/v1/pairings/{county.pk}/figures?from=2021&to=2022")
    assert r.status_code == 200
    c = r.json()["consumption"]
    assert Decimal(c["total"]) > Decimal("10000000.00")
    assert Decimal(c["purchased"]) + Decimal(c["helped_sales"]) == Decimal(c["total"])
    assert c["target"] == "10000000.00"  # 500万元 in each year's agreement
    assert c["completion"] == str((Decimal(c["total"]) * 100 / Decimal("10000000")).quantize(Decimal("0.01")))
    names = [ch["name"] for ch in c["by_channel"]]
    assert "六合湟源消费扶贫专馆" in names and "湟源臻品馆" in names
    assert len(c["by_month"]) == 24 and c["by_month"][0]["month"] == "2021-01"
    assert sum(Decimal(m["amount"]) for m in c["by_month"]) == Decimal(c["total"])
    assert c["top_buyers"][0]["name"].endswith("（示例）")
    assert c["top_products"][0]["supplier"]
    assert c["suppliers"] == {"registered": 4, "with_sales": 4}


def test_figures_from_totals_equal_the_naive_aggregate(county, make_sale, refs):
    make_sale(kind=Sale.HELPED, buyer=refs["buyers"][2])
    for years in ([2021], [2022], [2021, 2022, 2023]):
        assert json.dumps(from_totals([county.pk], years)) == json.dumps(from_rows([county.pk], years))


def test_figures_read_few_queries_and_no_sales(county, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_assert_max_num_queries(5):
        with CaptureQueriesContext(connection) as ctx:
            from_totals([county.pk], [2021, 2022])
    # Quoted by the ORM, bare in the section's own SQL: either is a read of the sales.
    assert not any(re.search(r"\bconsumption_sale\b", q["sql"]) for q in ctx.captured_queries)
    assert any("consumption_saletotal" in q["sql"] for q in ctx.captured_queries)


def test_year_without_sales_or_target(county):
    c = from_totals([county.pk], [2030])
    assert c["total"] == "0.00" and c["target"] is None and c["completion"] is None and c["by_channel"] == []
