"""Concurrent writers: the upserts of the totals lose no update. On
PostgreSQL as threads (its upsert and row locks, PostgreSQL-only); on SQLite
as processes on a file database (tests/file_database.py)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from xiezuo.consumption.models import Sale, SaleTotal

pytestmark = pytest.mark.django_db

DAY = datetime.date(2031, 1, 1)  # a year no other test writes


def _in_thread(fn, *args):
    """Run fn on its own connection (committed for real) and re-raise its error."""
    errors = []

    def run():
        try:
            fn(*args)
        except Exception as e:  # noqa: BLE001 - handed to the test thread
            errors.append(e)
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    return t, errors


def test_concurrent_writers_keep_totals_exact(postgres_only, county, refs):
    buyer, product, channel = refs["buyers"][0], refs["products"][0], refs["channels"][0]

    def writer(k):
        for i in range(15):
            Sale(pairing=county, date=DAY, buyer=buyer, product=product, supplier_id=product.supplier_id,
                 channel=channel, kind=Sale.PURCHASED, quantity=Decimal(1),
                 unit_price=Decimal(k + 1), amount=Decimal(k + 1)).save()

    started = [_in_thread(writer, k) for k in range(4)]
    for t, errors in started:
        t.join()
        assert not errors, errors
    try:
        total = SaleTotal.objects.get(pairing=county, year=2031, month=1, channel=channel, kind=Sale.PURCHASED)
        assert (total.n, total.amount_fen) == (60, 15 * (1 + 2 + 3 + 4) * 100)
    finally:
        t, errors = _in_thread(lambda: Sale.objects.filter(date=DAY).delete())
        t.join()
        assert not errors, errors
    total.refresh_from_db()
    assert (total.n, total.amount_fen) == (0, 0)


def test_concurrent_writers_keep_totals_exact_on_sqlite(file_demo):
    """The same four writers as processes on one SQLite file database
    (tests/file_database.py), released together. The threads above test
    PostgreSQL's upsert under row locks; on SQLite each save's IMMEDIATE
    transaction holds the only write lock."""
    writer = """
        import datetime
        from decimal import Decimal
        from xiezuo.consumption.models import Buyer, Channel, Product, Sale
        from xiezuo.pairings.models import Pairing
        county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
        buyer = Buyer.objects.filter(pairing=county).order_by("pk").first()
        product = Product.objects.filter(pairing=county).order_by("pk").first()
        channel = Channel.usable_by(county).order_by("pk").first()
        price = Decimal(RACER + 1)
        released()
        for i in range(15):
            Sale(pairing=county, date=datetime.date(2031, 1, 1), buyer=buyer, product=product,
                 supplier_id=product.supplier_id, channel=channel, kind=Sale.PURCHASED, quantity=Decimal(1),
                 unit_price=price, amount=price).save()
        report(channel=channel.pk, pairing=county.pk)
    """
    outcomes = file_demo.race(writer, writer, writer, writer)
    after = file_demo.run("""
        from django.db.models import Count, Sum
        from xiezuo.consumption.models import Sale, SaleTotal
        total = SaleTotal.objects.get(pairing_id=ARGS["pairing"], year=2031, month=1, channel_id=ARGS["channel"],
                                      kind=Sale.PURCHASED)
        from xiezuo.audit.models import AuditEvent
        sales = Sale.objects.filter(date="2031-01-01")
        stored = sales.aggregate(n=Count("pk"), amount=Sum("amount"))
        events = AuditEvent.objects.filter(model="consumption.Sale", action="create",
                                           object_id__in=[str(pk) for pk in sales.values_list("pk", flat=True)])
        report(n=total.n, fen=total.amount_fen, rows=stored["n"], amount=int(stored["amount"]),
               events=events.count(), chain=chain_break())
    """, **outcomes[0])
    assert after == {"n": 60, "fen": 15 * (1 + 2 + 3 + 4) * 100, "rows": 60, "amount": 150, "events": 60,
                     "chain": ""}, after
