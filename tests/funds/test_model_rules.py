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

from django.utils import timezone

from xiezuo.funds.models import Disbursement, FundReceipt, Project, ProjectCategory, allocated_and_received, wan

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
    """Run `action`; return the pairing ids `lock_pairings` asked for, each time."""
    seen = []

    def watch(execute, sql, params, many, context):
        # In id order (two writers never deadlock); on SQLite the query runs
        # without FOR UPDATE.
        if sql.startswith('SELECT "pairings_pairing"."id" AS "pk" FROM "pairings_pairing" WHERE') \
                and "ORDER BY 1 ASC" in sql:
            seen.append(tuple(params))
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
    # Both pairings locked, by what the code asked the database for.
    project.status = Project.RESERVE
    Project.objects.filter(pk=project.pk).update(status=Project.RESERVE)
    receipt.pairing = foreign
    assert locked_pairings(receipt.save) == [tuple(sorted((county.pk, foreign.pk)))]
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
    assert extra.allocation_warning == ("2023年已安排到项目的协作资金110万元，超过该年度到位资金100万元（超出10万元）。"
                                        "已按允许使用结转资金的设置保存，请核实结转资金来源。")
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
    assert locked_pairings(project.save) == [tuple(sorted((county.pk, foreign.pk)))]
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


# -- disbursements -----------------------------------------------------------

def a_disbursement(project, **fields):
    values = {"date": datetime.date(YEAR, 5, 1), "amount": Decimal("1"), "purpose": "进度款"}
    return Disbursement(project=project, **{**values, **fields})


def test_disbursement_amount_above_zero_date_not_after_today_and_a_purpose(project):
    assert errors_of(a_disbursement(project, amount=Decimal("0"))) == {"amount": ["拨付金额应大于0"]}
    assert errors_of(a_disbursement(project, amount=Decimal("0.01"))) == {}
    assert errors_of(a_disbursement(project, amount=None)) == {}
    today = timezone.localdate()
    assert errors_of(a_disbursement(project, date=today)) == {}
    assert errors_of(a_disbursement(project, date=today + datetime.timedelta(days=1))) == {
        "date": ["拨付日期不能晚于今天"]}
    assert errors_of(a_disbursement(project, date=None)) == {}
    for purpose in (" ", "", None):
        assert errors_of(a_disbursement(project, purpose=purpose)) == {"purpose": ["请填写资金用途"]}
    assert errors_of(a_disbursement(project, amount=Decimal("-1"), date=today + datetime.timedelta(days=1),
                                    purpose="")) == {
        "amount": ["拨付金额应大于0"], "date": ["拨付日期不能晚于今天"], "purpose": ["请填写资金用途"]}


def test_disbursement_beyond_the_project_funds_says_how_much_is_left(project):
    submitted(project, "500000").confirm(user("liuhe"))
    over = a_disbursement(project, amount=Decimal("100000.01"))
    assert refusal(lambda: over.submit(user("huangyuan"))) == {"amount": [
        "拨付后累计确认拨付60.000001万元，超过项目协作资金60万元（已确认50万元，最多还可拨付10万元）"]}
    submitted(project, "100000").confirm(user("liuhe"))
    last_fen = a_disbursement(project, amount=Decimal("0.01"))
    assert refusal(lambda: last_fen.submit(user("huangyuan"))) == {"amount": [
        "拨付后累计确认拨付60.000001万元，超过项目协作资金60万元（已确认60万元，最多还可拨付0万元）"]}
    assert project.confirmed_disbursed() == Decimal("600000")


def test_a_resubmitted_disbursement_is_not_counted_twice(project):
    d = submitted(project, "600000")
    d.submit(user("huangyuan"))  # again, unchanged: 60万 of 60万
    assert (d.status, d.version) == (Disbursement.SUBMITTED, 2)
    d.confirm(user("liuhe"))
    assert project.confirmed_disbursed() == Decimal("600000")


