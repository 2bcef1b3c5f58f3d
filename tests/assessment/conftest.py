"""Fixtures of the assessment tests."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db.models import Sum

from lib.ids import make_uscc
from xiezuo import figures as registry
from xiezuo.assessment import computations
from xiezuo.assessment.models import FiguresCache, Indicator
from xiezuo.funds.models import FundReceipt, Project, ProjectCategory


@pytest.fixture
def probe_section(db):
    """A small figures section over the real fund-receipt rows, with a path
    computation and an indicator reading it: exercises the whole chain from
    ledger rows to indicators whatever modules have landed."""

    def probe(pairing_ids, years):
        rows = FundReceipt.objects.filter(pairing_id__in=pairing_ids, year__in=years)
        total = rows.aggregate(s=Sum("amount"))["s"] or Decimal(0)
        return {"received": f"{total:.2f}", "receipts": rows.count(), "by_kind": {"财政": f"{total:.2f}"},
                "execution_rate": "50.00"}

    registry.SECTIONS["probe"] = probe
    computations.path("probe.received", "探针：到位资金", computations.AMOUNT)
    computations.path("probe.receipts", "探针：到位笔数", computations.COUNT)
    indicator = Indicator.objects.create(code="probe_funds", name="探针资金", unit="万元", side="east",
                                         computation="probe.received", order=1,
                                         disaggregations="笔数=probe.receipts")
    FiguresCache.objects.all().delete()
    yield indicator
    registry.SECTIONS.pop("probe", None)
    computations.COMPUTATIONS.pop("probe.received", None)
    computations.COMPUTATIONS.pop("probe.receipts", None)


_DOC_NUMBERS = itertools.count(1)


def add_receipts(pairing, year, amounts):
    """Save fund receipts through the ORM (each an audit event), each under a
    document number of its own (the natural key is date + kind + 文号)."""
    for n, amount in enumerate(amounts):
        FundReceipt.objects.create(pairing=pairing, year=year, kind="fiscal", date=datetime.date(year, 3, 1 + n % 27),
                                   amount=Decimal(amount), doc_number=f"测试〔{year}〕{next(_DOC_NUMBERS)}号")


def add_projects(pairing, year, n, coop="100000.00"):
    category = ProjectCategory.objects.order_by("pk").first() or ProjectCategory.objects.create(code="other", name="其他")
    created = []
    for i in range(n):
        created.append(Project.objects.create(pairing=pairing, code=f"T{year}-{i:04d}", name=f"测试项目{i}（示例）",
                                              year=year, category=category, coop_funds=Decimal(coop), is_demo=True))
    return created


def other_county_pair(east_name, west_name="湟中区"):
    """A further county pair inside 南京市 and 西宁市 (regions made for the test)."""
    from xiezuo.pairings.models import Pairing, Region

    east, _ = Region.objects.get_or_create(name=east_name, level="county",
                                           parent=Region.objects.get(name="南京市"))
    west, _ = Region.objects.get_or_create(name=west_name, level="county",
                                           parent=Region.objects.get(name="西宁市"))
    return Pairing.objects.create(level="county", east_region=east, west_region=west)


# An illustrative reporting organisation: a government office's code (11…),
# fictitious body, check character computed. Tests that export IATI set it.
PUBLISHER_USCI = make_uscc("11630123MB0DEM001")
PUBLISHER_REF = f"CN-USCI-{PUBLISHER_USCI}"
PUBLISHER_NAME = "湟源县东西部协作办公室（示例）"


@pytest.fixture
def iati_publisher(settings):
    """Configure the deployment's IATI reporting organisation."""
    settings.XIEZUO_REPORTING_ORG_REF = PUBLISHER_REF
    settings.XIEZUO_REPORTING_ORG_NAME = PUBLISHER_NAME
    return PUBLISHER_REF
