"""Responses that may carry personal data are never cached: every response
to a signed-in user and every API response carries `Cache-Control: no-store`
and `Pragma: no-cache`; static files stay cacheable."""

import pytest
from django.urls import reverse

from xiezuo.labour.models import Person, TrainingClass

from .checklist import login, token_client

pytestmark = pytest.mark.django_db


def assert_no_store(response, what):
    assert response["Cache-Control"] == "no-store" or "no-store" in response["Cache-Control"], (
        what, response.get("Cache-Control"))
    assert response["Pragma"] == "no-cache", what


def test_pages_for_signed_in_users(county):
    person = Person.objects.filter(pairing=county).order_by("pk").first()
    c = login("lingdao")
    for url in ("/", reverse("pairing_detail", args=[county.pk]), reverse("labour_person_list", args=[county.pk]),
                reverse("labour_person_detail", args=[person.pk])):
        r = c.get(url)
        assert r.status_code == 200, url
        assert_no_store(r, url)
    # Refusals and redirects of a signed-in user are covered too.
    assert_no_store(login("outsider").get(reverse("labour_person_detail", args=[person.pk])), "404")


def test_api_answers_with_and_without_a_token(county):
    url = f"/api/v1/labour/pairings/{county.pk}/people"
    r = token_client("lingdao").get(url)
    assert r.status_code == 200
    assert_no_store(r, "token")
    r = token_client(None).get(url)
    assert r.status_code == 401
    assert_no_store(r, "anonymous API")
    r = login("lingdao").get(url)
    assert r.status_code == 200
    assert_no_store(r, "session API")


def test_export_downloads(county):
    c = login("lingdao")
    r = c.get(reverse("ledger_export", args=[county.pk, "training"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert_no_store(r, "ledger export")
    tc = TrainingClass.objects.filter(pairing=county).first()
    r = c.get(reverse("labour_roster_export", args=[tc.pk]))
    assert r.status_code == 200
    assert_no_store(r, "roster csv")


def test_anonymous_pages_and_static_files_are_left_alone(client):
    r = client.get(reverse("login"))
    assert r.status_code == 200 and "Pragma" not in r
    r = login("lingdao").get("/static/xiezuo/app.css")
    assert r.status_code == 200
    assert "no-store" not in r.get("Cache-Control", "") and "Pragma" not in r
