"""What each rule writes, word for word: for every rule a firing case whose
finding is read whole (the explanation an auditor reads, every figure the
pages and exports show, the key the next run finds it by), and the cases
that decide when a rule fires at all.

Processes belong to a pairing without a county rule set, so the national
defaults judge them (as in test_rules). The expected texts are written out
here, not built with the rules' own helpers.
"""

import hashlib
import re

import pytest
from django.utils import translation

from xiezuo.procurement.models import Amendment, Bid, Finding, RuleSet, RuleSetting, RuleSetVersion
from xiezuo.procurement.rules import RULES, Param, Rule

from .conftest import D, award, bid, codes, wan

pytestmark = pytest.mark.django_db

# The rules a test below reads whole; the last test checks none is missing.
COVERED = {"MANDATORY_TENDER", "BID_PERIOD", "FEW_BIDDERS", "SAME_LEGAL_REP", "DEEMED_COLLUSION", "PUBLICITY",
           "AMENDMENT_OVER", "SPLITTING", "JUST_BELOW", "SINGLE_SOURCE_ABOVE", "R003_SHORT_PERIOD",
           "R018_SINGLE_BID", "R024_PRICE_CLOSE", "R028_IDENTICAL_PRICES", "R035_ALL_BUT_WINNER_DISQUALIFIED",
           "R036_LOWEST_DISQUALIFIED", "REPEAT_WINNER"}

WORKS = {"item_kind": "works", "item_kind_name": "工程施工"}
A, B, C = "甲建设有限公司（示例）", "乙建设有限公司（示例）", "丙建设有限公司（示例）"


@pytest.fixture
def project(foreign):
    from xiezuo.funds.models import Project, ProjectCategory

    return Project.objects.create(pairing=foreign, code="TEST-F-1", name="规则说明测试项目（示例）", year=2023,
                                  category=ProjectCategory.objects.get(code="education"), is_demo=True)


def one(t, code):
    """Return the one finding of `code` on `t` as (explanation, figures, key)."""
    f = Finding.objects.get(tender=t, rule_code=code)
    assert f.active
    return f.explanation, f.figures, f.key


def every(t, code):
    """Return all active findings of `code` on `t` as {key: (explanation, figures)}."""
    return {f.key: (f.explanation, f.figures) for f in Finding.objects.filter(tender=t, rule_code=code, active=True)}


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- MANDATORY_TENDER ---------------------------------------------------------

def test_mandatory_tender_names_the_project_total_the_items_and_this_items_method(make_tender):
    a = make_tender(method="negotiation", estimated_value=wan(250), title="围墙一标段")
    b = make_tender(method="rfq", estimated_value=wan(150), title="围墙二标段")
    assert one(b, "MANDATORY_TENDER") == (
        "本项目工程施工类采购合计400万元（共2项），达到依法必须招标标准400万元，但本事项采用询价。",
        {**WORKS, "method": "rfq", "method_name": "询价", "project_total": "4000000.00",
         "threshold": "4000000.00", "items": [a.pk, b.pk]}, "")
    explanation, figures, _ = one(a, "MANDATORY_TENDER")
    assert explanation.endswith("但本事项采用竞争性谈判。") and figures["method_name"] == "竞争性谈判"


# --- BID_PERIOD ---------------------------------------------------------------

def test_bid_period_names_both_dates_the_days_and_the_minimum(make_tender):
    t = make_tender(bid_deadline=D(2023, 3, 20), opening_date=D(2023, 3, 20))
    assert one(t, "BID_PERIOD") == (
        "招标文件2023-03-01发出，投标截止2023-03-20，仅19日，少于20日。",
        {"docs_issued": "2023-03-01", "bid_deadline": "2023-03-20", "days": 19, "min_days": 20}, "")


# --- FEW_BIDDERS --------------------------------------------------------------

def test_few_bidders_counts_the_bids(make_tender):
    t = make_tender()
    bid(t, wan(280), A)
    bid(t, wan(285), B)
    assert one(t, "FEW_BIDDERS") == ("公开招标仅收到2份投标，少于3个，依法不得开标、应重新招标。",
                                     {"bidders": 2, "min_bidders": 3}, "")


