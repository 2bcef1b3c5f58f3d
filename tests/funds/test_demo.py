"""The demo reproduces the article and marks what is illustrative."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from xiezuo.funds.models import Disbursement, FundReceipt, Project

from ..checklist import login

pytestmark = pytest.mark.django_db
WAN = Decimal(10_000)


def test_illustrative_splits_add_up_to_the_article(county):
    def received(year, kind, **kw):
        return FundReceipt.objects.filter(year=year, kind=kind, **kw).aggregate(s=Sum("amount"))["s"]

    assert received(2021, "fiscal", pairing=county) == 4300 * WAN
    assert received(2022, "fiscal", pairing=county) == 4220 * WAN
    assert received(2021, "pairing", pairing__parent=county, pairing__level="township") == 420 * WAN
    school_works = Project.objects.filter(pairing=county, year__in=[2019, 2020])
    assert school_works.aggregate(s=Sum("coop_funds"))["s"] == 490 * WAN
    for year, total in ((2021, 4300), (2022, 4220)):
        assert Project.objects.filter(pairing=county, year=year).aggregate(s=Sum("coop_funds"))["s"] == total * WAN
    demo = Project.objects.filter(pairing=county)
    assert not demo.filter(is_demo=False).exists() and not FundReceipt.objects.filter(is_demo=False).exists()


def test_planning_support_of_530_odd_wan(county):
    """The article's 530余万元 for the plans of 全域旅游, 大华园区 and 大黑沟森林公园:
    three receipts of the streets' and 开发区's sub-pairs whose total reads as
    "530余万元" and whose notes name the plans, kept out of 2021 so the
    article's 2021 pairing funds stay 420万元, and off the county pair so its
    own 2022 receipts stay the 4220万元 its projects are allocated against."""
    plans = FundReceipt.objects.filter(pairing__parent=county, kind="pairing", note__contains="规划编制")
    total = plans.aggregate(s=Sum("amount"))["s"]
    assert 530 * WAN < total < 540 * WAN
    notes = " ".join(plans.values_list("note", flat=True))
    assert all(name in notes for name in ("全域旅游", "大华工业园区", "大黑沟森林公园"))
    assert set(plans.values_list("year", flat=True)) == {2022}
    assert set(plans.values_list("payer_level", flat=True)) == {"township"}
    assert not FundReceipt.objects.filter(pairing=county, year=2022).exclude(kind="fiscal").exists()
    assert all("示例" in n for n in plans.values_list("note", flat=True))


def test_article_projects_are_there_with_their_details(county):
    icu = Project.objects.get(name__contains="重症监护室（ICU）")
    assert icu.implementing_unit.name == "湟源县人民医院" and icu.category.code == "health"
    wall = Project.objects.get(name="波航中心学校围墙建设项目")
    assert [str(o) for o in wall.outputs.all()] == ["围墙 180 米"]
    kindergartens = Project.objects.filter(beneficiaries__kind="kindergartens").aggregate(
        s=Sum("beneficiaries__count"))["s"]
    assert kindergartens == 21
    assert Project.objects.filter(name__contains="何家庄幼儿园").exists()
    # Every life-cycle step was walked and logged; the hospital reported its own start and finish.
    assert icu.status == "handed_over" and icu.status_changes.count() == 6
    assert set(icu.status_changes.filter(to_status__in=["implementing", "completed"]).values_list(
        "user__username", flat=True)) == {"yiyuan"}
    # Both approval steps by two different people.
    assert not Disbursement.objects.filter(status="confirmed", submitted_by=None).exists()
    assert Disbursement.objects.filter(project__code="HY-2022-07", status="submitted").count() == 1


def test_the_hospital_sees_step_buttons_only_on_its_own_projects(county):
    own = Project.objects.get(code="HY-2022-06")
    other = Project.objects.get(code="HY-2022-12")
    c = login("yiyuan")
    assert 'id="transition-form"' in c.get(reverse("project_detail", args=[own.pk])).content.decode()
    html = c.get(reverse("project_detail", args=[other.pk])).content.decode()
    assert 'id="transition-form"' not in html and "更新产出与受益对象" not in html