def test_disbursement_to_a_project_taking_no_money_is_refused_with_the_reason(county, project):
    d = submitted(project, "1000")
    Project.objects.filter(pk=project.pk).update(status=Project.TERMINATED, terminated_reason="测试")
    with pytest.raises(ValidationError) as e:
        a_disbursement(project).submit(user("huangyuan"))
    assert e.value.messages == ["项目已终止，不能拨付资金"]
    with pytest.raises(ValidationError) as e:
        d.confirm(user("liuhe"))
    assert e.value.messages == ["项目已终止，不能拨付资金"]
    assert Disbursement.objects.get(pk=d.pk).status == Disbursement.SUBMITTED


def test_submit_refusals(project):
    d = submitted(project, "1000")
    stale = Disbursement.objects.get(pk=d.pk)
    d.submit(user("huangyuan"))
    with pytest.raises(ValidationError) as e:
        stale.submit(user("huangyuan"))
    assert (e.value.messages, e.value.code) == (["此记录已被他人修改，本次未保存。请刷新后重新提交。"], "conflict")
    d.confirm(user("liuhe"))
    with pytest.raises(ValidationError) as e:
        d.submit(user("huangyuan"))
    assert e.value.messages == ["该拨付已确认，不能修改"]
    assert Disbursement.objects.get(pk=d.pk).version == 3


def test_confirm_and_send_back_refusals(county, project):
    d = submitted(project, "1000")
    d.send_back(user("liuhe"), "凭证不全")
    with pytest.raises(ValidationError) as e:
        d.confirm(user("liuhe"))
    assert e.value.messages == ["该拨付当前为“已退回”，不能再确认或退回"]
    from xiezuo.accounts.models import Membership

    Membership.objects.create(user=user("huangyuan"), pairing=county, role="east")
    mine = submitted(project, "2000")
    with pytest.raises(ValidationError) as e:
        mine.confirm(user("huangyuan"))
    assert e.value.messages == ["提交与确认须由两名不同的人员完成：您提交的拨付不能由您本人确认或退回"]
    with pytest.raises(ValidationError) as e:
        mine.confirm(user("liuhe"), loaded_version=mine.version + 1)
    assert (e.value.messages, e.value.code) == (
        ["此记录已被他人修改（您打开页面后又有人保存过），本次操作未执行。请刷新后重试。"], "conflict")
    assert Disbursement.objects.get(pk=mine.pk).status == Disbursement.SUBMITTED


def test_confirm_records_who_and_when_and_updates_the_instance(project):
    d = submitted(project, "1000")
    before = timezone.now()
    d.confirm(user("liuhe"))
    stored = Disbursement.objects.get(pk=d.pk)
    assert (stored.status, stored.decided_by, stored.version) == (Disbursement.CONFIRMED, user("liuhe"), 2)
    assert stored.decided_at >= before and stored.submitted_by == user("huangyuan")
    assert (d.status, d.decided_by_id, d.decided_at, d.version) == (
        stored.status, stored.decided_by_id, stored.decided_at, stored.version)


# -- the pairing-year's allocation -------------------------------------------

def test_allocated_and_received_counts_cash_and_what_terminated_projects_were_paid(county, project):
    FundReceipt.objects.create(pairing=county, year=YEAR, kind=FundReceipt.IN_KIND, date=datetime.date(YEAR, 3, 2),
                               amount=Decimal("5000"))
    FundReceipt.objects.create(pairing=county, year=YEAR, kind=FundReceipt.SOCIAL, date=datetime.date(YEAR, 3, 2),
                               amount=Decimal("0.01"))
    FundReceipt.objects.create(pairing=county, year=YEAR, kind=FundReceipt.PAIRING, date=datetime.date(YEAR, 3, 2),
                               amount=Decimal("0.02"))
    new_project(county, code="T-2023-RES", coop="300000")  # reserve: takes nothing
    ended = new_project(county, code="T-2023-END", coop="200000", status=Project.APPROVED)
    submitted(ended, "1234.56").confirm(user("liuhe"))
    submitted(ended, "100")  # not confirmed
    ended.transition(user("admin"), Project.TERMINATED, reason="测试终止")
    assert allocated_and_received(county.pk, YEAR) == (Decimal("601234.56"), Decimal("1000000.03"))
    assert allocated_and_received(county.pk, 2031) == (Decimal("0"), Decimal("0"))


