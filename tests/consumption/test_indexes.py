"""The sale list indexes: declared as (…, date, id); on SQLite stored
without the id, which every SQLite index entry ends in already."""

import datetime

import pytest
from django.db import connection

from xiezuo.consumption.models import Sale

LIST_INDEXES = {
    "sale_pairing_date": ["pairing_id", "date", "id"],
    "sale_buyer_date": ["buyer_id", "date", "id"],
    "sale_product_date": ["product_id", "date", "id"],
    "sale_supplier_date": ["supplier_id", "date", "id"],
    "sale_channel_date": ["channel_id", "pairing_id", "date", "id"],
}


def stored_columns():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Sale._meta.db_table)
    return {name: constraints[name]["columns"] for name in LIST_INDEXES if name in constraints}


@pytest.mark.django_db
def test_the_list_indexes_are_stored_as_declared_less_the_rowid_on_sqlite():
    if connection.vendor == "sqlite":
        expected = {name: columns[:-1] for name, columns in LIST_INDEXES.items()}
    else:
        expected = LIST_INDEXES
    assert stored_columns() == expected


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["pairing", "buyer", "product", "supplier"])
def test_a_filtered_sale_list_is_read_in_order_off_its_index(county, refs, make_sale, field):
    for day in (3, 1, 2):  # a day of its own each, saved out of order
        make_sale(day=datetime.date(2031, 1, day))
    value = {"pairing": county, "buyer": refs["buyers"][0], "product": refs["products"][0],
             "supplier": refs["products"][0].supplier}[field]
    page = Sale.objects.filter(**{field: value}).order_by("-date", "-id")[:20]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A small table is cheaper to scan than to look up: ask the
            # planner what it does with the index, as on a big one.
            cursor.execute("SET LOCAL enable_seqscan = off")
            # Nor a bitmap scan, which reads the few rows in table order and
            # sorts them (the planner's pick on a small table, depending on
            # its statistics): on a big table the page is a walk down the
            # index, which is what the index must allow.
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = page.explain()
    # The page comes straight off the index: nothing sorts it afterwards.
    assert f"sale_{field}_date" in plan, plan
    assert ("TEMP B-TREE" not in plan) if connection.vendor == "sqlite" else ("Sort" not in plan), plan
    every = sorted(Sale.objects.filter(**{field: value}), key=lambda s: (s.date, s.pk), reverse=True)
    assert list(page) == every[:20] and [s.date for s in page[:3]] == [datetime.date(2031, 1, d) for d in (3, 2, 1)]
