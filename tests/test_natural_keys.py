"""The natural keys the database holds for the ledgers that had only the
importer's lock (docs/RELIABILITY.md, "Concurrent imports and the job
queue"): a second row with a stored key is refused by the database, and by
the model's validation with a Chinese message; where the key ends in an
optional number, rows without it are told apart by their place among the
identical ones (RepeatNumbered), which the database holds too."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from lib.duplicates import number_repeats

from xiezuo.consumption.models import Sale
from xiezuo.funds.models import Disbursement, FundReceipt
from xiezuo.industry.models import AgreedItem, Donation, Investment, InvestmentArrival, Visit
from xiezuo.labour.models import Employment, TalentExchange
from xiezuo.procurement.models import Bid, Tender

pytestmark = pytest.mark.django_db

# model, rows to copy from (the demo data), the violation message
CASES = [
    (Disbursement, {"voucher_number__gt": ""}, "该项目已有相同拨付日期和凭证号的拨付记录"),
    (Visit, {}, "本结对已有同一开始日期、同名的互访或会议"),
    (AgreedItem, {}, "本结对本年度已有同名的合作事项"),
    (Investment, {}, "本结对已登记该企业的同名投资项目"),
    (InvestmentArrival, {}, "该投资项目在同一到位日期已有到位记录，请合并为一笔"),
    (Employment, {}, "该人员已有同一开始日期的就业记录"),
    (TalentExchange, {}, "该人员已有同一类别、同一开始日期的人才交流记录"),
    (Tender, {"code__gt": ""}, "本结对已有相同采购编号的采购事项"),
    (Bid, {}, "该投标人已对本采购事项投标"),
]


def copy_of(model, lookups):
    row = model.objects.filter(**lookups).order_by("pk").first()
    assert row is not None, f"the demo data has no {model.__name__} to copy"
    row.pk = row.id = None
    return row


@pytest.mark.parametrize("model, lookups, message", CASES, ids=[c[0].__name__ for c in CASES])
def test_a_second_row_with_the_same_key_is_refused(model, lookups, message):
    row = copy_of(model, lookups)
    with pytest.raises(ValidationError) as e:
        row.validate_constraints()
    assert e.value.messages == [message]
    # A writer that skips validation meets the database's constraint.
    n = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.bulk_create([row])
    assert model.objects.count() == n


def test_processes_without_a_code_may_repeat():
    # Two processes of one name and year not yet numbered are ordinary (the
    # tenders ledger keys them by name, year and bidder besides the code).
    rows = [copy_of(Tender, {"code__gt": ""}) for _ in range(2)]
    for row in rows:
        row.code = ""
    rows[0].validate_constraints()
    n = Tender.objects.count()
    Tender.objects.bulk_create(rows)
    assert Tender.objects.count() == n + 2


@pytest.mark.parametrize("model, lookups, optional", [
    (Disbursement, {"voucher_number__gt": ""}, "voucher_number"),
    (FundReceipt, {}, "doc_number"),
    (Donation, {}, "receipt_number"),
    (Sale, {}, "voucher_no"),
], ids=["Disbursement", "FundReceipt", "Donation", "Sale"])
def test_rows_without_the_optional_number_are_told_apart_by_their_place(model, lookups, optional):
    # Two payments of one project on one day before the voucher is booked, or
    # two identical purchases of an amount-only ledger, are ordinary: the
    # 1st and the 2nd of their kind. A second “2nd” is a row stored twice.
    def copy():
        row = copy_of(model, lookups)
        setattr(row, optional, "")
        row.amount = Decimal("12345.67")  # a group of its own, whatever the demo holds
        return row

    rows = [copy() for _ in range(3)]
    for row, place in zip(rows, (1, 2, 2)):
        row.repeat_no = place
    n = model.objects.count()
    model.objects.bulk_create(rows[:2])  # the database's own check (Sale's totals are not the point here)
    assert model.objects.count() == n + 2
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.bulk_create(rows[2:])
    # A record saved one at a time (a form, the API) takes the next place,
    # and keeps it when saved again unchanged.
    row = copy()
    row.save()
    assert row.repeat_no == 3
    row.save()
    row.refresh_from_db()
    assert (row.repeat_no, model.objects.count()) == (3, n + 3)
    # Given the number, it has no place; losing it again, the next free one.
    setattr(row, optional, "补录-001")
    row.save()
    assert row.repeat_no is None
    setattr(row, optional, "")
    row.save()
    assert row.repeat_no == 3


def test_the_migration_numbers_the_stored_rows_without_the_number():
    """`lib.duplicates.number_repeats` (the migration step before the
    constraint) gives stored identical rows their places in id order, on
    either database, and leaves rows with the number without one."""
    rows = [copy_of(Donation, {}) for _ in range(3)]
    for row in rows:
        # As stored before the migration: no place (bulk_create saves as given).
        row.receipt_number, row.amount, row.repeat_no = "", Decimal("7654.32"), None
    rows[2].receipt_number = "票据-迁移"
    Donation.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    step = number_repeats("industry", "Donation", ["pairing", "date", "donor_name", "amount"], blank="receipt_number")
    step(django_apps, SimpleNamespace(connection=connection))
    assert list(Donation.objects.filter(pk__in=ids).order_by("pk").values_list("repeat_no", flat=True)) == [1, 2, None]
