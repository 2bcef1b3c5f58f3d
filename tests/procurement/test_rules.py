"""Every seeded rule fires on its case and stays quiet on the near case.

Processes here belong to a pairing without a county rule set, so only the
national defaults judge them.
"""

import pytest

from xiezuo.procurement.models import Amendment, Finding, RuleSet, RuleSetting
from xiezuo.procurement.rules import RULES

from .conftest import D, award, bid, codes, wan

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(foreign):
    from xiezuo.funds.models import Project, ProjectCategory

    return Project.objects.create(pairing=foreign, code="TEST-R-1", name="规则测试项目（示例）", year=2023,
                                  category=ProjectCategory.objects.get(code="education"), is_demo=True)


def test_every_registered_rule_is_seeded_in_the_current_national_version():
    national = RuleSet.objects.get(pairing=None)
    current = national.version_on(D(2023, 1, 1))
    seeded = {s.rule_code: s for s in current.settings.all()}
    assert set(seeded) == set(RULES)
    for code, s in seeded.items():
        assert s.law and s.article, code
        assert set(s.params) == set(RULES[code].defaults()), code


@pytest.mark.parametrize("value, fires", [(400, True), (399, False)])
def test_mandatory_tender_works_400_wan(make_tender, value, fires):
    t = make_tender(method="negotiation", estimated_value=wan(value))
    assert ("MANDATORY_TENDER" in codes(t)) is fires
    if fires:
        f = Finding.objects.get(tender=t, rule_code="MANDATORY_TENDER")
        assert f.law == "《必须招标的工程项目规定》（国家发展改革委令第16号）" and f.article == "第五条"
        assert f.figures["threshold"] == "4000000.00" and f.figures["project_total"] == "4000000.00"
        assert "达到依法必须招标标准400万元" in f.explanation and f.severity == "high"


def test_mandatory_tender_sums_same_kind_items_of_one_project(make_tender):
    a = make_tender(method="rfq", estimated_value=wan(250), title="围墙一标段")
    assert "MANDATORY_TENDER" not in codes(a)
    b = make_tender(method="rfq", estimated_value=wan(150), title="围墙二标段")
    other_kind = make_tender(method="rfq", estimated_value=wan(150), item_kind="goods")
    assert "MANDATORY_TENDER" in codes(a) and "MANDATORY_TENDER" in codes(b)
    assert "MANDATORY_TENDER" not in codes(other_kind)


def test_mandatory_tender_is_quiet_for_tendering_methods(make_tender):
    assert "MANDATORY_TENDER" not in codes(make_tender(method="selective", estimated_value=wan(900)))


@pytest.mark.parametrize("deadline, fires", [(D(2023, 3, 20), True), (D(2023, 3, 21), False)])
def test_bid_period_20_days(make_tender, deadline, fires):
    t = make_tender(bid_deadline=deadline, opening_date=deadline)
    assert ("BID_PERIOD" in codes(t)) is fires
    if fires:
        assert Finding.objects.get(tender=t, rule_code="BID_PERIOD").figures["days"] == 19


@pytest.mark.parametrize("n, fires", [(2, True), (3, False)])
def test_few_bidders(make_tender, n, fires):
    t = make_tender()
    for i in range(n):
        bid(t, wan(280 + i * 5))
    assert ("FEW_BIDDERS" in codes(t)) is fires


@pytest.mark.parametrize("shared, fires", [(True, True), (False, False)])
def test_same_legal_representative(make_tender, shared, fires):
    t = make_tender()
    bid(t, wan(280), legal_rep="张三")
    bid(t, wan(285), legal_rep="张三" if shared else "李四")
    bid(t, wan(290))
    assert ("SAME_LEGAL_REP" in codes(t)) is fires


@pytest.mark.parametrize("field, value", [("contact_phone", "13900001111"), ("bond_account", "6222000011112222"),
                                          ("project_manager", "王五")])
def test_deemed_collusion_on_shared_particulars(make_tender, field, value):
    t = make_tender()
    bid(t, wan(280), **{field: value})
    bid(t, wan(285), **{field: value})
    bid(t, wan(290))
    f = Finding.objects.get(tender=t, rule_code="DEEMED_COLLUSION")
    assert f.figures["field"] == field and len(f.figures["bidders"]) == 2
    assert f.article == "第四十条"
    if field == "contact_phone":
        assert "13900001111" not in f.explanation + str(f.figures) + f.key
        assert "139****1111" in f.explanation
    if field == "bond_account":
        assert "6222000011112222" not in f.explanation + str(f.figures) + f.key
        assert "6222********2222" in f.explanation


