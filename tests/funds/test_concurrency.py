"""The invariants hold under concurrency: two real connections (threads) on
PostgreSQL. The first holds its transaction open while the second tries; the
row locks make the second wait and then see the first one's work."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from xiezuo.funds.models import Disbursement, FundReceipt, Project, ProjectCategory
from xiezuo.library.demo import give_entry
from xiezuo.notices.demo import run_notice
from xiezuo.pairings.models import Pairing

from .conftest import submitted, user


def race(first, second):
    """Run `first` in a transaction that stays open 0.5 s after it acted,
    and `second` meanwhile on another connection. Return both outcomes."""
    outcome, acted = {}, threading.Event()

    def run(name, fn, hold):
        try:
            with transaction.atomic():
                fn()
                if hold:
                    acted.set()
                    time.sleep(0.5)
            outcome[name] = "ok"
        except ValidationError as e:
            outcome[name] = e
        finally:
            acted.set()
            connection.close()

    a = threading.Thread(target=run, args=("first", first, True))
    a.start()
    acted.wait(10)
    b = threading.Thread(target=run, args=("second", second, False))
    b.start()
    a.join(20)
    b.join(20)
    return outcome


@pytest.fixture
def setup_2024(postgres_only, transactional_demo):
    county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
    FundReceipt.objects.create(pairing=county, year=2024, kind="fiscal", date=datetime.date(2024, 3, 1),
                               amount=Decimal("1000000"))
    return county


def test_two_concurrent_confirmations_cannot_exceed_the_project_funds(setup_2024):
    project = _project(setup_2024, "C-2024-1", "600000", "implementing")
    d1, d2 = submitted(project, "400000").pk, submitted(project, "300000").pk
    liuhe = user("liuhe")
    outcome = race(lambda: Disbursement.objects.get(pk=d1).confirm(liuhe),
                   lambda: Disbursement.objects.get(pk=d2).confirm(liuhe))
    assert outcome["first"] == "ok"
    assert isinstance(outcome["second"], ValidationError) and "超过项目协作资金60万元" in str(outcome["second"])
    assert list(Disbursement.objects.filter(project=project, status="confirmed").values_list("pk", flat=True)) == [d1]
    assert project.confirmed_disbursed() == Decimal("400000")


def test_two_concurrent_approvals_cannot_exceed_the_receipts(setup_2024):
    a = _project(setup_2024, "C-2024-A", "700000", None)
    b = _project(setup_2024, "C-2024-B", "400000", None)
    west = user("huangyuan")
    outcome = race(lambda: Project.objects.get(pk=a.pk).transition(west, "approved", datetime.date(2024, 4, 1)),
                   lambda: Project.objects.get(pk=b.pk).transition(west, "approved", datetime.date(2024, 4, 1)))
    assert outcome["first"] == "ok"
    assert isinstance(outcome["second"], ValidationError) and "超过该年度到位资金100万元" in str(outcome["second"])
    assert Project.objects.get(pk=b.pk).status == "reserve"


def _project(county, code, coop, status):
    p = Project.objects.create(pairing=county, code=code, name=code, year=2024, coop_funds=Decimal(coop),
                               category=ProjectCategory.objects.get(code="rural"))
    give_entry(p, datetime.date(2024, 4, 1))  # only a listed library entry may be approved
    # Its 入库公示 and 计划公告 ran their period before the steps below.
    run_notice(p.library_entry, "listing", datetime.date(2024, 3, 1), user("admin"), demo=False)
    run_notice(p, "plan", datetime.date(2024, 3, 1), user("admin"), demo=False)
    if status:
        for s, day in (("approved", 1), ("procurement", 2), ("implementing", 3)):
            p.transition(user("admin"), s, datetime.date(2024, 4, day))
    return p