def test_receipts_of_a_kind_or_of_a_group_and_of_years(county, receipt):
    day = datetime.date(YEAR, 3, 2)
    made = {kind: FundReceipt.objects.create(pairing=county, year=YEAR, kind=kind, date=day, amount=Decimal("1"))
            for kind in (FundReceipt.SOCIAL, FundReceipt.PAIRING, FundReceipt.IN_KIND)}
    mine = FundReceipt.objects.filter(pairing=county, year=YEAR)
    assert set(mine.of_kind("fiscal")) == {receipt}
    assert set(mine.of_kind("social")) == {made["social"]}
    assert set(mine.of_kind("social_received")) == set(made.values())
    assert set(mine.of_kind("received_cash")) == {receipt, made["social"], made["pairing"]}
    assert set(FundReceipt.objects.filter(pairing=county).for_years([YEAR, 2031])) == {receipt, *made.values()}
    assert not FundReceipt.objects.filter(pairing=county).for_years([2031]).exists()


def test_active_and_counted_projects(county, receipt):
    reserve = new_project(county, code="T-2023-Q1")
    approved = new_project(county, code="T-2023-Q2", coop="1", status=Project.APPROVED)
    ended = new_project(county, code="T-2023-Q3", coop="1", status=Project.APPROVED)
    ended.transition(user("admin"), Project.TERMINATED, reason="测试终止")
    mine = Project.objects.filter(pairing=county, year=YEAR)
    assert set(mine.active()) == {reserve, approved}
    assert set(mine.counted()) == {approved}
    d = submitted(approved, "1")
    submitted(approved, "0.5")
    assert not Disbursement.objects.filter(project=approved).confirmed().exists()
    d.confirm(user("liuhe"))
    assert list(Disbursement.objects.filter(project=approved).confirmed()) == [Disbursement.objects.get(pk=d.pk)]


def test_a_projects_total_funds_adds_what_is_filled_in():
    assert Project(coop_funds=Decimal("100.50"), other_funds=Decimal("20.25")).total_funds == Decimal("120.75")
    assert Project(coop_funds=None, other_funds=Decimal("20.25")).total_funds == Decimal("20.25")
    assert Project(coop_funds=Decimal("100.50"), other_funds=None).total_funds == Decimal("100.50")
    assert Project(coop_funds=None, other_funds=None).total_funds == 0


def test_a_project_names_each_wrong_field_in_words():
    day = datetime.date(2023, 5, 1)
    project = Project(coop_funds=Decimal("1"), linkage="wage,lottery,asset,betting",
                      planned_start=day, planned_finish=day - datetime.timedelta(days=1),
                      actual_start=day, actual_finish=day - datetime.timedelta(days=1),
                      status=Project.TERMINATED, terminated_reason="  ")
    assert errors_of(project) == {
        "linkage": ["联农带农方式“lottery”无效，应为工资性、资产性或经营性"],
        "planned_finish": ["计划完工日期不能早于计划开工日期"],
        "actual_finish": ["实际完工日期不能早于实际开工日期"],
        "terminated_reason": ["终止项目须填写终止原因"],
    }


def test_a_project_may_start_and_finish_on_one_day():
    day = datetime.date(2023, 5, 1)
    project = Project(coop_funds=Decimal("1"), linkage="wage,asset", planned_start=day, planned_finish=day,
                      actual_start=day, actual_finish=day, status=Project.TERMINATED, terminated_reason="村民搬迁")
    assert errors_of(project) == {}
    # A finish without a start (or a start alone) is not compared.
    assert errors_of(Project(coop_funds=Decimal("1"), planned_finish=day, actual_start=day)) == {}
