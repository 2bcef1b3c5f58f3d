"""The two money limits exactly at the limit and one fen past it, on a
pairing of the test's own: a project's confirmed disbursements may reach its
cooperation funds but not pass them; a year's projects may hold exactly the
cash received that year, not one fen more."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from xiezuo.accounts.models import User
from xiezuo.funds.models import Disbursement, FundReceipt, Project, ProjectCategory

YEAR = 2020  # a year the test pairing has nothing in; dates may not lie in the future
DAY = datetime.date(YEAR, 3, 1)


@pytest.fixture
def received(foreign):
    return FundReceipt.objects.create(pairing=foreign, year=YEAR, kind=FundReceipt.FISCAL, date=DAY,
                                      amount=Decimal("123456.78"))


def project(pairing, code, coop, status=Project.APPROVED):
    return Project.objects.create(pairing=pairing, code=code, name=f"限额测试{code}", year=YEAR, status=status,
                                  category=ProjectCategory.objects.order_by("pk").first(), coop_funds=Decimal(coop))


def test_projects_may_hold_exactly_what_was_received(foreign, received):
    project(foreign, "A1", "100000.00")
    project(foreign, "A2", "23456.78")  # exactly the receipts: allowed
    with pytest.raises(ValidationError, match="超过该年度到位资金"):
        project(foreign, "A3", "0.01")
    assert Project.objects.filter(pairing=foreign, year=YEAR).count() == 2


def test_disbursements_may_reach_the_projects_funds_but_not_pass_them(foreign, received):
    # Two people: an administrator submits, the pairing's east office confirms.
    admin, east = User.objects.get(username="admin"), User.objects.get(username="outsider")
    p = project(foreign, "D1", "50000.00")
    first = Disbursement(project=p, date=DAY, amount=Decimal("49999.99"), purpose="第一笔")
    first.submit(admin)
    first.confirm(east)
    last_fen = Disbursement(project=p, date=DAY, amount=Decimal("0.01"), purpose="最后一分")
    last_fen.submit(admin)
    last_fen.confirm(east)  # exactly the project's funds: allowed
    assert p.confirmed_disbursed() == Decimal("50000.00")
    over = Disbursement(project=p, date=DAY, amount=Decimal("0.01"), purpose="超出一分")
    with pytest.raises(ValidationError, match="超过项目协作资金"):
        over.submit(admin)
    assert not Disbursement.objects.filter(project=p, purpose="超出一分").exists()
