"""Fixtures of the funds tests: a clean pairing-year (2023, empty in the demo)
with its own receipt, so tests of the invariants start from known sums."""

import datetime
import itertools
from decimal import Decimal

import pytest

from xiezuo.accounts.models import User
from xiezuo.funds.models import Disbursement, FundReceipt, Project, ProjectCategory
from xiezuo.library.demo import give_entry
from xiezuo.notices.demo import give_notices
from xiezuo.pairings.models import Organisation, Region

YEAR = 2023
RECEIVED = Decimal("1000000.00")


def user(name):
    return User.objects.get(username=name)


def register_asset(project, day):
    """The asset a project must have registered before it is handed over (资产移交)."""
    from xiezuo.assets.models import PUBLIC, Asset

    owner = project.implementing_unit or Organisation.objects.get(name="湟源县乡村振兴局")
    return Asset.objects.create(pairing=project.pairing, project=project, name=f"{project.name}形成资产", kind=PUBLIC,
                                value=project.total_funds, owner=owner, handed_over_on=day)


@pytest.fixture
def receipt(county):
    return FundReceipt.objects.create(pairing=county, year=YEAR, kind="fiscal", date=datetime.date(2023, 3, 1),
                                      amount=RECEIVED, doc_number="六协〔2023〕1号")


def new_project(pairing, code="T-2023-01", coop="600000", status=None, unit=None, **extra):
    project = Project.objects.create(
        pairing=pairing, code=code, name=f"测试项目{code}", year=YEAR,
        category=ProjectCategory.objects.get(code="rural"), coop_funds=Decimal(coop),
        township=Region.objects.get(name="大华镇"), implementing_unit=unit, **extra)
    # Only a listed library entry may be approved: every test project has one.
    give_entry(project, datetime.date(2023, 4, 1))
    if status:
        steps = [Project.APPROVED, Project.PROCUREMENT, Project.IMPLEMENTING, Project.COMPLETED, Project.ACCEPTED,
                 Project.HANDED_OVER]
        for n, s in enumerate(steps[:steps.index(status) + 1]):
            day = datetime.date(2023, 4, 1) + datetime.timedelta(days=10 * n)
            # Each step's notices have run their period (公告公示).
            give_notices(project, s, day, demo=False)
            if s == Project.HANDED_OVER:
                register_asset(project, day)
            project.transition(user("admin"), s, day)
    return project


@pytest.fixture
def project(county, receipt):
    """A 2023 project in 实施 with 60万元 of cooperation funds out of 100万元 received."""
    return new_project(county, status=Project.IMPLEMENTING)


@pytest.fixture
def hospital_project(county, receipt):
    """A project of the implementing unit the demo user yiyuan acts for."""
    return new_project(county, code="T-2023-H", coop="100000", status=Project.IMPLEMENTING,
                       unit=Organisation.objects.get(name="湟源县人民医院"))


# Each helper disbursement has a voucher of its own: the natural key (project,
# date, 凭证号) is unique, and the tests mean distinct payments.
VOUCHERS = itertools.count(1)


def submitted(project, amount, by="huangyuan", date=datetime.date(2023, 5, 1)):
    d = Disbursement(project=project, date=date, amount=Decimal(amount), voucher_number=f"V{next(VOUCHERS)}",
                     purpose="进度款")
    return d.submit(user(by))
