"""Journeys a person takes through the real pages, in a real browser."""

import pytest

from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.browser


def test_login_shows_the_pairing_tree_in_chinese(journey):
    journey.login("liuhe")
    page = journey.page
    assert page.locator("h1").inner_text() == "我的工作"
    assert page.locator("#h-pairings").inner_text() == "我的结对关系"
    rows = page.locator("#pairings tbody tr")
    assert rows.count() == Pairing.objects.filter(
        path__startswith=Pairing.objects.get(level="county").path).count()
    assert "南京市六合区—西宁市湟源县" in rows.first.inner_text()
    journey.shot("home")
    rows.first.locator("a").click()
    # Wait for the pairing's page itself: under load the count could be read
    # before the navigation finished (no sleeping, the page's own element).
    page.wait_for_selector("#pairing-tree li")
    assert page.locator("#pairing-tree li").count() == 8
    journey.shot("pairing")


def test_wrong_password_is_refused_in_chinese(journey):
    journey.login("liuhe", password="wrong-password")
    assert "请输入一个正确的" in journey.page.content()
    journey.shot("refused")


def test_user_of_another_pairing_cannot_reach_the_data(journey):
    county = Pairing.objects.get(level="county")
    journey.login("outsider")
    assert "西宁市湟源县" not in journey.page.content()
    response = journey.page.goto(journey.base_url + f"/pairings/{county.pk}/")
    assert response.status == 404
    journey.shot("foreign-pairing-404")
    api = journey.page.goto(journey.base_url + f"/api/v1/pairings/{county.pk}/figures?year=2022")
    assert api.status == 404
    journey.shot("foreign-api-404")
