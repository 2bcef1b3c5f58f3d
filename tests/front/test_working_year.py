"""One working year: set by the office on the pairing, chosen in the
header's switcher, carried by the pages of the pairing."""

import re

import pytest

from xiezuo.audit.models import AuditEvent
from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.django_db


def selected(html, name="working-year"):
    select = re.search(r'id="%s".*?</select>' % name, html, re.S).group(0)
    return int(re.search(r'value="(\d+)" selected', select).group(1))


def test_default_is_the_latest_year_with_data_then_the_offices_choice(county):
    assert county.default_year() == 2022
    county.working_year = 2021
    county.save()
    assert county.default_year() == 2021
    # A sub-pairing without its own takes its parent's.
    child = Pairing.objects.filter(parent=county).first()
    assert child.working_year is None and child.default_year() == 2021


def test_offices_set_the_working_year_on_the_pairing_page_audited(client_for, county):
    page = client_for("liuhe").get(f"/pairings/{county.pk}/").content.decode()
    assert 'id="working-year-form"' in page
    response = client_for("liuhe").post(f"/pairings/{county.pk}/working-year/",
                                        {"working_year": "2021", "loaded_version": county.version})
    assert response.status_code == 302
    county.refresh_from_db()
    assert county.working_year == 2021
    event = AuditEvent.objects.filter(model="pairings.Pairing", object_id=str(county.pk)).order_by("-seq").first()
    assert event.after["working_year"] == 2021 and event.actor_name == "liuhe"
    # The dashboard now opens on it.
    html = client_for("lingdao").get(f"/assessment/pairings/{county.pk}/").content.decode()
    assert "2021年度考核看板" in html


def test_a_stale_version_or_a_reader_changes_nothing(client_for, county):
    stale = client_for("huangyuan").post(f"/pairings/{county.pk}/working-year/",
                                         {"working_year": "2020", "loaded_version": county.version - 1})
    assert stale.status_code == 302
    assert client_for("lingdao").post(f"/pairings/{county.pk}/working-year/",
                                      {"working_year": "2020", "loaded_version": county.version}).status_code == 403
    assert client_for("outsider").post(f"/pairings/{county.pk}/working-year/",
                                       {"working_year": "2020", "loaded_version": county.version}).status_code == 404
    county.refresh_from_db()
    assert county.working_year is None


def test_the_switcher_carries_the_year_to_every_page_of_the_pairing(client_for, county):
    client = client_for("lingdao")
    assert selected(client.get(f"/pairings/{county.pk}/funds/").content.decode()) == 2022
    response = client.post("/working-year/", {"pairing": county.pk, "year": "2021",
                                              "next": f"/pairings/{county.pk}/projects/?status=implementing&year=2022"})
    assert response["Location"] == f"/pairings/{county.pk}/projects/?status=implementing&year=2021"
    # Pages with a year of their own open on it …
    funds = client.get(f"/pairings/{county.pk}/funds/").content.decode()
    assert selected(funds) == 2021 and "4300万元" in funds
    assert "2021年度考核看板" in client.get(f"/assessment/pairings/{county.pk}/").content.decode()
    # … and lists filter by it unless told "every year" (an empty ?year=).
    chosen = client.get(f"/pairings/{county.pk}/projects/").content.decode()
    every = client.get(f"/pairings/{county.pk}/projects/?year=").content.decode()
    assert "<td>2022</td>" not in chosen and "<td>2021</td>" in chosen and "<td>2022</td>" in every
    # Another person keeps their own year.
    assert selected(client_for("liuhe").get(f"/pairings/{county.pk}/funds/").content.decode()) == 2022


def test_share832_and_labour_open_on_the_working_year(client_for, county):
    county.working_year = 2021
    county.save()
    client = client_for("lingdao")
    share = client.get(f"/pairings/{county.pk}/consumption/share832/").content.decode()
    assert "2021" in re.search(r"<h1.*?</h1>", share, re.S).group(0) or 'value="2021" selected' in share
    labour = client.get(f"/pairings/{county.pk}/labour/").content.decode()
    assert 'value="2021"' in labour


def test_switcher_refuses_foreign_pairings_and_bad_years(client_for, county, foreign):
    client = client_for("lingdao")
    assert client.post("/working-year/", {"pairing": foreign.pk, "year": "2021", "next": "/"}).status_code == 404
    assert client.get("/working-year/").status_code == 405
    response = client.post("/working-year/", {"pairing": county.pk, "year": "99999", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