def test_deemed_collusion_quiet_when_particulars_differ_and_switch_off(make_tender):
    t = make_tender()
    for i in range(3):
        bid(t, wan(280 + i))
    assert "DEEMED_COLLUSION" not in codes(t)


@pytest.mark.parametrize("start, fires", [(D(2023, 4, 5), True), (D(2023, 4, 4), False)])
def test_publicity_within_3_days_of_report(make_tender, start, fires):
    t = make_tender(evaluation_report=D(2023, 4, 1), publicity_start=start, publicity_end=start.replace(day=start.day + 3))
    assert (Finding.objects.filter(tender=t, rule_code="PUBLICITY", key="late", active=True).exists()) is fires
    assert not Finding.objects.filter(tender=t, rule_code="PUBLICITY", key="short").exists()


@pytest.mark.parametrize("end, fires", [(D(2023, 4, 6), True), (D(2023, 4, 7), False)])
def test_publicity_at_least_3_days(make_tender, end, fires):
    t = make_tender(evaluation_report=D(2023, 4, 2), publicity_start=D(2023, 4, 4), publicity_end=end)
    assert ("PUBLICITY" in codes(t)) is fires


@pytest.mark.parametrize("award, fires", [(D(2023, 4, 6), True), (D(2023, 4, 7), False)])
def test_publicity_award_only_after_publicity_ends(make_tender, award, fires):
    t = make_tender(evaluation_report=D(2023, 4, 2), publicity_start=D(2023, 4, 4), publicity_end=D(2023, 4, 7),
                    award_date=award)
    assert Finding.objects.filter(tender=t, rule_code="PUBLICITY", key="award_early").exists() is fires
    assert codes(t) & {"PUBLICITY"} == ({"PUBLICITY"} if fires else set())


def test_publicity_missing_before_award(make_tender):
    t = make_tender(evaluation_report=D(2023, 4, 2), award_date=D(2023, 4, 12))
    assert Finding.objects.filter(tender=t, rule_code="PUBLICITY", key="missing").exists()
    t.publicity_start, t.publicity_end = D(2023, 4, 3), D(2023, 4, 6)
    t.save()
    assert "PUBLICITY" not in codes(t)


@pytest.mark.parametrize("added, fires", [("10.01", True), ("10", False)])
def test_amendment_over_10_percent(make_tender, added, fires):
    t = make_tender(contract_value=wan(100), contract_signed=D(2023, 5, 1))
    Amendment.objects.create(tender=t, date=D(2023, 8, 1), value_change=wan(added) / 2, description="追加工程量一")
    Amendment.objects.create(tender=t, date=D(2023, 9, 1), value_change=wan(added) / 2, description="追加工程量二")
    Amendment.objects.create(tender=t, date=D(2023, 9, 2), value_change=-wan(5), description="核减")
    assert ("AMENDMENT_OVER" in codes(t)) is fires
    if fires:
        f = Finding.objects.get(tender=t, rule_code="AMENDMENT_OVER")
        assert f.figures["percent"] == "10.01" and f.figures["added"] == "100100.00"


@pytest.mark.parametrize("second, fires", [("200.01", True), ("200", False)])
def test_splitting_same_project(make_tender, second, fires):
    a = make_tender(method="rfq", estimated_value=wan(200))
    b = make_tender(method="negotiation", estimated_value=wan(second))
    assert ("SPLITTING" in codes(a)) is fires and ("SPLITTING" in codes(b)) is fires


def test_splitting_same_buyer_and_year_across_projects(make_tender, project):
    from xiezuo.funds.models import Project

    other = Project.objects.create(pairing=project.pairing, code="TEST-R-2", name="另一项目（示例）", year=2023,
                                   category=project.category, is_demo=True)
    a = make_tender(item_kind="goods", method="rfq", estimated_value=wan(120))
    b = make_tender(item_kind="goods", method="rfq", estimated_value=wan(90), project=other)
    assert "SPLITTING" in codes(a) and "SPLITTING" in codes(b)
    f = Finding.objects.get(tender=b, rule_code="SPLITTING")
    assert f.figures["total"] == "2100000.00" and sorted(f.figures["items"]) == sorted([a.pk, b.pk])
    # A different year is a different budget: no splitting.
    b.year = 2024
    b.save()
    assert "SPLITTING" not in codes(a)


@pytest.mark.parametrize("value, fires", [("380", True), ("379.99", False), ("400", False)])
def test_just_below_threshold_band(make_tender, value, fires):
    t = make_tender(estimated_value=wan(value))
    assert ("JUST_BELOW" in codes(t)) is fires


