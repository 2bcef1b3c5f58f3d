"""Builders for procurement tests: a fresh project and buyer per test, so the
demo's processes never fall into a test's project or buyer group."""

import datetime
from decimal import Decimal

import pytest

from lib.ids import make_uscc
from xiezuo.funds.models import Project, ProjectCategory
from xiezuo.pairings.models import Organisation, Region
from xiezuo.procurement.models import Bid, Finding, Tender

D = datetime.date
WAN = Decimal(10_000)


def wan(x):
    return Decimal(str(x)) * WAN


@pytest.fixture
def buyer(db):
    return Organisation.objects.create(name="测试采购人（示例）", kind="gov", region=Region.objects.get(name="湟源县"),
                                       is_demo=True)


@pytest.fixture
def project(county):
    return Project.objects.create(pairing=county, code="TEST-P-1", name="测试项目（示例）", year=2023,
                                  category=ProjectCategory.objects.get(code="education"),
                                  coop_funds=wan(900), is_demo=True)


@pytest.fixture
def make_tender(project, buyer):
    """Return a builder of processes: an open works tender, 30-day period, by default."""

    def make(**kw):
        values = dict(project=project, buyer=buyer, title="测试采购（示例）", year=2023, item_kind="works",
                      method="open", estimated_value=wan(300), notice_date=D(2023, 3, 1),
                      docs_issued=D(2023, 3, 1), bid_deadline=D(2023, 3, 31), opening_date=D(2023, 3, 31))
        values.update(kw)
        return Tender.objects.create(**values)

    return make


_seq = iter(range(100000, 999999))


def bid(tender, price, name=None, **kw):
    """Add a bid with distinct particulars unless told otherwise."""
    n = next(_seq)
    values = dict(supplier_name=name or f"投标人{n}（示例）", supplier_uscc=make_uscc(f"91630123MA{n:07d}"),
                  legal_rep=f"法人{n}", contact_phone=f"139{n:08d}", bond_account=f"62220{n:010d}",
                  project_manager=f"经理{n}", price=Decimal(str(price)))
    values.update(kw)
    return Bid.objects.create(tender=tender, **values)


def award(tender, winning):
    tender.refresh_from_db()
    tender.winning_bid = winning
    tender.award_date = tender.award_date or D(2023, 4, 20)
    tender.save()
    return tender


def codes(tender):
    """Return the active finding codes of a process."""
    return set(Finding.objects.filter(tender=tender, active=True).values_list("rule_code", flat=True))
