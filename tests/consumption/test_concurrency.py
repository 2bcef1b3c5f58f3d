"""Concurrent writers on PostgreSQL: the upserts lose no update."""

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
