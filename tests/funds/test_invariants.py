"""The two funds invariants refuse a change and leave nothing saved."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import Disbursement, FundReceipt, Project
from xiezuo.notices.demo import give_notices

from ..checklist import token_client
from .conftest import RECEIVED, YEAR, new_project, submitted, user

pytestmark = pytest.mark.django_db


def test_confirming_beyond_the_project_funds_is_refused_and_nothing_saved(project):
    first = submitted(project, "400000")
    second = submitted(project, "300000")  # each fits, together 70万 > 60万
    first.confirm(user("liuhe"))
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as e:
        second.confirm(user("liuhe"))
    assert "超过项目协作资金60万元" in str(e.value) and "最多还可拨付20万元" in str(e.value)
    second.refresh_from_db()
    assert second.status == Disbursement.SUBMITTED and second.decided_by is None
    assert project.confirmed_disbursed() == Decimal("400000")
    assert AuditEvent.objects.count() == events


def test_over_disbursement_is_refused_through_the_api_with_a_chinese_message(project):
    r = token_client("huangyuan").post(f"/api/v1/projects/{project.pk}/disbursements",
                                       {"date": "2023-05-01", "amount": "600000.01", "purpose": "进度款"},
                                       content_type="application/json")
    assert r.status_code == 422 and "超过项目协作资金" in r.json()["errors"]["amount"][0]
    assert not project.disbursements.exists()


def test_lowering_project_funds_below_confirmed_disbursements_is_refused(project):
    submitted(project, "500000").confirm(user("liuhe"))
    project.coop_funds = Decimal("499999.99")
    with pytest.raises(ValidationError) as e:
        project.save()
    assert "协作资金不能低于已确认拨付的金额50万元" in str(e.value)
    project.refresh_from_db()
    assert project.coop_funds == Decimal("600000.00")


def test_approving_beyond_the_pairing_year_receipts_is_refused(county, project):
    extra = new_project(county, code="T-2023-02", coop="400000.01")  # 60万 + 40万0.01 > 100万
    give_notices(extra, Project.APPROVED, datetime.date(2023, 4, 1), demo=False)
    with pytest.raises(ValidationError) as e:
        extra.transition(user("huangyuan"), Project.APPROVED, datetime.date(2023, 4, 1))
    assert "2023年已安排到项目的协作资金100.000001万元，超过该年度到位资金100万元（超出0.000001万元）" in str(e.value)
    extra.refresh_from_db()
    assert extra.status == Project.RESERVE and not extra.status_changes.exists()


def test_raising_an_approved_project_beyond_the_receipts_is_refused(project):
    project.coop_funds = RECEIVED + Decimal("0.01")
    with pytest.raises(ValidationError):
        project.save()
    project.refresh_from_db()
    assert project.coop_funds == Decimal("600000.00")


def test_reserve_projects_do_not_take_funds(county, project):
    pool = new_project(county, code="T-2023-09", coop="5000000")  # the project pool may exceed the funds
    assert pool.status == Project.RESERVE


def test_lowering_or_deleting_a_receipt_below_the_allocation_is_refused(receipt, project):
    receipt.amount = Decimal("599999.99")
    with pytest.raises(ValidationError):
        receipt.save()
    receipt.refresh_from_db()
    assert receipt.amount == RECEIVED
    pk = receipt.pk
    with pytest.raises(ValidationError):
        receipt.delete()
    assert FundReceipt.objects.filter(pk=pk).exists()


def test_goods_donated_cannot_fund_projects(county, receipt, project):
    FundReceipt.objects.create(pairing=county, year=YEAR, kind="in_kind", date=datetime.date(2023, 3, 1),
                               amount=Decimal("900000"))
    extra = new_project(county, code="T-2023-02", coop="500000")
    with pytest.raises(ValidationError):
        extra.transition(user("huangyuan"), Project.APPROVED, datetime.date(2023, 4, 1))


def test_carried_over_funds_setting_turns_the_refusal_into_a_warning(settings, county, project):
    settings.XIEZUO_FUNDS_ALLOW_CARRYOVER = True
    project.coop_funds = Decimal("1500000")
    project.save()
    assert "超过该年度到位资金100万元" in project.allocation_warning and "结转" in project.allocation_warning
    project.refresh_from_db()
    assert project.coop_funds == Decimal("1500000")


def test_terminating_frees_the_unpaid_part_of_the_allocation(county, project):
    submitted(project, "100000").confirm(user("liuhe"))
    project.transition(user("huangyuan"), Project.TERMINATED, datetime.date(2023, 6, 1), "选址变更，项目终止")
    other = new_project(county, code="T-2023-02", coop="900000")  # 10万 paid + 90万 = 100万: fits
    give_notices(other, Project.APPROVED, datetime.date(2023, 6, 2), demo=False)
    other.transition(user("huangyuan"), Project.APPROVED, datetime.date(2023, 6, 2))
    assert other.status == Project.APPROVED
    third = new_project(county, code="T-2023-03", coop="0.01")
    give_notices(third, Project.APPROVED, datetime.date(2023, 6, 2), demo=False)
    with pytest.raises(ValidationError):
        third.transition(user("huangyuan"), Project.APPROVED, datetime.date(2023, 6, 2))


def test_project_form_shows_the_allocation_error_on_the_field(county, project):
    from django.urls import reverse

    from ..checklist import login

    data = {"code": project.code, "name": project.name, "year": YEAR, "category": project.category_id,
            "coop_funds": "1000000.01", "other_funds": "0", "loaded_version": project.version}
    r = login("huangyuan").post(reverse("project_edit", args=[project.pk]), data)
    assert r.status_code == 200
    assert "超过该年度到位资金100万元" in r.content.decode()
    project.refresh_from_db()
    assert project.coop_funds == Decimal("600000.00")