@pytest.mark.parametrize("method, n, opening, fires", [
    ("selective", 0, D(2023, 3, 31), True),   # opened with no bid recorded
    ("open", 2, None, True),                   # bids recorded, no opening date yet
    ("open", 0, None, False),                  # nothing happened yet
    ("negotiation", 2, D(2023, 3, 31), False),  # not a tender under the 招标投标法
    ("open", 3, D(2023, 3, 31), False),
])
def test_few_bidders_fires_on_bids_or_an_opening_of_a_tender_only(make_tender, method, n, opening, fires):
    t = make_tender(method=method, opening_date=opening)
    for i in range(n):
        bid(t, wan(280 + i))
    if not fires:
        assert "FEW_BIDDERS" not in codes(t)
        return
    name = {"open": "公开招标", "selective": "邀请招标"}[method]
    assert one(t, "FEW_BIDDERS") == (f"{name}仅收到{n}份投标，少于3个，依法不得开标、应重新招标。",
                                     {"bidders": n, "min_bidders": 3}, "")


# --- SAME_LEGAL_REP -----------------------------------------------------------

def test_same_legal_rep_names_the_bidders_and_the_person_and_keys_by_digest(make_tender):
    t = make_tender()
    bid(t, wan(280), A, legal_rep="张三")
    bid(t, wan(285), B, legal_rep="张三")
    bid(t, wan(290), C, legal_rep="李四")
    assert one(t, "SAME_LEGAL_REP") == (f"投标人{A}、{B}的法定代表人均为张三。",
                                        {"legal_rep": "张三", "bidders": [A, B]}, f"legal_rep:{digest('张三')}")


# --- DEEMED_COLLUSION ---------------------------------------------------------

PHONE = "13912340000"
ACCOUNT = "6222000011112222"


def collusion(field, name, value, shown, bidders):
    return {f"{field}:{digest(value)}": (f"投标人{'、'.join(bidders)}的{name}相同（{shown}）。",
                                         {"field": field, "field_name": name, "value": shown, "bidders": bidders})}


def phone_key_value():
    """What the rule compares phones by: their keyed hash, never the number."""
    return Bid.phone_hash(PHONE)


def account_key_value():
    """What the rule compares bond accounts by: their keyed hash, never the number."""
    return Bid.account_hash(ACCOUNT)


def test_deemed_collusion_on_a_shared_phone_shows_it_masked_and_keys_by_its_keyed_hash(make_tender):
    t = make_tender()
    bid(t, wan(280), A, contact_phone=PHONE)
    bid(t, wan(285), B, contact_phone="139 1234 0000")
    bid(t, wan(290), C)
    assert every(t, "DEEMED_COLLUSION") == collusion("contact_phone", "联系电话", phone_key_value(), "139****0000",
                                                     [A, B])
    assert digest(PHONE) not in one(t, "DEEMED_COLLUSION")[2]


def test_deemed_collusion_on_a_shared_bond_account_shows_it_masked_and_keys_by_its_keyed_hash(make_tender):
    t = make_tender()
    bid(t, wan(280), A, bond_account=ACCOUNT)
    bid(t, wan(285), B, bond_account="6222 0000-1111 2222")
    bid(t, wan(290), C)
    assert every(t, "DEEMED_COLLUSION") == collusion("bond_account", "投标保证金转出账户", account_key_value(),
                                                     "6222********2222", [A, B])
    assert digest(ACCOUNT) not in one(t, "DEEMED_COLLUSION")[2]


def test_deemed_collusion_on_a_shared_project_manager_shows_the_name_itself(make_tender):
    t = make_tender()
    bid(t, wan(280), A, project_manager="王五")
    bid(t, wan(285), B, project_manager=" 王五 ")
    bid(t, wan(290), C)
    assert every(t, "DEEMED_COLLUSION") == collusion("project_manager", "项目经理", "王五", "王五", [A, B])


def test_deemed_collusion_gives_one_finding_per_shared_particular(make_tender):
    # 甲 and 乙 share a phone, 乙 and 丙 a bond account: two findings, each
    # naming its own pair, its own particular and its own value.
    t = make_tender()
    bid(t, wan(280), A, contact_phone=PHONE)
    bid(t, wan(285), B, contact_phone=PHONE, bond_account=ACCOUNT)
    bid(t, wan(290), C, bond_account=ACCOUNT)
    assert every(t, "DEEMED_COLLUSION") == {
        **collusion("contact_phone", "联系电话", phone_key_value(), "139****0000", [A, B]),
        **collusion("bond_account", "投标保证金转出账户", account_key_value(), "6222********2222", [B, C])}


