"""The payer (拨付单位) of a fund receipt is an eastern organisation, offered once."""

import re

import pytest
from django.urls import reverse

from xiezuo.pairings.models import Organisation, Region

from ..checklist import login

pytestmark = pytest.mark.django_db


def payer_options(html):
    select = re.search(r'<select name="payer"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)


def test_payers_are_the_pairings_eastern_organisations_each_once(county):
    # Two eastern organisations of one name, in different streets: both are
    # offered, told apart by their place.
    street = Region.objects.filter(path__startswith=county.east_region.path, level="township").first()
    Organisation.objects.create(name="南京市六合区人民政府", kind=Organisation.objects.get(
        name="南京市六合区人民政府").kind, region=street)
    html = login("liuhe").get(reverse("receipt_create", args=[county.pk])).content.decode()
    options = payer_options(html)
    orgs = Organisation.objects.select_related("region").in_bulk([int(pk) for pk, _ in options])
    assert options and all(o.region.path.startswith(county.east_region.path) for o in orgs.values())
    labels = [label for _, label in options]
    assert len(labels) == len(set(labels))
    assert not any(label.startswith("湟源") or "西宁" in label for label in labels)
    assert f"南京市六合区人民政府（{street.name}）" in labels
