"""The funds models' own rules asserted whole: each refusal's field and
message, the limits exactly at the limit and one step past it, arguments
passed through to Django's save and delete, the pairing rows locked when a
receipt or a project moves, and the checks an edit that changes nothing of
the allocation does not run (a pairing-year already above its receipts,
saved earlier with carried-over funds allowed, stays editable)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.connection import ConnectionDoesNotExist
from django.utils.deprecation import RemovedInDjango60Warning

from xiezuo.funds.models import FundReceipt, Project, ProjectCategory, wan

from .conftest import RECEIVED, YEAR, new_project, submitted, user

pytestmark = pytest.mark.django_db

OVER_2020 = ("2020年已安排到项目的协作资金60万元，超过该年度到位资金0万元（超出60万元）。"
             "请先登记资金到位，或调减项目协作资金。")


def errors_of(instance):
    """The message dict `clean()` raises, or {} when it passes."""
    try:
        instance.clean()
    except ValidationError as e:
        return e.message_dict
    return {}


def refusal(action):
    with pytest.raises(ValidationError) as e:
        action()
    return e.value.message_dict


def locked_pairings(action):
    """Run `action`; return the sets of pairing ids `lock_pairings` asked for."""
    seen = []

    def watch(execute, sql, params, many, context):
        if sql.startswith('SELECT "pairings_pairing"."id" AS "pk" FROM "pairings_pairing" WHERE') and "ORDER BY" in sql:
            seen.append(set(params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        action()
    return seen


# -- wan ---------------------------------------------------------------------

def test_wan_is_exact_to_the_fen_and_rounds_what_is_below_it_half_up():
    assert wan(Decimal("1000000.01")) == "100.000001万元"
    assert wan(Decimal("0.01")) == "0.000001万元"
    assert wan(Decimal("0.005")) == "0.000001万元"  # half a fen: up to one fen, not 0.0000005万元
    assert wan(Decimal("0.004")) == "0万元"


# -- receipts ----------------------------------------------------------------

def a_receipt(**fields):
    values = {"year": YEAR, "kind": FundReceipt.FISCAL, "date": datetime.date(YEAR, 3, 1), "amount": Decimal("1")}
    return FundReceipt(**{**values, **fields})


def test_receipt_amount_must_be_above_zero_exactly():
    assert errors_of(a_receipt(amount=Decimal("0"))) == {"amount": ["金额应大于0"]}
    assert errors_of(a_receipt(amount=Decimal("-0.01"))) == {"amount": ["金额应大于0"]}
    assert errors_of(a_receipt(amount=Decimal("0.01"))) == {}
    assert errors_of(a_receipt(amount=None)) == {}  # a missing amount is the field's own error


def test_receipt_year_from_2000_to_2100_inclusive():
    message = {"year": ["年度应在2000至2100之间"]}
    assert errors_of(a_receipt(year=1999)) == message
    assert errors_of(a_receipt(year=2000)) == {}
    assert errors_of(a_receipt(year=2100)) == {}
    assert errors_of(a_receipt(year=2101)) == message


def test_receipt_payer_level_must_be_one_of_the_levels():
    assert errors_of(a_receipt(payer_level="village")) == {"payer_level": ["拨付单位层级“village”无效"]}
    for level, _label in FundReceipt.LEVELS:
        assert errors_of(a_receipt(payer_level=level)) == {}


def test_receipt_errors_are_reported_together():
    assert errors_of(a_receipt(amount=Decimal("0"), year=2101, payer_level="x")) == {
        "amount": ["金额应大于0"], "year": ["年度应在2000至2100之间"], "payer_level": ["拨付单位层级“x”无效"]}


def test_receipt_without_pairing_or_payer_is_paid_at_county_level():
    assert a_receipt().inferred_payer_level() == FundReceipt.COUNTY


def test_receipt_save_passes_update_fields_through(receipt):
    receipt.note = "只改备注"
    receipt.amount = Decimal("1")
    receipt.save(update_fields=["note"])
    receipt.refresh_from_db()
    assert (receipt.note, receipt.amount) == ("只改备注", RECEIVED)


def test_receipt_save_passes_positional_arguments_through(receipt):
    # force_insert, force_update, using, update_fields: Django 5 still takes
    # them in order (deprecated), and they must reach it.
    receipt.note = "只改备注"
    receipt.amount = Decimal("1")
    with pytest.warns(RemovedInDjango60Warning):
        receipt.save(False, False, None, ["note"])
    receipt.refresh_from_db()
    assert (receipt.note, receipt.amount) == ("只改备注", RECEIVED)


def test_receipt_delete_passes_its_arguments_through(receipt):
    with pytest.raises(ConnectionDoesNotExist):
        receipt.delete(using="nowhere")
    with pytest.raises(ConnectionDoesNotExist):
        receipt.delete("nowhere")
    assert FundReceipt.objects.filter(pk=receipt.pk).exists()


def test_receipt_moved_to_another_pairing_locks_both_and_checks_the_one_it_left(county, foreign, project):
    receipt = FundReceipt.objects.get(pairing=county, year=YEAR)
    receipt.pairing = foreign
    assert refusal(receipt.save) == {"coop_funds": [
        "2023年已安排到项目的协作资金60万元，超过该年度到位资金0万元（超出60万元）。请先登记资金到位，或调减项目协作资金。"]}
    assert FundReceipt.objects.get(pk=receipt.pk).pairing_id == county.pk
    # Its own lock, by what the code asked the database for (on SQLite the
    # query runs without FOR UPDATE).
    project.status = Project.RESERVE
    Project.objects.filter(pk=project.pk).update(status=Project.RESERVE)
    receipt.pairing = foreign
    assert locked_pairings(receipt.save) == [{county.pk, foreign.pk}]
    assert FundReceipt.objects.get(pk=receipt.pk).pairing_id == foreign.pk


def test_receipt_moved_to_another_year_checks_the_year_it_left(county, project):
    receipt = FundReceipt.objects.get(pairing=county, year=YEAR)
    receipt.year = 2022
    assert refusal(receipt.save) == {"coop_funds": [
        "2023年已安排到项目的协作资金60万元，超过该年度到位资金0万元（超出60万元）。请先登记资金到位，或调减项目协作资金。"]}


def test_receipt_turned_into_goods_leaves_no_cash_for_the_projects(county, project):
    receipt = FundReceipt.objects.get(pairing=county, year=YEAR)
    receipt.kind = FundReceipt.IN_KIND
    assert refusal(receipt.save) == {"coop_funds": [
        "2023年已安排到项目的协作资金60万元，超过该年度到位资金0万元（超出60万元）。请先登记资金到位，或调减项目协作资金。"]}


@pytest.fixture
def over_allocated(county, project, settings):
    """County 2023 holding 110万元 of projects on 100万元 received, saved
    while carried-over funds were allowed; the setting is off again."""
    settings.XIEZUO_FUNDS_ALLOW_CARRYOVER = True
    extra = Project.objects.create(pairing=county, code="T-2023-OVER", name="结转资金项目", year=YEAR,
                                   status=Project.APPROVED, category=ProjectCategory.objects.get(code="rural"),
                                   coop_funds=Decimal("500000"))
    assert extra.allocation_warning.startswith("2023年已安排到项目的协作资金110万元，超过该年度到位资金100万元（超出10万元）")
    settings.XIEZUO_FUNDS_ALLOW_CARRYOVER = False
    return extra


def test_editing_a_receipt_without_changing_its_money_is_not_checked(county, over_allocated):
    receipt = FundReceipt.objects.get(pairing=county, year=YEAR)
    receipt.note = "补记备注"
    receipt.save()
    assert FundReceipt.objects.get(pk=receipt.pk).note == "补记备注"
    receipt.amount -= Decimal("0.01")
    assert refusal(receipt.save) == {"coop_funds": [
        "2023年已安排到项目的协作资金110万元，超过该年度到位资金99.999999万元（超出10.000001万元）。"
        "请先登记资金到位，或调减项目协作资金。"]}


# -- projects ----------------------------------------------------------------

def test_allocation_of_each_status(county, receipt):
    p = new_project(county, coop="0")
    assert p.allocation() == Decimal("0")  # reserve
    p.status = Project.APPROVED
    assert p.allocation() == Decimal("0")  # approved with no funds: zero, not an error
    p.coop_funds = Decimal("1234.56")
    assert p.allocation() == Decimal("1234.56")


def test_allocation_of_a_terminated_project_is_what_was_paid_out(county, project):
    project.status = Project.TERMINATED
    assert project.allocation() == Decimal("0")
    submitted(project, "200000").confirm(user("liuhe"))
    submitted(project, "100000")  # submitted, not confirmed: not paid out
    assert project.allocation() == Decimal("200000")


def test_allocation_takes_the_disbursed_sum_given_without_asking_again(project, django_assert_num_queries):
    project.status = Project.TERMINATED
    with django_assert_num_queries(0):
        assert project.allocation(Decimal("7.50")) == Decimal("7.50")
        assert project.allocation(Decimal("0")) == Decimal("0")


def test_disbursement_refusals(project):
    assert project.disbursement_refusal() is None
    project.status = Project.TERMINATED
    assert project.disbursement_refusal() == "项目已终止，不能拨付资金"
    project.status = Project.RESERVE
    assert project.disbursement_refusal() == "储备项目尚未立项，不能拨付资金"


def test_coop_funds_may_equal_the_confirmed_disbursements_not_one_fen_less(project):
    submitted(project, "500000").confirm(user("liuhe"))
    project.coop_funds = Decimal("500000.00")  # exactly what was paid: allowed
    project.save()
    project.refresh_from_db()
    assert project.coop_funds == Decimal("500000.00")
    project.coop_funds = Decimal("499999.99")
    assert refusal(project.save) == {"coop_funds": ["协作资金不能低于已确认拨付的金额50万元"]}
    project.refresh_from_db()
    assert project.coop_funds == Decimal("500000.00")


def test_project_save_passes_its_arguments_through(project):
    project.name = "只改名称"
    project.coop_funds = Decimal("1")
    project.save(update_fields=["name"])
    project.refresh_from_db()
    assert (project.name, project.coop_funds) == ("只改名称", Decimal("600000.00"))
    project.name = "再改名称"
    project.coop_funds = Decimal("1")
    with pytest.warns(RemovedInDjango60Warning):
        project.save(False, False, None, ["name"])
    project.refresh_from_db()
    assert (project.name, project.coop_funds) == ("再改名称", Decimal("600000.00"))


def test_project_saved_within_the_receipts_has_no_warning(project):
    project.coop_funds = Decimal("1000000.00")  # exactly the receipts
    project.save()
    assert project.allocation_warning is None


def test_project_moved_to_another_pairing_locks_both_and_is_checked_there(county, foreign, project):
    project.pairing, project.year = foreign, 2020
    assert refusal(project.save) == {"coop_funds": [OVER_2020]}
    project.refresh_from_db()
    assert (project.pairing_id, project.year) == (county.pk, YEAR)
    # A reserve project takes nothing: it moves, under both pairings' locks.
    Project.objects.filter(pk=project.pk).update(status=Project.RESERVE)
    project.refresh_from_db()
    project.pairing, project.year = foreign, 2020
    assert locked_pairings(project.save) == [{county.pk, foreign.pk}]
    project.refresh_from_db()
    assert (project.pairing_id, project.year) == (foreign.pk, 2020)


def test_project_moved_to_another_year_is_checked_there(county, project):
    project.year = 2031  # a year nothing was received in
    assert refusal(project.save) == {"coop_funds": [OVER_2020.replace("2020年", "2031年")]}
    project.refresh_from_db()
    assert project.year == YEAR


def test_edits_that_do_not_raise_the_allocation_are_not_checked(county, project, over_allocated):
    project.name = "只改名称"
    project.save()
    assert project.allocation_warning is None
    assert Project.objects.get(pk=project.pk).name == "只改名称"
    reserve = Project.objects.create(pairing=county, code="T-2023-R", name="储备项目", year=YEAR,
                                     category=ProjectCategory.objects.get(code="rural"), coop_funds=Decimal("1"))
    assert reserve.allocation_warning is None
    project.coop_funds += Decimal("0.01")
    assert refusal(project.save) == {"coop_funds": [
        "2023年已安排到项目的协作资金110.000001万元，超过该年度到位资金100万元（超出10.000001万元）。"
        "请先登记资金到位，或调减项目协作资金。"]}


def test_project_funds_may_not_be_negative(county):
    p = Project(pairing=county, code="N", name="负数", year=YEAR, coop_funds=Decimal("-0.01"),
                other_funds=Decimal("-1"))
    assert errors_of(p) == {"coop_funds": ["资金不能为负数"], "other_funds": ["资金不能为负数"]}
    p.coop_funds, p.other_funds = Decimal("0"), None
    assert errors_of(p) == {}
