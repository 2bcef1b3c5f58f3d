"""One ledger per app imported twice through the importer's locked path: the
second import finds every key stored and adds nothing (the tenders ledger
has its own such test in test_tenders.py)."""

import pytest

from xiezuo.funds.models import Disbursement
from xiezuo.industry.models import Visit
from xiezuo.labour.models import Employment
from xiezuo.ledgers.importer import run_import

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("ledger, user, model", [
    ("disbursements", "huangyuan", Disbursement),
    ("visits", "liuhe", Visit),
    ("employment", "liuhe", Employment),
])
def test_the_same_file_twice_adds_nothing_the_second_time(ctx_for, samples, ledger, user, model):
    spec, ctx = ctx_for(ledger, user)
    path = samples / ledger / "valid.xlsx"
    first = run_import(spec, ctx, path, commit=True)
    assert first.committed and first.added > 0, [str(e) for e in first.errors]
    n = model.objects.count()
    again = run_import(spec, ctx, path, commit=True)
    assert [str(e) for e in again.errors] == []
    assert (again.added, again.skipped) == (0, first.added)
    assert model.objects.count() == n
