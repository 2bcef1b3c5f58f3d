"""The dashboard's first screen at 1366 px: the indicator cards and the
warnings above the fold, the charts in a grid; at 390 px nothing wider
than the screen; every label of the talent chart drawn."""

import pytest

from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.browser


def open_dashboard(journey, width, height):
    county = Pairing.objects.get(level="county", east_region__name="六合区")
    journey.page.set_viewport_size({"width": width, "height": height})
    journey.login("lingdao")
    page = journey.go(f"/assessment/pairings/{county.pk}/?year=2022")
    page.wait_for_selector("[data-charts] [data-chart=talent_by_kind] canvas")
    page.wait_for_selector("[data-trend-table] table")
    return page


def test_first_screen_at_1366(journey):
    page = open_dashboard(journey, 1366, 900)
    journey.shot("1366")
    cards = page.locator("[data-cards]").bounding_box()
    warnings = page.locator("#warnings").bounding_box()
    assert cards["y"] + cards["height"] <= 900, cards
    assert warnings["y"] + warnings["height"] <= 900, warnings
    # Every warning names its project with a link.
    items = page.locator("[data-alerts] li")
    assert items.count() > 0 and page.locator("[data-alerts] li a[data-project]").count() == items.count()
    # The charts stand in a grid: the first two side by side.
    tops = [page.locator("[data-charts] > section").nth(i).bounding_box() for i in range(2)]
    assert tops[0]["y"] == tops[1]["y"] and tops[1]["x"] > tops[0]["x"] + tops[0]["width"] - 1
    columns = page.evaluate("""() => {
        const xs = [...document.querySelectorAll('[data-charts] > section')].map(s => Math.round(s.getBoundingClientRect().x));
        return new Set(xs).size; }""")
    assert columns > 1
    # Tables on demand: hidden until asked for, then shown.
    table = page.locator("#table-funds_by_category")
    assert not table.is_visible()
    page.locator("[aria-controls=table-funds_by_category]").click()
    assert table.is_visible()
    # Print (A4) shows the tables and no canvas.
    page.emulate_media(media="print")
    assert page.locator("#table-talent_by_kind").is_visible()
    assert not page.locator("[data-chart=talent_by_kind] .chart").is_visible()
    journey.shot("print")


def test_talent_chart_draws_every_axis_label(journey):
    page = open_dashboard(journey, 1366, 900)
    labels = page.evaluate("""() => {
        const node = document.querySelector('[data-chart=talent_by_kind] .chart');
        const chart = window.echarts.getInstanceByDom(node);
        const axis = chart.getModel().getComponent('xAxis', 0).axis;
        return [axis.getViewLabels().length, axis.scale.getOrdinalMeta().categories.length]; }""")
    assert labels[0] == labels[1] == 5


def test_nothing_wider_than_390(journey):
    page = open_dashboard(journey, 390, 844)
    journey.shot("390")
    too_wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 1; })
        .filter(e => !e.closest('.table-responsive, .navbar-collapse:not(.show)'))
        .map(e => e.tagName + '.' + e.className + ' in ' + (e.parentElement.closest('[id]') || {}).id + ' ' + e.textContent.slice(0, 20)).slice(0, 10)""")
    assert too_wide == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