def test_deemed_collusion_switched_off_for_phones_still_compares_the_rest(make_tender, foreign):
    ruleset = RuleSet.objects.create(pairing=foreign, name="结对规则（测试）")
    version = RuleSetVersion.objects.create(ruleset=ruleset, effective_from=D(2023, 1, 1))
    RuleSetting.objects.create(rule_version=version, rule_code="DEEMED_COLLUSION", severity="high",
                               params={"check_phone": False})
    t = make_tender()
    bid(t, wan(280), A, contact_phone=PHONE, bond_account=ACCOUNT, project_manager="王五")
    bid(t, wan(285), B, contact_phone=PHONE, bond_account=ACCOUNT, project_manager="王五")
    assert every(t, "DEEMED_COLLUSION") == {
        **collusion("bond_account", "投标保证金转出账户", account_key_value(), "6222********2222", [A, B]),
        **collusion("project_manager", "项目经理", "王五", "王五", [A, B])}


# --- PUBLICITY ----------------------------------------------------------------

@pytest.mark.parametrize("dates, key, explanation, figures", [
    ({"evaluation_report": D(2023, 4, 1), "publicity_start": D(2023, 4, 5), "publicity_end": D(2023, 4, 8)},
     "late", "收到评标报告4日后才开始公示中标候选人，超过3日。",
     {"evaluation_report": "2023-04-01", "publicity_start": "2023-04-05", "days": 4, "max_days": 3}),
    ({"evaluation_report": D(2023, 4, 2), "publicity_start": D(2023, 4, 4), "publicity_end": D(2023, 4, 6)},
     "short", "中标候选人公示期仅2日，少于3日。",
     {"publicity_start": "2023-04-04", "publicity_end": "2023-04-06", "days": 2, "min_days": 3}),
    ({"evaluation_report": D(2023, 4, 2), "publicity_start": D(2023, 4, 4), "publicity_end": D(2023, 4, 7),
      "award_date": D(2023, 4, 6)},
     "award_early", "中标通知2023-04-06发出时，中标候选人公示（至2023-04-07）尚未结束。",
     {"award_date": "2023-04-06", "publicity_end": "2023-04-07"}),
    ({"evaluation_report": D(2023, 4, 2), "award_date": D(2023, 4, 12)},
     "missing", "已提交评标报告并发出中标通知，但未登记中标候选人公示。",
     {"evaluation_report": "2023-04-02", "award_date": "2023-04-12"}),
])
def test_publicity_each_breach_is_its_own_finding(make_tender, dates, key, explanation, figures):
    t = make_tender(**dates)
    assert one(t, "PUBLICITY") == (explanation, figures, key)


def test_publicity_breaches_together_are_found_together(make_tender):
    t = make_tender(evaluation_report=D(2023, 4, 1), publicity_start=D(2023, 4, 6), publicity_end=D(2023, 4, 7),
                    award_date=D(2023, 4, 6))
    assert every(t, "PUBLICITY") == {
        "late": ("收到评标报告5日后才开始公示中标候选人，超过3日。",
                 {"evaluation_report": "2023-04-01", "publicity_start": "2023-04-06", "days": 5, "max_days": 3}),
        "short": ("中标候选人公示期仅1日，少于3日。",
                  {"publicity_start": "2023-04-06", "publicity_end": "2023-04-07", "days": 1, "min_days": 3}),
        "award_early": ("中标通知2023-04-06发出时，中标候选人公示（至2023-04-07）尚未结束。",
                        {"award_date": "2023-04-06", "publicity_end": "2023-04-07"})}


@pytest.mark.parametrize("dates, keys", [
    # A publicity begun but not yet ended has no length to measure.
    ({"evaluation_report": D(2023, 4, 1), "publicity_start": D(2023, 4, 3)}, set()),
    # An end without a start: no length either; the award after it is not early,
    # and with no start recorded the publicity counts as not registered.
    ({"evaluation_report": D(2023, 4, 1), "publicity_end": D(2023, 4, 6), "award_date": D(2023, 4, 10)},
     {"missing"}),
])
def test_publicity_with_one_end_of_the_period_recorded(make_tender, dates, keys):
    t = make_tender(**dates)
    assert set(every(t, "PUBLICITY")) == keys


# --- AMENDMENT_OVER -----------------------------------------------------------

def test_amendment_over_sums_the_additions_only(make_tender):
    t = make_tender(contract_value=wan(100), contract_signed=D(2023, 5, 1))
    Amendment.objects.create(tender=t, date=D(2023, 8, 1), value_change=wan(6), description="追加工程量一")
    Amendment.objects.create(tender=t, date=D(2023, 9, 1), value_change=wan("4.01"), description="追加工程量二")
    Amendment.objects.create(tender=t, date=D(2023, 9, 2), value_change=-wan(5), description="核减")
    assert one(t, "AMENDMENT_OVER") == (
        "合同金额100万元，累计追加10.01万元，占10.01%，超过10.00%。",
        {"contract_value": "1000000.00", "added": "100100.00", "percent": "10.01", "max_percent": "10.00"}, "")


