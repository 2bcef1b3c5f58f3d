"""The catalogue's new pieces in a real browser: the 口径依据 column of the
catalogue, and a 乡村振兴示范村 entered through its form and counted on the
industry page."""

import pytest

from xiezuo.industry.models import DemoVillage
from xiezuo.pairings.models import Pairing, Region

pytestmark = pytest.mark.browser


def test_model_village_form_and_the_catalogues_basis(journey):
    county = Pairing.objects.get(level="county", east_region__name="六合区")
    journey.login("huangyuan")
    page = journey.go("/assessment/indicators/")
    row = page.locator("tr", has=page.locator("code", has_text="village_pairs"))
    assert "农业农村部2023年东西部协作数据" in row.inner_text()
    journey.shot("catalogue")

    page = journey.go(f"/pairings/{county.pk}/industry/villages/new/")
    village = Region.objects.get(name="塔湾村")
    page.select_option("#id_village", str(village.pk))
    page.select_option("#id_level", "province")
    page.fill("#id_designated_year", "2022")
    page.fill("#id_investment", "800000")
    journey.shot("form")
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    saved = DemoVillage.objects.get(village=village)
    assert (saved.level, saved.designated_year, str(saved.investment)) == ("province", 2022, "800000.00")
    assert "塔湾村" in page.content() and "80万元" in page.content()
    journey.shot("detail")

    page = journey.go(f"/pairings/{county.pk}/industry/?year=2022")
    row = page.locator("#industry-figures tr", has_text="乡村振兴示范村")
    assert row.locator("td").inner_text() == "2 个"  # the demo's village and this one
    journey.shot("industry-home")
