"""The migration step before a natural key's unique constraint stops with a
list of the duplicates instead of deleting any (lib.duplicates)."""

import pytest
from django.apps import apps
from django.db import connection

from lib.duplicates import refuse_duplicates

pytestmark = pytest.mark.django_db


class _Editor:
    connection = connection


def test_duplicates_stop_the_migration_with_a_list():
    # Every demo sale of a pairing shares the pairing: a "key" with duplicates.
    check = refuse_duplicates("consumption", "Sale", ["pairing"], what="sales (消费帮扶销售)")
    with pytest.raises(RuntimeError, match=r"(?s)Cannot add the unique natural key of sales \(消费帮扶销售\).*rows\)"):
        check(apps, _Editor())


def test_no_duplicates_let_it_pass():
    check = refuse_duplicates("consumption", "Sale", ["pairing", "date", "buyer", "product", "channel", "voucher_no"],
                              exclude={"voucher_no": ""})
    assert check(apps, _Editor()) is None
