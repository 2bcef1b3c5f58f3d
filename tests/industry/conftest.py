"""Fixtures of the industry tests: a pairing tree of our own, so figures
can be checked against records we made, apart from the demo's."""

import datetime

import pytest

from lib.ids import make_uscc
from xiezuo.pairings.models import Organisation, Pairing, Region

D = datetime.date


@pytest.fixture
def tree(db):
    """A top-level pair (竹镇镇–巴燕乡), an enterprise–village pair under it
    and an unrelated pair whose records must never be counted."""
    east, west = Region.objects.get(name="竹镇镇"), Region.objects.get(name="巴燕乡")
    firm = Organisation.objects.create(name="测试投资企业（示例）", kind="enterprise", region=east,
                                       uscc=make_uscc("91320116MA27T0001"), is_demo=True)
    root = Pairing.objects.create(level="township", east_region=east, west_region=west, since=D(2021, 1, 1))
    child = Pairing.objects.create(level="enterprise_village", parent=root, east_region=east, east_org=firm,
                                   west_region=west, since=D(2022, 3, 1))
    other = Pairing.objects.create(level="township", east_region=Region.objects.get(name="冶山街道"),
                                   west_region=Region.objects.get(name="寺寨乡"))
    return {"root": root, "child": child, "other": other, "firm": firm}


@pytest.fixture
def firm(db):
    """An enterprise registered in 六合区, visible to the demo users."""
    return Organisation.objects.create(name="测试落地企业（示例）", kind="enterprise",
                                       region=Region.objects.get(name="六合区"),
                                       uscc=make_uscc("91320116MA27T0002"), is_demo=True)
