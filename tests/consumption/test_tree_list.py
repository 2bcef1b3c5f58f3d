"""The sales list of a pairing with sub-pairings (the page's default: the
county pair and its township, hospital and school pairs): pages merged from
each pairing's own index instead of sorting the whole tree."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.assessment.services import subtree_ids
from xiezuo.consumption import listing
from xiezuo.consumption.models import Sale
from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.django_db

YEAR = 2031  # no demo sale: the list holds the sales made here only
IN_YEAR = {"date_from": datetime.date(YEAR, 1, 1), "date_to": datetime.date(YEAR, 12, 31)}


@pytest.fixture
def tree_sales(county, refs, make_sale):
    """Sales spread over the county and three sub-pairings, with days
    shared across pairings (ties broken by id), made out of order."""
    subs = list(Pairing.objects.filter(parent=county).order_by("pk"))[:3]
    assert len(subs) == 3
    days = [5, 1, 5, 3, 9, 1, 5, 7, 3, 2, 9, 5, 4, 6, 5, 1]
    made = []
    for n, day in enumerate(days):
        pairing = [county, *subs][n % 4]
        made.append(make_sale(pairing=pairing, day=datetime.date(YEAR, 3, day), buyer=refs["buyers"][n % 2],
                              kind=Sale.PURCHASED if n % 3 else Sale.HELPED))
    return made


def walk(ids, f, limit):
    """Every page forward from the first, then every page back from the last row."""
    forward, cursor = [], None
    while True:
        page = listing.sales_page(ids, f, cursor, limit=limit)
        forward.append([s.pk for s in page["rows"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    backward, before = [], listing.make_cursor(Sale.objects.get(pk=forward[-1][-1]))
    while True:
        page = listing.sales_page(ids, f, limit=limit, before=before)
        backward.insert(0, [s.pk for s in page["rows"]])
        before = page["prev_cursor"]
        if before is None:
            break
    return forward, backward


def in_list_order(sales):
    return [s.pk for s in sorted(sales, key=lambda s: (s.date, s.pk), reverse=True)]


@pytest.mark.parametrize("parts", [listing.PARTS_PER_STATEMENT, 2])
@pytest.mark.parametrize("limit", [1, 3, 7, 50])
def test_a_trees_pages_hold_every_sale_once_in_list_order_both_ways(county, tree_sales, monkeypatch, parts, limit):
    # Two pairings to a statement: the tree's keys come from several statements.
    monkeypatch.setattr(listing, "PARTS_PER_STATEMENT", parts)
    ids = subtree_ids([county])[county.pk]
    assert len(ids) > 3
    expected = in_list_order(tree_sales)
    forward, backward = walk(ids, IN_YEAR, limit)
    assert sum(forward, []) == expected
    assert all(len(p) == limit for p in forward[:-1])
    # Back from the last row: every row before it, in the same order.
    assert sum(backward, []) == expected[:-1]
    assert all(len(p) == limit for p in backward[1:])


@pytest.mark.parametrize("f", [{"buyer": 0}, {"kind": Sale.HELPED}, {"date_from": datetime.date(YEAR, 3, 4)},
                               {"buyer": 1, "kind": Sale.PURCHASED, "date_to": datetime.date(YEAR, 3, 5)}])
def test_a_trees_filtered_pages_are_the_filtered_sales_in_order(county, refs, tree_sales, f):
    f = {**IN_YEAR, **f}
    if "buyer" in f:
        f["buyer"] = refs["buyers"][f["buyer"]].pk
    ids = subtree_ids([county])[county.pk]
    wanted = [s for s in tree_sales if (f.get("buyer") in (None, s.buyer_id)) and f.get("kind") in (None, s.kind)
              and f["date_from"] <= s.date <= f["date_to"]]
    assert 0 < len(wanted) < len(tree_sales)
    forward, backward = walk(ids, f, 2)
    assert sum(forward, []) == in_list_order(wanted)
    assert sum(backward, []) == in_list_order(wanted)[:-1]


def test_the_page_of_a_tree_reads_each_pairings_index_without_sorting_the_tree(county, tree_sales):
    ids = subtree_ids([county])[county.pk]
    with CaptureQueriesContext(connection) as queries:
        page = listing.sales_page(ids, {}, limit=5)
    assert [s.pk for s in page["rows"]] == in_list_order(
        Sale.objects.filter(pairing_id__in=ids).order_by("-date", "-id")[:5])
    union = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    assert len(union) == 1
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As on a big table: the planner's choice on a small one is a scan (see test_indexes).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + union[0])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Sort" not in plan, plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + union[0])
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "TEMP B-TREE" not in plan, plan
    # One index read a pairing of the tree.
    assert plan.count("sale_pairing_date") == len(ids), plan
    # The rows themselves are then read by id, not by the tree's pairings.
    rows = [q["sql"] for q in queries.captured_queries if "consumption_buyer" in q["sql"]]
    assert len(rows) == 1 and "pairing_id" not in rows[0].split("WHERE")[1], rows


@pytest.mark.parametrize("username", ["liuhe", "huangyuan", "yiyuan", "lingdao", "shenji"])
def test_each_reader_of_the_trees_page_sees_the_sales_of_their_scope_in_order(county, tree_sales, username):
    # The page as each demo role opens it: the unit (yiyuan, a hospital) reads
    # no sale of the county pair itself, so some pairings drop out whole.
    from xiezuo.accounts.models import User
    from xiezuo.accounts.scope import scope_for

    scope = scope_for(User.objects.get(username=username))
    ids = subtree_ids([county])[county.pk]
    visible = list(scope.filter(Sale.objects.filter(pairing_id__in=ids, date__year=YEAR)))
    pages, cursor = [], None
    while True:
        page = listing.sales_page(ids, IN_YEAR, cursor, limit=4, scope=scope)
        pages += [s.pk for s in page["rows"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == in_list_order(visible)
    if username == "yiyuan":
        assert len(visible) < len(tree_sales)  # the case of pairings without a visible row
