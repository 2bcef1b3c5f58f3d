"""Every dashboard card opens the ledger that makes its number, for the
card's year, and that page lists the rows that make it: the test adds up
the rows itself (the `data-row-value` / `data-row-person` cells the page
marks, over all its pages) and finds the card's figure."""

import re
from decimal import ROUND_HALF_UP, Decimal
from html import unescape

import pytest

pytestmark = pytest.mark.django_db

CARD = re.compile(r'data-code="(\w+)".*?<a href="([^"]+)"[^>]*data-card-link>.*?data-actual>([^<]+)<', re.S)
MARKED = re.compile(r'<[a-z]+\s[^>]*data-row-(?:value|person)="[^"]*"[^>]*>')
NEXT = re.compile(r'<a class="page-link"[^>]*href="([^"]+)"[^>]*>下一页</a>')
DENOMINATOR = re.compile(r'<a [^>]*href="([^"]+)"[^>]*data-denominator-link')


def number(text):
    """Return a figure as written (4300万元, 87.82%, 12个) as (Decimal, unit)."""
    m = re.fullmatch(r"\s*(-?[\d,]+(?:\.\d+)?)\s*(\S*)\s*", text)
    assert m, text
    value, unit = Decimal(m.group(1).replace(",", "")), m.group(2)
    if unit.startswith("万"):
        value, unit = value * 10_000, unit[1:]
    return value, unit


def attr(tag, name):
    m = re.search(r'\b%s="([^"]*)"' % name, tag)
    return unescape(m.group(1)) if m else None


def pages(client, link):
    """Yield the HTML of every page of a list, following its 下一页 links."""
    seen, path = set(), link.split("?")[0]
    while link and link not in seen:
        seen.add(link)
        response = client.get(link)
        assert response.status_code == 200, link
        html = response.content.decode()
        yield html
        following = NEXT.search(html)
        link = unescape(following.group(1)) if following else None
        if link and link.startswith("?"):
            link = path + link


def marked_rows(client, link, computation):
    """Follow the list's pages from `link`; return (sum of the values,
    distinct persons, cells) of the cells marked for `computation`: those
    naming it in `data-row-of` when the page names any, else the unnamed."""
    values, persons, cells, html = Decimal(0), set(), 0, ""
    for html in pages(client, link):
        tags = MARKED.findall(html)
        named = [t for t in tags if computation in (attr(t, "data-row-of") or "").split()]
        for tag in named or [t for t in tags if attr(t, "data-row-of") is None]:
            cells += 1
            if attr(tag, "data-row-person") is not None:
                persons.add(attr(tag, "data-row-person"))
            else:
                values += Decimal(attr(tag, "data-row-value"))
    return values, persons, cells, html


def rows_figure(client, link, computation, unit):
    """The card's figure as the ledger's own rows make it."""
    values, persons, cells, html = marked_rows(client, link, computation)
    if unit == "%":
        denominator_link = DENOMINATOR.search(html)
        assert denominator_link, (computation, link)
        whole, _, _, _ = marked_rows(client, unescape(denominator_link.group(1)), computation)
        return (values * 100 / whole).quantize(Decimal("0.01"), ROUND_HALF_UP) if whole else None
    if persons:
        return Decimal(len(persons))
    return values


def cards(client, county, year):
    from xiezuo.assessment.models import Indicator

    html = client.get(f"/assessment/pairings/{county.pk}/?year={year}").content.decode()
    found = CARD.findall(html)
    assert len(found) == Indicator.objects.active().count()
    computation = dict(Indicator.objects.active().values_list("code", "computation"))
    return [(code, computation[code], unescape(link), actual) for code, link, actual in found]


def assert_card_matches_rows(client, code, computation, link, actual):
    card, unit = number(actual)
    mine = rows_figure(client, link, computation, unit)
    if unit.endswith("元"):  # cards write 万元 with two places
        mine = (mine / 10_000).quantize(Decimal("0.01"), ROUND_HALF_UP) * 10_000
    assert mine == card, (code, link, mine, actual)


