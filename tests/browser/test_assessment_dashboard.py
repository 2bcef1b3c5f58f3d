"""The dashboard in a real browser: the JSON drawn as cards, ECharts charts
and tables; print shows the tables, not the canvases."""

import pytest

from xiezuo.assessment.models import Indicator
from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.browser


def test_dashboard_draws_cards_charts_and_tables(journey):
    county = Pairing.objects.get(level="county", east_region__name="六合区")
    errors = []
    journey.page.on("pageerror", lambda e: errors.append(str(e)))
    # Every response of the page must succeed (the browser's own favicon request aside).
    journey.page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    journey.login("lingdao")
    page = journey.go(f"/assessment/pairings/{county.pk}/?year=2022")
    page.wait_for_selector("[data-cards] .indicator-card")
    page.wait_for_selector("[data-trend-table] table")
    assert page.locator("[data-cards] .indicator-card").count() == Indicator.objects.active().count()
    card = page.locator('.indicator-card[data-code="fiscal_funds"]').inner_text()
    assert "财政援助资金" in card and "目标 4220万元" in card
    assert page.locator("[data-charts] section.chart-block").count() >= 10
    assert page.locator("[data-charts] table").count() == page.locator("[data-charts] section.chart-block").count()
    trend_rows = page.locator("[data-trend-table] tbody tr")
    assert trend_rows.count() == 5 and trend_rows.last.locator("th").inner_text() == "2022"
    # The trend has data (the years exist): ECharts drew it on a canvas.
    assert page.locator("[data-trend-chart] canvas").count() == 1
    journey.shot("dashboard")
    page.emulate_media(media="print")
    assert not page.locator("[data-trend-chart]").is_visible()
    assert page.locator("[data-trend-table] table").is_visible()
    journey.shot("print")
    assert errors == []
