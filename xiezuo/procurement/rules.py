"""The red-flag rules, each a function registered under a stable code.

A rule receives the process (a `Tender` with its bids and amendments loaded),
the parameters in force for it (national settings overlaid with the county's)
and a context that finds related processes. It returns `Hit`s: what fired,
the figures that made it fire and a Chinese explanation. The engine in
`services` adds the rule's name, citation and severity from the rule set.

Parameters are data (`RuleSetting.params`); the defaults here are only what a
rule falls back on when a rule set does not mention it. Money parameters are
yuan as decimal strings, percentages decimal strings, days integers.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext, gettext_noop

from lib.chinese import ChineseLabels
from lib.money import money as amount_text, yuan_str

from .models import (CONSULTANCY, GOODS, HIGH, LOW, MEDIUM, NEGOTIATION, NON_COMPETITIVE, OPEN, RFQ,
                     SELECTIVE, SERVICES, SINGLE_SOURCE, WORKS, CONSULTATION, ITEM_KINDS, METHODS)

# Stored explanations are Chinese records: the labels are read in Chinese.
KIND_NAMES = ChineseLabels(ITEM_KINDS)
METHOD_NAMES = ChineseLabels(METHODS)


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    kind: str  # "money" (yuan string, edited in 万元), "int", "percent", "bool"
    default: object

    @property
    def label_shown(self):
        return gettext(self.label)


@dataclass
class Hit:
    explanation: str
    figures: dict = field(default_factory=dict)
    key: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    law: str
    article: str
    severity: str
    params: tuple
    fn: object
    description: str = ""

    # Names and descriptions are kept in Chinese (findings store them) and
    # read in the reader's language where they are shown.
    @property
    def name_shown(self):
        return gettext(self.name)

    @property
    def description_shown(self):
        return gettext(self.description)  # Django's gettext gives "" for "", not the catalogue's header

    def defaults(self):
        return {p.name: p.default for p in self.params}


RULES = {}


def rule(code, name, *, law, article, severity, params=(), description=""):
    def register(fn):
        RULES[code] = Rule(code, name, law, article, severity, tuple(params), fn, description)
        return fn

    return register


def money(params, name):
    return Decimal(str(params[name]))


def percent_of(part, whole):
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


def kind_thresholds(works, goods, services, consultancy):
    return (
        Param(WORKS, gettext_noop("工程施工限额"), "money", works),
        Param(GOODS, gettext_noop("货物限额"), "money", goods),
        Param(SERVICES, gettext_noop("服务限额"), "money", services),
        Param(CONSULTANCY, gettext_noop("勘察设计监理限额"), "money", consultancy),
    )


# NDRC Order 16 (2018): works 400万, important goods 200万, survey/design/
# supervision 100万; central government procurement opens goods and services
# at 200万.
NATIONAL_THRESHOLDS = kind_thresholds("4000000.00", "2000000.00", "2000000.00", "1000000.00")


def _kind_method(t):
    return {"item_kind": t.item_kind, "item_kind_name": KIND_NAMES[t.item_kind],
            "method": t.method, "method_name": METHOD_NAMES[t.method]}


@rule("MANDATORY_TENDER", gettext_noop("依法必须招标项目未招标"),
      law="《必须招标的工程项目规定》（国家发展改革委令第16号）", article="第五条", severity=HIGH,
      params=NATIONAL_THRESHOLDS,
      description=gettext_noop("同一项目中同类采购合并计算，估算金额达到限额而未采用公开招标或邀请招标。"))
def mandatory_tender(t, params, ctx):
    if t.is_tendering():
        return []
    group = ctx.same_project_kind(t)
    total = sum((x.amount for x in group), Decimal(0))
    threshold = money(params, t.item_kind)
    if total < threshold:
        return []
    return [Hit(
        f"本项目{KIND_NAMES[t.item_kind]}类采购合计{amount_text(total)}（共{len(group)}项），达到依法必须招标标准"
        f"{amount_text(threshold)}，但本事项采用{METHOD_NAMES[t.method]}。",
        {**_kind_method(t), "project_total": yuan_str(total), "threshold": yuan_str(threshold),
         "items": [x.pk for x in group]},
    )]


@rule("BID_PERIOD", gettext_noop("招标文件发出至投标截止不足法定时限"),
      law="《中华人民共和国招标投标法》", article="第二十四条", severity=HIGH,
      params=(Param("min_days", gettext_noop("最短天数"), "int", 20),),
      description=gettext_noop("依法必须招标的项目，自招标文件开始发出之日起至投标截止之日止，最短不得少于二十日。"))
def bid_period(t, params, ctx):
    if not (t.is_tendering() and t.docs_issued and t.bid_deadline):
        return []
    days, minimum = (t.bid_deadline - t.docs_issued).days, int(params["min_days"])
    if days >= minimum:
        return []
    return [Hit(f"招标文件{t.docs_issued:%Y-%m-%d}发出，投标截止{t.bid_deadline:%Y-%m-%d}，仅{days}日，少于{minimum}日。",
                {"docs_issued": t.docs_issued.isoformat(), "bid_deadline": t.bid_deadline.isoformat(),
                 "days": days, "min_days": minimum})]


@rule("FEW_BIDDERS", gettext_noop("投标人少于3个"),
      law="《中华人民共和国招标投标法实施条例》", article="第四十四条", severity=HIGH,
      params=(Param("min_bidders", gettext_noop("最少投标人数"), "int", 3),),
      description=gettext_noop("投标人少于3个的，不得开标，招标人应当重新招标。"))
def few_bidders(t, params, ctx):
    bids = list(t.bids.all())
    minimum = int(params["min_bidders"])
    if not t.is_tendering() or not (bids or t.opening_date) or len(bids) >= minimum:
        return []
    return [Hit(f"{METHOD_NAMES[t.method]}仅收到{len(bids)}份投标，少于{minimum}个，依法不得开标、应重新招标。",
                {"bidders": len(bids), "min_bidders": minimum})]


def _shared(bids, attr):
    groups = {}
    for b in bids:
        value = (getattr(b, attr) or "").strip()
        if value:
            groups.setdefault(value, []).append(b)
    return {v: g for v, g in groups.items() if len(g) > 1}


def _digest(value):
    return hashlib.sha256(value.encode()).hexdigest()[:16]


@rule("SAME_LEGAL_REP", gettext_noop("不同投标人为同一法定代表人"),
      law="《中华人民共和国招标投标法实施条例》", article="第三十四条", severity=HIGH,
      description=gettext_noop("单位负责人为同一人或者存在控股、管理关系的不同单位，不得参加同一标段投标。"))
def same_legal_rep(t, params, ctx):
    hits = []
    for value, group in _shared(t.bids.all(), "legal_rep").items():
        names = "、".join(b.supplier_name for b in group)
        hits.append(Hit(f"投标人{names}的法定代表人均为{value}。",
                        {"legal_rep": value, "bidders": [b.supplier_name for b in group]},
                        key=f"legal_rep:{_digest(value)}"))
    return hits


COLLUSION_FIELDS = {"contact_phone": "联系电话", "bond_account": "投标保证金转出账户",
                    "project_manager": "项目经理"}
# Phones and bond accounts are stored encrypted: two bids share a number when
# they share its keyed hash (of the normalised number), and the finding (text,
# figures and key) never holds the number, only its stored masked copy.
COMPARED_BY = {"contact_phone": "contact_phone_hash", "bond_account": "bond_account_hash"}
SHOWN_AS = {"contact_phone": "contact_phone_masked", "bond_account": "bond_account_masked"}


@rule("DEEMED_COLLUSION", gettext_noop("视为串通投标的情形"),
      law="《中华人民共和国招标投标法实施条例》", article="第四十条", severity=HIGH,
      params=(Param("check_phone", gettext_noop("比对联系电话"), "bool", True),
              Param("check_bond_account", gettext_noop("比对保证金转出账户"), "bool", True),
              Param("check_project_manager", gettext_noop("比对项目经理"), "bool", True)),
      description=gettext_noop("不同投标人委托同一单位或个人办理投标事宜、投标保证金从同一单位或个人的账户转出等，视为串通投标。"))
def deemed_collusion(t, params, ctx):
    switches = {"contact_phone": "check_phone", "bond_account": "check_bond_account",
                "project_manager": "check_project_manager"}
    hits = []
    bids = list(t.bids.all())
    for attr, label in COLLUSION_FIELDS.items():
        if not params.get(switches[attr]):
            continue
        for value, group in _shared(bids, COMPARED_BY.get(attr, attr)).items():
            # Phone and account numbers are personal data: findings show them masked.
            shown = getattr(group[0], SHOWN_AS[attr]) if attr in SHOWN_AS else value
            names = "、".join(b.supplier_name for b in group)
            hits.append(Hit(f"投标人{names}的{label}相同（{shown}）。",
                            {"field": attr, "field_name": label, "value": shown,
                             "bidders": [b.supplier_name for b in group]},
                            key=f"{attr}:{_digest(value)}"))
    return hits


@rule("PUBLICITY", gettext_noop("中标候选人公示不合规"),
      law="《中华人民共和国招标投标法实施条例》", article="第五十四条", severity=MEDIUM,
      params=(Param("max_start_days", gettext_noop("收到评标报告后开始公示的最长天数"), "int", 3),
              Param("min_days", gettext_noop("公示期最短天数"), "int", 3)),
      description=gettext_noop("依法必须进行招标的项目，招标人应当自收到评标报告之日起3日内公示中标候选人，公示期不得少于3日；公示期满方可确定中标人。"))
def publicity(t, params, ctx):
    if not t.is_tendering():
        return []
    hits = []
    latest, minimum = int(params["max_start_days"]), int(params["min_days"])
    if t.evaluation_report and t.publicity_start:
        days = (t.publicity_start - t.evaluation_report).days
        if days > latest:
            hits.append(Hit(f"收到评标报告{days}日后才开始公示中标候选人，超过{latest}日。",
                            {"evaluation_report": t.evaluation_report.isoformat(),
                             "publicity_start": t.publicity_start.isoformat(), "days": days, "max_days": latest},
                            key="late"))
    if t.publicity_start and t.publicity_end:
        days = (t.publicity_end - t.publicity_start).days
        if days < minimum:
            hits.append(Hit(f"中标候选人公示期仅{days}日，少于{minimum}日。",
                            {"publicity_start": t.publicity_start.isoformat(),
                             "publicity_end": t.publicity_end.isoformat(), "days": days, "min_days": minimum},
                            key="short"))
    if t.award_date and t.publicity_end and t.award_date < t.publicity_end:
        hits.append(Hit(f"中标通知{t.award_date:%Y-%m-%d}发出时，中标候选人公示（至{t.publicity_end:%Y-%m-%d}）尚未结束。",
                        {"award_date": t.award_date.isoformat(), "publicity_end": t.publicity_end.isoformat()},
                        key="award_early"))
    if t.evaluation_report and t.award_date and not t.publicity_start:
        hits.append(Hit("已提交评标报告并发出中标通知，但未登记中标候选人公示。",
                        {"evaluation_report": t.evaluation_report.isoformat(), "award_date": t.award_date.isoformat()},
                        key="missing"))
    return hits


@rule("AMENDMENT_OVER", gettext_noop("合同追加金额超过原合同10%"),
      law="《中华人民共和国政府采购法》第四十九条；《中华人民共和国政府采购法实施条例》",
      article="第六十七条第（五）项", severity=HIGH,
      params=(Param("max_percent", gettext_noop("追加金额占原合同比例上限（%）"), "percent", "10.00"),),
      description=gettext_noop("政府采购合同履行中追加与合同标的相同的货物、工程或者服务，所有补充合同的采购金额不得超过原合同采购金额的10%。"))
def amendment_over(t, params, ctx):
    base = t.contract_value or t.award_value
    added = sum((a.value_change for a in t.amendments.all() if a.value_change > 0), Decimal(0))
    if not base or not added:
        return []
    share, limit = percent_of(added, base), Decimal(str(params["max_percent"]))
    if added * 100 <= limit * base:
        return []
    return [Hit(f"合同金额{amount_text(base)}，累计追加{amount_text(added)}，占{share}%，超过{limit}%。",
                {"contract_value": yuan_str(base), "added": yuan_str(added), "percent": str(share),
                 "max_percent": str(limit)})]


@rule("SPLITTING", gettext_noop("化整为零规避公开招标"),
      law="《中华人民共和国招标投标法》第四条；《中华人民共和国政府采购法实施条例》", article="第二十八条",
      severity=HIGH, params=NATIONAL_THRESHOLDS,
      description=gettext_noop("同一项目（或同一采购人同一年度）的同类采购以公开招标以外的方式多次采购，累计金额超过公开招标限额。"))
def splitting(t, params, ctx):
    if t.method == OPEN:
        return []
    group = ctx.split_group(t)
    if len(group) < 2:
        return []
    total = sum((x.amount for x in group), Decimal(0))
    threshold = money(params, t.item_kind)
    if total <= threshold:
        return []
    return [Hit(f"同一项目或同一采购人{t.year}年以公开招标以外方式采购{KIND_NAMES[t.item_kind]}{len(group)}次，"
                f"累计{amount_text(total)}，超过公开招标限额{amount_text(threshold)}。",
                {**_kind_method(t), "total": yuan_str(total), "threshold": yuan_str(threshold),
                 "items": [x.pk for x in group]})]


@rule("JUST_BELOW", gettext_noop("金额略低于限额"),
      law="《必须招标的工程项目规定》（国家发展改革委令第16号）", article="第五条", severity=LOW,
      params=NATIONAL_THRESHOLDS + (Param("band_percent", gettext_noop("低于限额的区间（%）"), "percent", "5.00"),),
      description=gettext_noop("估算金额落在限额以下的窄区间内，可能为规避招标而压低估算。"))
def just_below(t, params, ctx):
    threshold = money(params, t.item_kind)
    band = Decimal(str(params["band_percent"]))
    floor = threshold * (100 - band) / 100
    if not (floor <= t.amount < threshold):
        return []
    return [Hit(f"估算金额{amount_text(t.amount)}，仅比{KIND_NAMES[t.item_kind]}限额{amount_text(threshold)}低"
                f"{percent_of(threshold - t.amount, threshold)}%（预警区间{band}%）。",
                {**_kind_method(t), "amount": yuan_str(t.amount), "threshold": yuan_str(threshold),
                 "band_percent": str(band)})]


@rule("SINGLE_SOURCE_ABOVE", gettext_noop("单一来源采购金额达到公开招标限额"),
      law="《中华人民共和国政府采购法》", article="第二十七条、第三十一条", severity=MEDIUM,
      params=NATIONAL_THRESHOLDS,
      description=gettext_noop("达到公开招标数额标准的采购采用单一来源等非公开招标方式，须在采购活动开始前获得批准并公示。"))
def single_source_above(t, params, ctx):
    threshold = money(params, t.item_kind)
    if t.method != SINGLE_SOURCE or t.amount < threshold:
        return []
    return [Hit(f"单一来源采购{amount_text(t.amount)}，达到{KIND_NAMES[t.item_kind]}公开招标限额{amount_text(threshold)}，"
                f"请核实是否经批准并公示。",
                {**_kind_method(t), "amount": yuan_str(t.amount), "threshold": yuan_str(threshold)})]


@rule("R003_SHORT_PERIOD", gettext_noop("投标（响应）期过短"),
      law="Open Contracting Partnership Cardinal 红旗指标；《政府采购非招标采购方式管理办法》《政府采购竞争性磋商采购方式管理暂行办法》",
      article="R003", severity=MEDIUM,
      params=(Param("days_open", gettext_noop("公开招标最短天数"), "int", 20),
              Param("days_selective", gettext_noop("邀请招标最短天数"), "int", 20),
              Param("days_consultation", gettext_noop("竞争性磋商最短天数"), "int", 10),
              Param("days_negotiation", gettext_noop("竞争性谈判最短天数"), "int", 3),
              Param("days_rfq", gettext_noop("询价最短天数"), "int", 3)),
      description=gettext_noop("自公告（邀请）发布至投标（响应）截止的天数短于该采购方式的常规时限；"
                               "招标项目已记录招标文件发出日期的，由“招标文件发出至投标截止不足法定时限”一条判断，本条不再重复提示。"))
def short_period(t, params, ctx):
    key = {OPEN: "days_open", SELECTIVE: "days_selective", CONSULTATION: "days_consultation",
           NEGOTIATION: "days_negotiation", RFQ: "days_rfq"}.get(t.method)
    if not (key and t.notice_date and t.bid_deadline):
        return []
    if t.is_tendering() and t.docs_issued:
        # One finding per fact: a tender's period is measured by the law's own
        # interval (BID_PERIOD, 招标投标法第二十四条); this proxy would flag the
        # same short period a second time.
        return []
    days, minimum = (t.bid_deadline - t.notice_date).days, int(params[key])
    if days >= minimum:
        return []
    return [Hit(f"{METHOD_NAMES[t.method]}自公告{t.notice_date:%Y-%m-%d}至截止{t.bid_deadline:%Y-%m-%d}仅{days}日，"
                f"短于{minimum}日。",
                {"method": t.method, "notice_date": t.notice_date.isoformat(),
                 "bid_deadline": t.bid_deadline.isoformat(), "days": days, "min_days": minimum})]


@rule("R018_SINGLE_BID", gettext_noop("竞争性采购仅一家投标"),
      law="Open Contracting Partnership Cardinal 红旗指标", article="R018", severity=HIGH,
      description=gettext_noop("竞争性采购方式只收到一份投标（响应）。"))
def single_bid(t, params, ctx):
    n = len(t.bids.all())
    if t.method in NON_COMPETITIVE or n != 1:
        return []
    return [Hit(f"{METHOD_NAMES[t.method]}只收到1份投标（响应），竞争不充分。", {"bidders": n, "method": t.method})]


def _winner(t):
    for b in t.bids.all():
        if b.pk == t.winning_bid_id:
            return b
    return None


@rule("R024_PRICE_CLOSE", gettext_noop("其他报价与中标价过于接近"),
      law="Open Contracting Partnership Cardinal 红旗指标", article="R024", severity=MEDIUM,
      params=(Param("max_gap_percent", gettext_noop("与中标价的最大差距（%）"), "percent", "1.00"),),
      description=gettext_noop("有效投标中与中标价最接近的报价差距不超过设定比例，可能为陪标。"))
def price_close(t, params, ctx):
    winner = _winner(t)
    others = [b for b in t.bids.all() if b.valid and winner and b.pk != winner.pk]
    if not others:
        return []
    closest = min(others, key=lambda b: abs(b.price - winner.price))
    gap = abs(closest.price - winner.price)
    limit = Decimal(str(params["max_gap_percent"]))
    if gap * 100 > limit * winner.price:
        return []
    return [Hit(f"投标人{closest.supplier_name}报价{amount_text(closest.price)}与中标价{amount_text(winner.price)}仅差"
                f"{percent_of(gap, winner.price)}%（不超过{limit}%）。",
                {"winning_price": yuan_str(winner.price), "closest_price": yuan_str(closest.price),
                 "closest_bidder": closest.supplier_name, "gap_percent": str(percent_of(gap, winner.price)),
                 "max_gap_percent": str(limit)})]


@rule("R028_IDENTICAL_PRICES", gettext_noop("不同投标人报价相同"),
      law="Open Contracting Partnership Cardinal 红旗指标", article="R028", severity=HIGH,
      description=gettext_noop("两个以上投标人的报价完全相同。"))
def identical_prices(t, params, ctx):
    groups = {}
    for b in t.bids.all():
        groups.setdefault(b.price, []).append(b)
    return [Hit(f"投标人{'、'.join(b.supplier_name for b in g)}报价均为{amount_text(price)}。",
                {"price": yuan_str(price), "bidders": [b.supplier_name for b in g]}, key=f"price:{yuan_str(price)}")
            for price, g in groups.items() if len(g) > 1]


@rule("R035_ALL_BUT_WINNER_DISQUALIFIED", gettext_noop("除中标人外投标均被否决"),
      law="Open Contracting Partnership Cardinal 红旗指标", article="R035", severity=HIGH,
      description=gettext_noop("有两家以上投标，除中标人外的投标全部被否决。"))
def all_but_winner(t, params, ctx):
    winner = _winner(t)
    others = [b for b in t.bids.all() if winner and b.pk != winner.pk]
    if not others or any(b.valid for b in others):
        return []
    return [Hit(f"共{len(others) + 1}份投标，除中标人{winner.supplier_name}外{len(others)}份全部被否决。",
                {"bidders": len(others) + 1, "disqualified": len(others), "winner": winner.supplier_name})]


@rule("R036_LOWEST_DISQUALIFIED", gettext_noop("最低报价被否决"),
      law="Open Contracting Partnership Cardinal 红旗指标", article="R036", severity=MEDIUM,
      description=gettext_noop("报价最低的投标被否决，合同授予了报价更高的投标人。"))
def lowest_disqualified(t, params, ctx):
    bids = list(t.bids.all())
    if len(bids) < 2:
        return []
    lowest = min(b.price for b in bids)
    at_lowest = [b for b in bids if b.price == lowest]
    if any(b.valid for b in at_lowest):
        return []
    b = at_lowest[0]
    return [Hit(f"最低报价{amount_text(lowest)}（{b.supplier_name}）被否决，理由：{b.disqualification_reason}。",
                {"lowest_price": yuan_str(lowest), "bidder": b.supplier_name, "reason": b.disqualification_reason})]


@rule("REPEAT_WINNER", gettext_noop("同一供应商多次中标同一采购人"),
      law="Open Contracting Partnership Cardinal 红旗指标（供应商集中）", article="同一采购人年度中标次数",
      severity=LOW, params=(Param("min_awards", gettext_noop("同一年度中标次数达到"), "int", 3),),
      description=gettext_noop("同一供应商在同一年度内多次获得同一采购人的合同。"))
def repeat_winner(t, params, ctx):
    if not t.supplier_key:
        return []
    group = ctx.buyer_supplier_awards(t)
    minimum = int(params["min_awards"])
    if len(group) < minimum:
        return []
    return [Hit(f"{t.award_supplier}在{t.year}年共{len(group)}次中标{t.buyer}的采购，达到{minimum}次。",
                {"supplier": t.award_supplier, "buyer": str(t.buyer), "year": t.year, "awards": len(group),
                 "min_awards": minimum, "items": [x.pk for x in group]})]


def coerce(rule_obj, params):
    """Return the rule's defaults overlaid with `params`, keeping only known names."""
    merged = rule_obj.defaults()
    merged.update({k: v for k, v in (params or {}).items() if k in merged})
    return merged