@pytest.mark.parametrize("year", [2021, 2022])
def test_every_card_opens_its_ledger_whose_rows_add_up_to_it(client_for, county, year):
    client = client_for("lingdao")
    nonzero, wrong = 0, []
    for code, computation, link, actual in cards(client, county, year):
        assert f"year={year}" in link, (code, link)
        try:
            assert_card_matches_rows(client, code, computation, link, actual)
        except AssertionError as e:
            wrong.append(str(e).splitlines()[0])
        nonzero += number(actual)[0] != 0
    assert not wrong, wrong
    assert nonzero >= 8  # the demo has data: the sums compare real rows


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


def test_reserve_terminated_projects_and_a_township_sale_keep_cards_and_ledgers_equal(client_for, county, settings):
    """Rows that must not count (a reserve, a terminated and a not yet started
    project; a sale of another year) stay out of both the card and its list,
    and a sale of a township pair under the county counts in both."""
    import datetime

    from xiezuo.consumption.models import Buyer, Channel, Product, Sale
    from xiezuo.funds.models import Project, ProjectBeneficiary, ProjectCategory
    from xiezuo.pairings.models import Pairing

    settings.XIEZUO_FUNDS_ALLOW_CARRYOVER = True
    client = client_for("lingdao")
    before = {code: number(actual)[0] for code, _, _, actual in cards(client, county, 2022)}
    category = ProjectCategory.objects.order_by("pk").first()
    for code, status in (("X-RESERVE", Project.RESERVE), ("X-STOPPED", Project.TERMINATED),
                         ("X-APPROVED", Project.APPROVED), ("X-RUNNING", Project.IMPLEMENTING)):
        p = Project.objects.create(pairing=county, code=code, name=f"核对项目{code}", year=2022, category=category,
                                   coop_funds=Decimal("1000.00"), status=status)
        ProjectBeneficiary.objects.create(project=p, kind="poverty", count=1000)
    township = Pairing.objects.filter(parent=county, level="township").order_by("pk").first()
    product = Product.objects.filter(pairing=county).order_by("pk").first()
    for day, amount in ((datetime.date(2022, 7, 1), "300000.00"), (datetime.date(2021, 12, 31), "700000.00")):
        sale = Sale(pairing=township, date=day, buyer=Buyer.objects.filter(pairing=county).order_by("pk").first(),
                    product=product, supplier=product.supplier, channel=Channel.usable_by(county).first(),
                    kind=Sale.PURCHASED, amount=Decimal(amount))
        sale.save()

    after = cards(client, county, 2022)
    figures = {code: number(actual)[0] for code, _, _, actual in after}
    # Only the approved and the running project count; only the running one leads people out of poverty.
    assert figures["projects"] == before["projects"] + 2
    assert figures["poverty_led"] == before["poverty_led"] + 1000
    # The township pair's 2022 sale counts, its 2021 one does not.
    assert figures["consumption"] == before["consumption"] + 300_000
    for code, computation, link, actual in after:
        assert_card_matches_rows(client, code, computation, link, actual)
    links = {code: link for code, _, link, _ in after}
    listed = client.get(links["projects"] + "&q=X-").content.decode()
    assert "X-APPROVED" in listed and "X-RUNNING" in listed
    assert "X-RESERVE" not in listed and "X-STOPPED" not in listed
    started = client.get(links["poverty_led"] + "&q=X-").content.decode()
    assert "X-RUNNING" in started and "X-APPROVED" not in started
    sale_rows = [row for html in pages(client, links["consumption"])
                 for row in re.findall(r'<tr class="sale-row">.*?</tr>', html, re.S)]
    township_rows = [row for row in sale_rows if f'href="/pairings/{township.pk}/consumption/sales/"' in row]
    assert len(township_rows) == 1 and 'data-row-value="300000.00"' in township_rows[0]