@pytest.mark.parametrize("value, fires", [("200", True), ("199.99", False)])
def test_single_source_above_threshold(make_tender, value, fires):
    t = make_tender(item_kind="goods", method="single_source", estimated_value=wan(value))
    assert ("SINGLE_SOURCE_ABOVE" in codes(t)) is fires


@pytest.mark.parametrize("method, deadline, fires", [
    ("open", D(2023, 3, 20), True), ("open", D(2023, 3, 21), False),
    ("consultation", D(2023, 3, 10), True), ("consultation", D(2023, 3, 11), False),
])
def test_r003_short_submission_period(make_tender, method, deadline, fires):
    t = make_tender(method=method, docs_issued=None, bid_deadline=deadline, opening_date=deadline)
    assert ("R003_SHORT_PERIOD" in codes(t)) is fires


def test_a_short_tender_period_is_one_finding_not_two(make_tender):
    # 19 days from the documents (and the notice) to the deadline: the law's
    # rule fires; the Cardinal proxy, measuring the same days, stays silent.
    t = make_tender(method="open", notice_date=D(2023, 3, 1), docs_issued=D(2023, 3, 1), bid_deadline=D(2023, 3, 20),
                    opening_date=D(2023, 3, 20))
    assert "BID_PERIOD" in codes(t) and "R003_SHORT_PERIOD" not in codes(t)


@pytest.mark.parametrize("method, n, fires", [("negotiation", 1, True), ("negotiation", 2, False),
                                              ("single_source", 1, False)])
def test_r018_single_bid(make_tender, method, n, fires):
    t = make_tender(method=method, estimated_value=wan(50))
    for i in range(n):
        bid(t, wan(48 + i))
    assert ("R018_SINGLE_BID" in codes(t)) is fires


@pytest.mark.parametrize("other, fires", [("101", True), ("101.01", False)])
def test_r024_price_close_to_winning_bid(make_tender, other, fires):
    t = make_tender()
    winner = bid(t, wan(100))
    bid(t, wan(other))
    bid(t, wan(110))
    award(t, winner)
    assert ("R024_PRICE_CLOSE" in codes(t)) is fires


@pytest.mark.parametrize("second, fires", [("300", True), ("300.01", False)])
def test_r028_identical_bid_prices(make_tender, second, fires):
    t = make_tender()
    bid(t, wan(300))
    bid(t, wan(second))
    bid(t, wan(310))
    assert ("R028_IDENTICAL_PRICES" in codes(t)) is fires


def test_finding_messages_write_amounts_as_the_pages_do(make_tender):
    """541.5万元, never 5415000.00元: one style for every amount people read."""
    t = make_tender()
    bid(t, wan("541.5"))
    bid(t, wan("541.5"))
    bid(t, wan(600))
    f = Finding.objects.get(tender=t, rule_code="R028_IDENTICAL_PRICES")
    assert "报价均为541.5万元" in f.explanation
    assert "5415000" not in f.explanation and f.figures["price"] == "5415000.00"


@pytest.mark.parametrize("other_valid, fires", [(False, True), (True, False)])
def test_r035_all_but_winner_disqualified(make_tender, other_valid, fires):
    t = make_tender()
    winner = bid(t, wan(290))
    bid(t, wan(280), valid=False, disqualification_reason="资格不符")
    bid(t, wan(285), valid=other_valid, disqualification_reason="" if other_valid else "未按要求密封")
    award(t, winner)
    assert ("R035_ALL_BUT_WINNER_DISQUALIFIED" in codes(t)) is fires


@pytest.mark.parametrize("disqualified_price, fires", [("280", True), ("295", False)])
def test_r036_lowest_bid_disqualified(make_tender, disqualified_price, fires):
    t = make_tender()
    winner = bid(t, wan(290))
    bid(t, wan(disqualified_price), valid=False, disqualification_reason="业绩不符")
    bid(t, wan(299))
    award(t, winner)
    assert ("R036_LOWEST_DISQUALIFIED" in codes(t)) is fires


def test_r036_needs_two_bids_and_two_are_enough(make_tender):
    # One bid has nothing to be lowest against; with two, the lower one
    # disqualified is the finding (exactly at the limit of the rule).
    t = make_tender()
    only = bid(t, wan(280), valid=False, disqualification_reason="业绩不符")
    assert "R036_LOWEST_DISQUALIFIED" not in codes(t)
    winner = bid(t, wan(290))
    award(t, winner)
    assert only.price < winner.price and "R036_LOWEST_DISQUALIFIED" in codes(t)


