"""Amounts in the dashboard's tables and charts are written as on the pages:
541.5万元 from ten thousand yuan on, never a raw 47200000.00."""

import re

import pytest

from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.browser


def test_dashboard_tables_write_amounts_in_wan(journey):
    county = Pairing.objects.get(level="county", east_region__name="六合区")
    journey.login("lingdao")
    page = journey.go(f"/assessment/pairings/{county.pk}/?year=2022")
    page.wait_for_selector('[data-chart="disbursement_progress"] table', state="attached")
    # Each chart's table is shown on demand: open them all, as a reader would.
    toggles = page.locator("[data-table-toggle]")
    for i in range(toggles.count()):
        if toggles.nth(i).get_attribute("aria-expanded") == "false":
            toggles.nth(i).click()
    page.wait_for_selector('[data-chart="disbursement_progress"] table')
    tables = page.locator("[data-charts] table, [data-trend-table] table")
    text = "\n".join(tables.nth(i).inner_text() for i in range(tables.count()))
    assert "万元" in text
    assert not re.search(r"\d{5,}\.\d\d", text), re.search(r".*\d{5,}\.\d\d.*", text).group(0)
    headers = page.locator('[data-chart="disbursement_progress"] thead th').all_inner_texts()
    assert "当月拨付" in headers and not any("（元）" in h for h in headers)
    cumulative = page.locator('[data-chart="disbursement_progress"] tbody tr').last.locator("td").nth(1).inner_text()
    assert re.fullmatch(r"[\d,]+(\.\d+)?万元|\d+(\.\d\d)?元", cumulative), cumulative
    journey.shot("amounts")
