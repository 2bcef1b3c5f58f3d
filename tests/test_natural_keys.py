"""The natural keys the database holds for the ledgers that had only the
importer's lock (docs/RELIABILITY.md, "Concurrent imports and the job
queue"): a second row with a stored key is refused by the database, and by
the model's validation with a Chinese message; where the key ends in an
optional number, rows without it stay allowed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from xiezuo.funds.models import Disbursement
from xiezuo.industry.models import AgreedItem, Investment, InvestmentArrival, Visit
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


@pytest.mark.parametrize("model, lookups, blank", [
    (Disbursement, {"voucher_number__gt": ""}, {"voucher_number": ""}),
    (Tender, {"code__gt": ""}, {"code": ""}),
], ids=["Disbursement", "Tender"])
def test_rows_without_the_optional_number_may_repeat(model, lookups, blank):
    # Two payments of one project on one day before the voucher is booked, or
    # two processes of one name and year not yet numbered, are ordinary.
    rows = [copy_of(model, lookups) for _ in range(2)]
    for row in rows:
        for field, value in blank.items():
            setattr(row, field, value)
    rows[0].validate_constraints()
    n = model.objects.count()
    model.objects.bulk_create(rows)
    assert model.objects.count() == n + 2
