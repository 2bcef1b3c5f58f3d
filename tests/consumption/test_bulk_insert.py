"""The bulk writes of sales (multi-row INSERTs on SQLite, COPY on
PostgreSQL) store every value exactly as given, texts with the characters
COPY's text format escapes included, and the totals of what they stored."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from xiezuo.audit.models import AuditEvent
from xiezuo.consumption import totals
from xiezuo.consumption.models import Product, Sale
from xiezuo.consumption.services import CopyBehind, bulk_create_sales, insert_sale_columns

pytestmark = pytest.mark.django_db

# Tab, line breaks, a backslash and COPY's own NULL marker written as text.
AWKWARD = ["备注\t含制表符", "两行\n备注", "回车\r备注", "路径C:\\示例\\凭证", "\\N", "", "单引号'与双引号\""]
FIELDS = ("date", "year", "month", "buyer_id", "supplier_id", "product_id", "channel_id", "kind", "quantity",
          "unit_price", "amount", "voucher_no", "repeat_no", "note", "is_demo", "version")


def columns(refs, n, prefix):
    product = refs["products"][0]
    return {
        "date": [datetime.date(2023, 3, 1) + datetime.timedelta(days=i) for i in range(n)],
        "buyer_id": [refs["buyers"][0].pk] * n, "supplier_id": [product.supplier_id] * n,
        "product_id": [product.pk] * n, "channel_id": [refs["channels"][0].pk] * n,
        "kind": [Sale.PURCHASED, Sale.HELPED] * (n // 2) + [Sale.PURCHASED] * (n % 2),
        "quantity": [Decimal("2.500"), None] * (n // 2) + [None] * (n % 2),
        "unit_price": [Decimal("12.34"), None] * (n // 2) + [None] * (n % 2),
        "amount": [Decimal("30.85"), Decimal("1200.00")] * (n // 2) + [Decimal("0.01")] * (n % 2),
        "voucher_no": [f"{prefix}{text}" if i % 2 else "" for i, text in enumerate(AWKWARD)][:n],
        "repeat_no": [None if i % 2 else 1 for i in range(n)],
        "note": AWKWARD[:n],
    }


def test_column_insert_stores_texts_and_nulls_exactly(county, refs):
    n = len(AWKWARD)
    given = columns(refs, n, "列-")
    ids = insert_sale_columns(county.pk, {k: list(v) for k, v in given.items()}, n)
    stored = {row["id"]: row for row in Sale.objects.filter(pk__in=ids).values("id", *FIELDS)}
    assert len(stored) == n
    for i, pk in enumerate(ids):
        row = stored[pk]
        assert (row["note"], row["voucher_no"], row["repeat_no"]) == (
            given["note"][i], given["voucher_no"][i], given["repeat_no"][i])
        assert (row["quantity"], row["unit_price"], row["amount"]) == (
            given["quantity"][i], given["unit_price"][i], given["amount"][i])
        assert (row["date"], row["year"], row["month"], row["kind"], row["is_demo"], row["version"]) == (
            given["date"][i], 2023, given["date"][i].month, given["kind"][i], False, 1)
    assert totals.differences() == []


def test_instance_insert_stores_texts_exactly(county, refs):
    product = refs["products"][0]
    sales = [Sale(pairing=county, date=datetime.date(2023, 4, 1), buyer=refs["buyers"][0], product=product,
                  channel=refs["channels"][0], kind=Sale.PURCHASED, quantity=Decimal("1"),
                  unit_price=Decimal(f"{i + 1}.00"), voucher_no=f"实例-{i}", note=text)
             for i, text in enumerate(AWKWARD)]
    assert bulk_create_sales(sales) == len(AWKWARD)
    notes = dict(Sale.objects.filter(voucher_no__startswith="实例-").values_list("voucher_no", "note"))
    assert notes == {f"实例-{i}": text for i, text in enumerate(AWKWARD)}
    assert [s.pk for s in sales] == list(Sale.objects.filter(pk__in=[s.pk for s in sales]).order_by("pk")
                                         .values_list("pk", flat=True))
    assert totals.differences() == []


def test_rows_copied_behind_are_there_for_the_next_statement(county, refs):
    """With a CopyBehind (PostgreSQL) the COPY runs in a thread after the call
    returns; any next query on the connection waits for it, so it reads the
    rows as if they had been written in place. On SQLite nothing runs behind."""
    n = len(AWKWARD)
    given = columns(refs, n, "后台-")
    behind = CopyBehind().open()
    try:
        assert behind.active == (connection.vendor == "postgresql")
        ids = insert_sale_columns(county.pk, {k: list(v) for k, v in given.items()}, n, deltas=totals.Deltas(),
                                  behind=behind)
        stored = dict(Sale.objects.filter(pk__in=ids).values_list("pk", "note"))
        assert behind.thread is None  # the query above waited for the COPY
        assert stored == dict(zip(ids, given["note"]))
        event = AuditEvent.objects.order_by("-seq").first()
        assert (event.action, event.after["count"], event.after["first_id"], event.after["last_id"]) == (
            "import", n, min(ids), max(ids))
    finally:
        behind.close()
    assert connection.execute_wrappers == []


def test_an_error_behind_is_raised_by_the_next_statement(county, refs):
    """A duplicate key met by the COPY running behind is raised (as Django's
    IntegrityError) by the connection's next statement; the rows of the
    failed batch are gone with the savepoint and the connection works on."""
    n = len(AWKWARD)
    given = columns(refs, n, "重复-")
    insert_sale_columns(county.pk, {k: list(v) for k, v in given.items()}, n)
    before = Sale.objects.count()
    behind = CopyBehind().open()
    try:
        with pytest.raises(IntegrityError), transaction.atomic():
            insert_sale_columns(county.pk, {k: list(v) for k, v in given.items()}, n, deltas=totals.Deltas(),
                                behind=behind)
            Sale.objects.count()
        assert behind.thread is None and behind.error is None
    finally:
        behind.close(ok=False)
    assert Sale.objects.count() == before
    assert totals.differences() == []


def test_foreign_keys_are_checked_at_each_copy_behind(county, refs):
    """CopyBehind makes the sales' deferred foreign keys immediate, so a
    batch's checks run at the end of its COPY (behind the reading of the
    next one), not all at the commit; `close` defers them again."""
    n = 2
    given = columns(refs, n, "外键-")
    given["product_id"] = [Product.objects.order_by("-pk").first().pk + 1000] * n  # no such product
    behind = CopyBehind().open()
    try:
        if connection.vendor == "postgresql":
            with pytest.raises(IntegrityError), transaction.atomic():
                insert_sale_columns(county.pk, {k: list(v) for k, v in given.items()}, n,
                                    deltas=totals.Deltas(), behind=behind)
                Sale.objects.count()
        else:  # SQLite: written in place, checked at the commit as before
            assert behind.active is False
    finally:
        behind.close(ok=False)
    if connection.vendor == "postgresql":
        # Deferred again: the same bad rows are let in until the commit.
        sid = transaction.savepoint()
        insert_sale_columns(county.pk, {k: list(v) for k, v in given.items()}, n)
        transaction.savepoint_rollback(sid)
