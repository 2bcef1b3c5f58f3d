"""An agreed item's status change carries the version the person looked at:
from the board or the item page without one, or with a stale one, it is
refused and nothing changes; through the API If-Match is required."""

import pytest
from django.db.models import F
from django.urls import reverse

from tests.checklist import login, token_client
from xiezuo.api_helpers import etag_of
from xiezuo.industry.models import AgreedItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(county):
    return AgreedItem.objects.get(pairing=county, title="新能源开发合作")


def bump(item):
    AgreedItem.objects.filter(pk=item.pk).update(version=F("version") + 1)


def post(item, **extra):
    url = reverse("industry_item_status", args=[item.pk])
    return login("huangyuan").post(url, {"status": "in_progress", **extra}, HTTP_HX_REQUEST="true")


def test_status_change_without_a_version_is_refused(item):
    notes = item.notes.count()
    for extra in ({}, {"loaded_version": ""}):
        assert "操作缺少所读取的版本号" in post(item, **extra).content.decode()
    after = AgreedItem.objects.get(pk=item.pk)
    assert after.status == "not_started" and after.version == item.version and item.notes.count() == notes


def test_status_change_with_a_stale_version_is_refused(item):
    notes = item.notes.count()
    bump(item)
    assert "此记录已被他人修改" in post(item, loaded_version=item.version).content.decode()
    after = AgreedItem.objects.get(pk=item.pk)
    assert after.status == "not_started" and after.version == item.version + 1 and item.notes.count() == notes


def test_status_change_with_the_right_version_is_done(item):
    post(item, loaded_version=item.version)
    assert AgreedItem.objects.get(pk=item.pk).status == "in_progress"


def test_item_page_form_carries_the_version(item):
    html = login("huangyuan").get(reverse("industry_items_detail", args=[item.pk])).content.decode()
    assert f'name="loaded_version" value="{item.version}"' in html


def test_status_api_needs_if_match(item):
    url = f"/api/v1/industry/items/{item.pk}/status"
    client = token_client("liuhe")
    r = client.post(url, {"status": "in_progress"}, content_type="application/json")
    assert r.status_code == 428
    etag = etag_of(item)
    bump(item)
    r = client.post(url, {"status": "in_progress"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 412 and AgreedItem.objects.get(pk=item.pk).status == "not_started"
    item.refresh_from_db()
    r = client.post(url, {"status": "in_progress"}, content_type="application/json", HTTP_IF_MATCH=etag_of(item))
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
