"""Reserve and terminated projects in the funds figures, on a pairing of the
test's own (nothing here leans on the demo's totals).

Reserve projects (储备) are the project pool, not projects; terminated
projects (终止) no longer count, but what they already paid out stays
allocated (funds/figures.py)."""

import datetime
from decimal import Decimal

import pytest

from xiezuo.figures import compute
from xiezuo.funds.models import Disbursement, Project, ProjectBeneficiary, ProjectCategory

YEAR = 2031


@pytest.fixture(autouse=True)
def _carryover(settings):
    # No receipts on this pairing: the allocation rule is not what is tested here.
    settings.XIEZUO_FUNDS_ALLOW_CARRYOVER = True


def project(pairing, code, status, category, coop, **beneficiaries):
    p = Project.objects.create(pairing=pairing, code=code, name=f"测试项目{code}", year=YEAR, category=category,
                               coop_funds=Decimal(coop), status=status)
    for kind, n in beneficiaries.items():
        ProjectBeneficiary.objects.create(project=p, kind=kind, count=n)
    return p


def test_reserve_and_terminated_projects_count_as_the_rules_say(foreign):
    a, b, c = ProjectCategory.objects.order_by("pk")[:3]
    project(foreign, "K1", Project.IMPLEMENTING, a, "100000.00", poverty=10)
    project(foreign, "K2", Project.COMPLETED, a, "50000.00", poverty=5, students=7)
    project(foreign, "R1", Project.RESERVE, b, "300000.00", poverty=100)
    stopped = project(foreign, "T1", Project.TERMINATED, c, "200000.00", poverty=1000)
    Disbursement.objects.create(project=stopped, date=datetime.date(YEAR, 3, 1), amount=Decimal("12345.67"),
                                purpose="已支付的前期费用", status=Disbursement.CONFIRMED)

    f = compute(foreign, [YEAR], ["funds"])["funds"]

    assert f["projects"] == 2 and f["categories"] == 1
    assert f["projects_by_category"] == {a.code: 2}
    assert f["projects_by_status"][Project.RESERVE] == 1 and f["projects_by_status"][Project.TERMINATED] == 1
    # Beneficiaries of counted projects only: not the pool's, not the terminated one's.
    assert f["beneficiaries"]["poverty"] == 15 and f["beneficiaries"]["students"] == 7
    # Allocated: the counted projects' cooperation funds, plus what the terminated project paid out.
    assert f["allocated"] == "162345.67" and f["disbursed"] == "12345.67"
    assert f["started_rate"] == "100.00" and f["completed_rate"] == "50.00"


def test_a_reserve_project_approved_starts_to_count(foreign):
    a = ProjectCategory.objects.order_by("pk").first()
    pool = project(foreign, "R2", Project.RESERVE, a, "80000.00", poverty=3)
    before = compute(foreign, [YEAR], ["funds"])["funds"]
    Project.objects.filter(pk=pool.pk).update(status=Project.APPROVED)
    after = compute(foreign, [YEAR], ["funds"])["funds"]
    assert (before["projects"], before["allocated"], before["beneficiaries"]["poverty"]) == (0, "0.00", 0)
    assert (after["projects"], after["allocated"], after["beneficiaries"]["poverty"]) == (1, "80000.00", 3)


def test_categories_rates_and_people_led_out_of_poverty_read_whole(foreign):
    # 项目带动脱贫人口 counts the beneficiaries of projects under way or done;
    # an approved project not started leads nobody yet, though it counts as
    # a project of its category (with its funds, here none).
    a, b = ProjectCategory.objects.order_by("pk")[:2]
    project(foreign, "K1", Project.IMPLEMENTING, a, "100000.00", poverty=10)
    project(foreign, "K2", Project.COMPLETED, a, "50000.00", poverty=5)
    project(foreign, "K3", Project.APPROVED, b, "0.00", poverty=20, monitored=6)

    f = compute(foreign, [YEAR], ["funds"])["funds"]

    assert f["funds_by_category"] == {a.code: "150000.00", b.code: "0.00"}
    assert f["allocated"] == "150000.00" and f["projects"] == 3
    assert (f["started_rate"], f["completed_rate"]) == ("66.67", "33.33")
    assert (f["poverty_led"], f["poverty_led_monitored"]) == (15, 0)
    assert f["beneficiaries"]["poverty"] == 35 and f["beneficiaries"]["monitored"] == 6
    empty = compute(foreign, [YEAR + 1], ["funds"])["funds"]
    assert (empty["poverty_led"], empty["poverty_led_monitored"], empty["funds_by_category"]) == (0, 0, {})