@pytest.mark.parametrize("n, fires", [(3, True), (2, False)])
def test_repeat_winner_same_buyer_same_year(make_tender, n, fires):
    tenders = []
    for i in range(n):
        t = make_tender(estimated_value=wan(50 + i), title=f"第{i + 1}次采购")
        t.award_supplier, t.award_supplier_uscc, t.award_value = "常胜建设有限公司（示例）", "", wan(49)
        t.save()
        tenders.append(t)
    assert all(("REPEAT_WINNER" in codes(t)) is fires for t in tenders)


def test_findings_follow_record_changes_and_keep_reviews(make_tender, users):
    t = make_tender()
    bid(t, wan(280))
    bid(t, wan(285))
    f = Finding.objects.get(tender=t, rule_code="FEW_BIDDERS")
    f.review_status, f.review_note = "explained", "第一次招标"
    f.save()
    third = bid(t, wan(290))
    f.refresh_from_db()
    assert not f.active and f.review_status == "explained"
    third.delete()
    f.refresh_from_db()
    assert f.active and f.review_note == "第一次招标"


def test_disabling_a_rule_withdraws_its_findings(make_tender):
    t = make_tender(estimated_value=wan(390))
    assert "JUST_BELOW" in codes(t)
    setting = RuleSetting.objects.get(rule_version=RuleSet.objects.get(pairing=None).version_on(D(2023, 1, 1)),
                                      rule_code="JUST_BELOW")
    setting.enabled = False
    setting.save()
    assert "JUST_BELOW" not in codes(t)


def test_bidders_without_particulars_share_nothing(make_tender):
    """Blank particulars (no 法定代表人, phone, account or manager written) are
    not a shared particular: three such bids raise no collusion finding."""
    t = make_tender()
    for price in (280, 285, 290):
        bid(t, wan(price), legal_rep="", contact_phone="", bond_account="  ", project_manager="")
    assert not codes(t) & {"SAME_LEGAL_REP", "DEEMED_COLLUSION"}


def test_findings_name_the_kind_and_method_and_key_shared_values_by_digest(make_tender):
    t = make_tender(method="negotiation", estimated_value=wan(400))
    f = Finding.objects.get(tender=t, rule_code="MANDATORY_TENDER")
    assert {k: f.figures[k] for k in ("item_kind", "item_kind_name", "method", "method_name")} == {
        "item_kind": "works", "item_kind_name": "工程施工", "method": "negotiation", "method_name": "竞争性谈判"}
    t = make_tender()
    bid(t, wan(280), legal_rep="张三")
    bid(t, wan(285), legal_rep="张三")
    f = Finding.objects.get(tender=t, rule_code="SAME_LEGAL_REP")
    kind, digest = f.key.split(":")
    # The key tells the finding again on the next run without holding the name.
    assert kind == "legal_rep" and len(digest) == 16 and int(digest, 16) >= 0 and "张三" not in f.key


def test_kind_thresholds_name_each_kind_with_its_own_limit():
    """The four per-kind limits a threshold rule takes (the catalogue page
    edits them by these names, in 万元 because they are money)."""
    from xiezuo.procurement.rules import kind_thresholds

    params = kind_thresholds("1.00", "2.00", "3.00", "4.00")
    assert [(p.name, p.label, p.kind, p.default) for p in params] == [
        ("works", "工程施工限额", "money", "1.00"), ("goods", "货物限额", "money", "2.00"),
        ("services", "服务限额", "money", "3.00"), ("consultancy", "勘察设计监理限额", "money", "4.00")]
    national = {p.name: p.default for p in RULES["MANDATORY_TENDER"].params}
    assert national == {"works": "4000000.00", "goods": "2000000.00", "services": "2000000.00",
                        "consultancy": "1000000.00"}


def test_a_registered_rule_keeps_what_it_was_registered_with():
    from xiezuo.procurement.rules import Param, rule

    def fn(t, params, ctx):
        return []

    try:
        registered = rule("TEST_ONLY", "测试规则", law="《测试法》", article="第一条", severity="low",
                          params=(Param("n", "次数", "int", 2),), description="仅用于测试")(fn)
        r = RULES["TEST_ONLY"]
        assert registered is fn  # the function stays callable under its own name
        assert (r.code, r.name, r.law, r.article, r.severity, r.params, r.fn, r.description) == (
            "TEST_ONLY", "测试规则", "《测试法》", "第一条", "low", (Param("n", "次数", "int", 2),), fn, "仅用于测试")
        assert r.defaults() == {"n": 2}
    finally:
        RULES.pop("TEST_ONLY", None)