def test_amendment_over_counts_an_addition_of_one_yuan(make_tender):
    # One yuan over the limit is over it, and the figures say so; the text
    # rounds both the amount (to 100 yuan) and the share (to 0.01%), so it reads
    # as 10万元, 10.00% "over" 10.00%.
    t = make_tender(contract_value=wan(100), contract_signed=D(2023, 5, 1))
    Amendment.objects.create(tender=t, date=D(2023, 8, 1), value_change=wan(10), description="追加工程量")
    Amendment.objects.create(tender=t, date=D(2023, 8, 2), value_change=1, description="追加零星材料")
    assert one(t, "AMENDMENT_OVER") == (
        "合同金额100万元，累计追加10万元，占10.00%，超过10.00%。",
        {"contract_value": "1000000.00", "added": "100001.00", "percent": "10.00", "max_percent": "10.00"}, "")


def test_amendment_over_measures_against_the_award_when_no_contract_value(make_tender):
    t = make_tender(award_value=wan(200), contract_signed=D(2023, 5, 1))
    Amendment.objects.create(tender=t, date=D(2023, 8, 1), value_change=wan(30), description="追加工程量")
    assert one(t, "AMENDMENT_OVER") == (
        "合同金额200万元，累计追加30万元，占15.00%，超过10.00%。",
        {"contract_value": "2000000.00", "added": "300000.00", "percent": "15.00", "max_percent": "10.00"}, "")


def test_amendment_over_is_quiet_without_a_value_to_measure_against(make_tender):
    t = make_tender()
    Amendment.objects.create(tender=t, date=D(2023, 8, 1), value_change=wan(30), description="追加工程量")
    assert "AMENDMENT_OVER" not in codes(t)


# --- SPLITTING ----------------------------------------------------------------

def test_splitting_names_the_count_the_total_and_the_items(make_tender):
    a = make_tender(method="rfq", estimated_value=wan(200))
    b = make_tender(method="negotiation", estimated_value=wan("200.01"))
    assert one(b, "SPLITTING") == (
        "同一项目或同一采购人2023年以公开招标以外方式采购工程施工2次，累计400.01万元，超过公开招标限额400万元。",
        {**WORKS, "method": "negotiation", "method_name": "竞争性谈判", "total": "4000100.00",
         "threshold": "4000000.00", "items": [a.pk, b.pk]}, "")


# --- JUST_BELOW ---------------------------------------------------------------

def test_just_below_names_the_amount_the_limit_and_how_far_below(make_tender):
    t = make_tender(estimated_value=wan(390))
    assert one(t, "JUST_BELOW") == (
        "估算金额390万元，仅比工程施工限额400万元低2.50%（预警区间5.00%）。",
        {**WORKS, "method": "open", "method_name": "公开招标", "amount": "3900000.00", "threshold": "4000000.00",
         "band_percent": "5.00"}, "")


# --- SINGLE_SOURCE_ABOVE ------------------------------------------------------

def test_single_source_above_names_the_amount_and_the_limit(make_tender):
    t = make_tender(item_kind="goods", method="single_source", estimated_value=wan(250))
    assert one(t, "SINGLE_SOURCE_ABOVE") == (
        "单一来源采购250万元，达到货物公开招标限额200万元，请核实是否经批准并公示。",
        {"item_kind": "goods", "item_kind_name": "货物", "method": "single_source", "method_name": "单一来源",
         "amount": "2500000.00", "threshold": "2000000.00"}, "")


# --- R003_SHORT_PERIOD --------------------------------------------------------

@pytest.mark.parametrize("method, name, deadline, days, minimum", [
    ("open", "公开招标", D(2023, 3, 20), 19, 20),
    ("selective", "邀请招标", D(2023, 3, 20), 19, 20),
    ("consultation", "竞争性磋商", D(2023, 3, 10), 9, 10),
    ("negotiation", "竞争性谈判", D(2023, 3, 3), 2, 3),
    ("rfq", "询价", D(2023, 3, 3), 2, 3),
])
def test_r003_measures_each_method_by_its_own_minimum(make_tender, method, name, deadline, days, minimum):
    t = make_tender(method=method, docs_issued=None, bid_deadline=deadline, opening_date=deadline)
    assert one(t, "R003_SHORT_PERIOD") == (
        f"{name}自公告2023-03-01至截止{deadline.isoformat()}仅{days}日，短于{minimum}日。",
        {"method": method, "notice_date": "2023-03-01", "bid_deadline": deadline.isoformat(), "days": days,
         "min_days": minimum}, "")


# --- R018_SINGLE_BID ----------------------------------------------------------

