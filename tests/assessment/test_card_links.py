"""Every dashboard card opens the ledger that makes its number, for the
card's year, and that page states the same figure."""

import re
from decimal import Decimal
from html import unescape

import pytest

pytestmark = pytest.mark.django_db

CARD = re.compile(r'data-code="(\w+)".*?<a href="([^"]+)"[^>]*data-card-link>.*?data-actual>([^<]+)<', re.S)


def number(text):
    """Return a figure as written (4300万元, 87.82%, 12个) as (Decimal, unit)."""
    m = re.fullmatch(r"\s*(-?[\d,]+(?:\.\d+)?)\s*(\S*)\s*", text)
    assert m, text
    value, unit = Decimal(m.group(1).replace(",", "")), m.group(2)
    if unit.startswith("万"):
        value, unit = value * 10_000, unit[1:]
    return value, unit


@pytest.mark.parametrize("year", [2021, 2022])
def test_every_card_opens_its_ledger_with_the_same_total(client_for, county, year):
    client = client_for("lingdao")
    html = client.get(f"/assessment/pairings/{county.pk}/?year={year}").content.decode()
    cards = CARD.findall(html)
    from xiezuo.assessment.models import Indicator

    assert len(cards) == Indicator.objects.active().count()
    for code, link, actual in cards:
        link = unescape(link)
        assert f"year={year}" in link, (code, link)
        page = client.get(link)
        assert page.status_code == 200, (code, link)
        figures = re.findall(r'data-figure="%s">([^<]+)<' % code, page.content.decode())
        assert len(figures) == 1, (code, link)
        assert number(figures[0]) == number(actual), (code, link, figures[0], actual)


def test_training_card_opens_the_training_ledger(client_for, county):
    html = client_for("lingdao").get(f"/assessment/pairings/{county.pk}/?year=2022").content.decode()
    links = {code: unescape(link) for code, link, _ in CARD.findall(html)}
    assert links["training"].startswith(f"/pairings/{county.pk}/labour/classes/")
    assert links["labour"].startswith(f"/pairings/{county.pk}/labour/jobs/")
    assert links["parks"].startswith(f"/pairings/{county.pk}/industry/parks/")


@pytest.mark.parametrize("year", [2021, 2022])
def test_sales_ledger_rows_add_up_to_the_consumption_card(client_for, county, year):
    """The sales list filtered by the card's year adds up its own rows to
    the card's figure (the year used to be dropped: all years were summed)."""
    client = client_for("lingdao")
    html = client.get(f"/assessment/pairings/{county.pk}/?year={year}").content.decode()
    card = {code: (unescape(link), actual) for code, link, actual in CARD.findall(html)}["consumption"]
    page = client.get(card[0]).content.decode()
    row = re.search(r'id="totals-row".*?</tr>', page, re.S).group(0)
    # The row's 元 column: exact grouped yuan (11,572,795.60元).
    total = re.findall(r'<td class="amount">([\d,]+\.\d\d)元?</td>', row)[0].replace(",", "")
    # The card writes 万元 with two places.
    assert (Decimal(total) / 10_000).quantize(Decimal("0.01")) == number(card[1])[0] / 10_000


def test_cards_warnings_name_their_project(client_for, county):
    html = client_for("lingdao").get(f"/assessment/pairings/{county.pk}/?year=2022").content.decode()
    warnings = re.search(r'data-alerts>(.*?)</ul>', html, re.S).group(1)
    projects = re.findall(r'<a href="/projects/(\d+)/" data-project="\d+">([^<]+)</a>', warnings)
    assert projects and all(name.strip() for _, name in projects)