def test_r018_single_bid(make_tender):
    t = make_tender(method="negotiation", estimated_value=wan(50))
    bid(t, wan(48), A)
    assert one(t, "R018_SINGLE_BID") == ("竞争性谈判只收到1份投标（响应），竞争不充分。",
                                         {"bidders": 1, "method": "negotiation"}, "")


# --- R024_PRICE_CLOSE ---------------------------------------------------------

def test_r024_compares_with_the_closest_valid_price_not_the_lowest(make_tender):
    t = make_tender()
    winner = bid(t, wan(100), A)
    bid(t, wan("100.5"), B)
    bid(t, wan(95), C)
    bid(t, wan("100.1"), "丁建设有限公司（示例）", valid=False, disqualification_reason="资格不符")
    award(t, winner)
    assert one(t, "R024_PRICE_CLOSE") == (
        f"投标人{B}报价100.5万元与中标价100万元仅差0.50%（不超过1.00%）。",
        {"winning_price": "1000000.00", "closest_price": "1005000.00", "closest_bidder": B, "gap_percent": "0.50",
         "max_gap_percent": "1.00"}, "")


# --- R028_IDENTICAL_PRICES ----------------------------------------------------

def test_r028_names_the_bidders_and_the_price_and_keys_by_price(make_tender):
    t = make_tender()
    bid(t, wan(300), A)
    bid(t, wan(300), B)
    bid(t, wan(310), C)
    assert one(t, "R028_IDENTICAL_PRICES") == (f"投标人{A}、{B}报价均为300万元。",
                                               {"price": "3000000.00", "bidders": [A, B]}, "price:3000000.00")


# --- R035 / R036 --------------------------------------------------------------

def test_r035_counts_all_bids_and_the_disqualified(make_tender):
    t = make_tender()
    winner = bid(t, wan(290), A)
    bid(t, wan(295), B, valid=False, disqualification_reason="资格不符")
    bid(t, wan(299), C, valid=False, disqualification_reason="未按要求密封")
    award(t, winner)
    assert one(t, "R035_ALL_BUT_WINNER_DISQUALIFIED") == (
        f"共3份投标，除中标人{A}外2份全部被否决。", {"bidders": 3, "disqualified": 2, "winner": A}, "")


def test_r036_names_the_lowest_price_its_bidder_and_the_reason(make_tender):
    t = make_tender()
    winner = bid(t, wan(290), A)
    bid(t, wan(280), B, valid=False, disqualification_reason="业绩不符")
    bid(t, wan(299), C)
    award(t, winner)
    assert one(t, "R036_LOWEST_DISQUALIFIED") == (
        f"最低报价280万元（{B}）被否决，理由：业绩不符。",
        {"lowest_price": "2800000.00", "bidder": B, "reason": "业绩不符"}, "")


# --- REPEAT_WINNER ------------------------------------------------------------

def test_repeat_winner_names_supplier_buyer_year_and_the_awards(make_tender):
    tenders = []
    for i in range(3):
        t = make_tender(estimated_value=wan(50 + i), title=f"第{i + 1}次采购")
        t.award_supplier, t.award_supplier_uscc, t.award_value = "常胜建设有限公司（示例）", "", wan(49)
        t.save()
        tenders.append(t)
    for t in tenders:
        assert one(t, "REPEAT_WINNER") == (
            "常胜建设有限公司（示例）在2023年共3次中标测试采购人（示例）的采购，达到3次。",
            {"supplier": "常胜建设有限公司（示例）", "buyer": "测试采购人（示例）", "year": 2023, "awards": 3,
             "min_awards": 3, "items": [x.pk for x in tenders]}, "")


def test_every_rule_has_a_finding_read_whole_here():
    assert COVERED == set(RULES)


def test_rule_names_descriptions_and_parameter_labels_are_shown_in_the_readers_language():
    han = re.compile("[\u4e00-\u9fff]")
    for rule in RULES.values():
        assert rule.description and all(p.label for p in rule.params)
        with translation.override("zh-hans"):
            assert (rule.name_shown, rule.description_shown) == (rule.name, rule.description)
            assert [p.label_shown for p in rule.params] == [p.label for p in rule.params]
        with translation.override("en"):
            shown = [rule.name_shown, rule.description_shown, *(p.label_shown for p in rule.params)]
            assert all(text and not han.search(text) for text in shown), (rule.code, shown)
    # A rule without a description shows none (Python's own gettext("")
    # would give the catalogue's header; Django's gives "").
    bare = Rule("X", "测试规则", "", "", "low", (Param("n", "数量", "int", 1),), None)
    with translation.override("en"):
        assert bare.description_shown == ""
