"""Illustrative tendering processes of the demo projects, and a county rule set.

The article names the county's rule (《湟源县关于进一步规范招投标、发包监督管理的
实施意见》) but not its content and no tender at all: every process, bidder,
price and date here is illustrative (示例), the bidders' 统一社会信用代码 are
plainly fictitious, and the county rule set's parameters are examples of what
an office would enter, not the document's text. Some processes trip the main
rules; others are clean.

The processes attach to the funds module's demo projects, found by code. When
those are absent (the funds demo not loaded), the step makes illustrative
projects of its own so the module still demonstrates itself.
"""

import datetime
from decimal import Decimal
from importlib import import_module

from django.apps import apps

from lib.ids import make_uscc
from xiezuo.demo import step
from xiezuo.funds.models import Project, ProjectCategory
from xiezuo.pairings.models import Organisation, Pairing, Region

from . import services
from .models import Amendment, Bid, RuleSet, RuleSetting, RuleSetVersion, Tender

D = datetime.date
WAN = Decimal(10_000)


def county_pair():
    return Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")


def buyer(name):
    county = Region.objects.get(name="湟源县", level="county")
    org, _ = Organisation.objects.get_or_create(name=name, region=county, defaults={"kind": "gov"})
    return org


# Project codes of the funds demo, with a fallback used only when it is absent:
# (code, fallback name, category, year, 万元).
PROJECTS = {
    "HY-2021-04": ("人居环境整治项目（示例）", "rural", 2021, "600"),
    "HY-2021-07": ("医疗设备购置项目（示例）", "health", 2021, "400"),
    "HY-2022-01": ("学校运动场建设项目（示例）", "education", 2022, "900"),
    "HY-2022-02": ("幼儿园新建项目（示例）", "education", 2022, "450"),
    "HY-2022-03": ("幼儿园玩教具及设备购置项目（示例）", "education", 2022, "150"),
    "HY-2022-04": ("学校围墙建设项目（示例）", "education", 2022, "60"),
    "HY-2022-05": ("重症监护室设备购置项目（示例）", "health", 2022, "500"),
    "HY-2022-06": ("远程会诊中心建设项目（示例）", "health", 2022, "200"),
    "HY-2022-07": ("产业孵化园建设项目（示例）", "industry", 2022, "1000"),
    "HY-2022-12": ("帮扶车间建设项目（示例）", "employment", 2022, "150"),
}


def project(code):
    county = county_pair()
    found = Project.objects.filter(pairing__path__startswith=county.path, code=code).first()
    if found:
        return found
    name, category, year, amount = PROJECTS[code]
    fallback = f"PX{code[2:]}"
    found = Project.objects.filter(pairing=county, code=fallback).first()
    return found or Project.objects.create(
        pairing=county, code=fallback, name=name, year=year, category=ProjectCategory.objects.get(code=category),
        coop_funds=Decimal(amount) * WAN, status="implementing", is_demo=True)


COUNTY_RULES = "湟源县关于进一步规范招投标、发包监督管理的实施意见"
COUNTY_LAW = f"《{COUNTY_RULES}》"
LOWER = {"works": "2000000.00", "goods": "1000000.00", "services": "1000000.00", "consultancy": "500000.00"}


@step(200)
def national_rules():
    """Seed the national rule set again if a test flushed the database (the
    data migration that normally creates it ran only once)."""
    if not RuleSet.objects.filter(pairing=None).exists():
        import_module("xiezuo.procurement.migrations.0002_seed_national_rules").seed(apps, None)


@step(210)
def county_rule_set():
    """Layer an illustrative county set on the national one: lower thresholds
    for tendering and splitting, and a supplier winning twice from one buyer
    in a year is already flagged."""
    ruleset = RuleSet.objects.create(
        pairing=county_pair(), name="湟源县招投标监督规则（示例参数）", is_demo=True,
        source=f"{COUNTY_LAW}（青海省首个县级招投标监督文件；本系统中的参数为示例）")
    version = RuleSetVersion.objects.create(ruleset=ruleset, effective_from=D(2022, 1, 1),
                                            note="示例：县级限额低于国家标准")
    for code, params, severity in (("MANDATORY_TENDER", LOWER, "high"), ("SPLITTING", LOWER, "high"),
                                   ("REPEAT_WINNER", {"min_awards": 2}, "medium")):
        RuleSetting.objects.create(rule_version=version, rule_code=code, params=params, severity=severity,
                                   law=COUNTY_LAW, article="（示例条款）")


_companies = {}


def bidder(name, price, *, legal=None, phone=None, account=None, manager=None, valid=True, reason=""):
    """Return a bid of an illustrative company; one company keeps its particulars across processes."""
    n = _companies.setdefault(name, len(_companies) + 1)
    return dict(supplier_name=f"{name}（示例）", supplier_uscc=make_uscc(f"91630123MA7EXM{n:03d}"),
                legal_rep=legal or f"法人{n:02d}（示例）", contact_phone=phone or f"1390000{n:04d}",
                bond_account=account or f"622200000000{n:04d}", project_manager=manager or f"经理{n:02d}（示例）",
                price=Decimal(price) * WAN, valid=valid, disqualification_reason=reason)


def make(project_code, *, bids=(), winner=None, amendments=(), **fields):
    t = Tender.objects.create(project=project(project_code), is_demo=True, **fields)
    made = [Bid.objects.create(tender=t, **b) for b in bids]
    if winner is not None:
        t.winning_bid = made[winner]
        t.save()
    for date, change, text in amendments:
        Amendment.objects.create(tender=t, date=date, value_change=Decimal(change) * WAN, description=text)
    return t


def tendering(start, days, *, report=2, publicity_after=1, publicity_days=3, award_after=6, sign_after=12):
    """Return the dates of a tender opened `days` after its documents were issued."""
    deadline = start + datetime.timedelta(days=days)
    report_on = deadline + datetime.timedelta(days=report)
    pub = report_on + datetime.timedelta(days=publicity_after)
    return dict(notice_date=start, docs_issued=start, bid_deadline=deadline, opening_date=deadline,
                evaluation_report=report_on, publicity_start=pub,
                publicity_end=pub + datetime.timedelta(days=publicity_days),
                award_date=report_on + datetime.timedelta(days=award_after),
                contract_signed=report_on + datetime.timedelta(days=sign_after))


@step(220)
def tenders():
    edu, hospital = buyer("湟源县教育局"), buyer("湟源县人民医院")
    rural, hrss = buyer("湟源县乡村振兴局"), buyer("湟源县人力资源和社会保障局")
    agent = "青海示例招标代理有限公司（示例）"
    with services.batch():
        # 2021, judged by the national rules only (the county set starts in 2022).
        make("HY-2021-07", code="HYZB-2021-011", title="医疗设备采购（示例）", item_kind="goods", method="open",
             estimated_value=380 * WAN, buyer=hospital, agent=agent, **tendering(D(2021, 7, 5), 25),
             contract_value=365 * WAN, contract_start=D(2021, 8, 20), contract_end=D(2021, 12, 15),
             bids=[bidder("青海示例医疗器械有限公司", "365"), bidder("西宁示例医疗设备有限公司", "372"),
                   bidder("兰州示例科技有限公司", "378"), bidder("甘肃示例医药有限公司", "381")], winner=0)
        make("HY-2021-04", code="HYZB-2021-006", title="人居环境整治工程施工（示例）", item_kind="works", method="open",
             estimated_value=560 * WAN, buyer=buyer("湟源县大华镇人民政府"), agent=agent,
             **tendering(D(2021, 5, 10), 22), contract_value=530 * WAN,
             contract_start=D(2021, 6, 10), contract_end=D(2021, 10, 31),
             bids=[bidder("青海示例路桥工程有限公司", "530"),
                   bidder("湟源示例建筑工程有限公司", "541.5", legal="马某（示例）"),
                   bidder("海东示例建设有限公司", "541.5", legal="马某（示例）"),
                   bidder("西宁示例市政工程有限公司", "549")], winner=0)
        # 2022: clean open tender with a small amendment (3.9%).
        make("HY-2022-01", code="HYZB-2022-003", title="10所学校运动场施工（示例）", item_kind="works",
             method="open", estimated_value=780 * WAN, buyer=edu, agent=agent, **tendering(D(2022, 3, 1), 24),
             contract_value=760 * WAN, contract_start=D(2022, 4, 20), contract_end=D(2022, 9, 30),
             bids=[bidder("青海示例体育设施工程有限公司", "760"), bidder("西宁示例建设集团有限公司", "772"),
                   bidder("湟中示例建筑安装有限公司", "779"), bidder("青海示例园林绿化有限公司", "785"),
                   bidder("海北示例工程有限公司", "790")], winner=0,
             amendments=[(D(2022, 7, 15), "30", "增加塑胶跑道面积")])
        # 19 days from documents to deadline; two bonds from one account; a close second price.
        make("HY-2022-02", code="HYZB-2022-004", title="何家庄幼儿园新建工程施工（示例）", item_kind="works",
             method="open", estimated_value=420 * WAN, buyer=buyer("湟源县大华镇人民政府"), agent=agent,
             **tendering(D(2022, 3, 10), 19), contract_value=408 * WAN,
             contract_start=D(2022, 4, 15), contract_end=D(2022, 10, 31),
             bids=[bidder("湟源示例建设工程有限公司", "408", account="6222000000009001"),
                   bidder("大通示例建筑有限公司", "410", account="6222000000009001"),
                   bidder("平安示例工程有限公司", "417")], winner=0)
        # Toys for 20 kindergartens bought in two 询价 lots: under the national
        # goods threshold, over the county's; the same supplier wins both.
        for lot, (value, price, date) in enumerate((("75", "74", D(2022, 4, 18)), ("70", "69", D(2022, 5, 9))), 1):
            make("HY-2022-03", code=f"HYXJ-2022-0{lot}", title=f"幼儿园玩教具采购第{lot}包（示例）",
                 item_kind="goods", method="rfq", estimated_value=Decimal(value) * WAN, buyer=edu,
                 notice_date=date, bid_deadline=date + datetime.timedelta(days=5),
                 award_date=date + datetime.timedelta(days=8), contract_signed=date + datetime.timedelta(days=12),
                 contract_value=Decimal(price) * WAN,
                 bids=[bidder("青海示例教育装备有限公司", price, phone="13900007777"),
                       bidder("西宁示例文体用品有限公司", str(Decimal(price) + 2)),
                       bidder("湟源示例商贸有限公司", str(Decimal(price) + 3))], winner=0)
        # A small wall bought directly: clean.
        make("HY-2022-04", code="HYXE-2022-001", title="波航中心学校围墙施工（示例）", item_kind="works",
             method="direct", estimated_value=58 * WAN, buyer=buyer("湟源县波航中心学校"),
             award_date=D(2022, 5, 5), award_supplier="湟源示例建筑劳务有限公司（示例）", award_value=57 * WAN,
             contract_signed=D(2022, 5, 8), contract_value=57 * WAN, contract_start=D(2022, 5, 10),
             contract_end=D(2022, 8, 31))
        # ICU equipment from a single source above the goods threshold.
        make("HY-2022-05", code="HYDY-2022-001", title="重症监护室（ICU）设备采购（示例）", item_kind="goods",
             method="single_source", estimated_value=480 * WAN, buyer=hospital, notice_date=D(2022, 3, 1),
             award_date=D(2022, 3, 15), contract_signed=D(2022, 3, 20), contract_value=478 * WAN,
             contract_start=D(2022, 3, 20), contract_end=D(2022, 6, 15),
             bids=[bidder("南京示例医疗科技有限公司", "478")], winner=0)
        # Just below the services threshold, and a single response to a 磋商.
        make("HY-2022-06", code="HYCS-2022-002", title="远程会诊系统建设服务（示例）", item_kind="services",
             method="consultation", estimated_value=195 * WAN, buyer=hospital, notice_date=D(2022, 8, 1),
             docs_issued=D(2022, 8, 1), bid_deadline=D(2022, 8, 12), award_date=D(2022, 8, 20),
             bids=[bidder("西宁示例信息技术有限公司", "193")], winner=0)
        # All but the winner disqualified, the lowest among them; late publicity; a 12.8% addition.
        make("HY-2022-07", code="HYZB-2022-009", title="产业孵化园厂房施工（示例）", item_kind="works",
             method="open", estimated_value=960 * WAN, buyer=rural, agent=agent,
             **tendering(D(2022, 4, 20), 26, publicity_after=5), contract_value=940 * WAN,
             contract_start=D(2022, 6, 1), contract_end=D(2023, 6, 30),
             bids=[bidder("青海示例钢结构工程有限公司", "940"),
                   bidder("西宁示例建工有限公司", "905", valid=False, reason="项目经理无相应注册证书"),
                   bidder("海南州示例建设有限公司", "918", valid=False, reason="投标保证金未按时到账"),
                   bidder("湟源示例土木工程有限公司", "925", valid=False, reason="未按要求签章")], winner=0,
             amendments=[(D(2022, 11, 10), "80", "增加配套道路"), (D(2023, 3, 1), "40", "增加消防设施")])
        # Supervision of the same works: only two bids were received.
        make("HY-2022-07", code="HYZB-2022-010", title="产业孵化园工程监理（示例）", item_kind="consultancy",
             method="open", estimated_value=45 * WAN, buyer=rural, agent=agent, **tendering(D(2022, 4, 25), 21),
             contract_value=43 * WAN, contract_start=D(2022, 6, 1), contract_end=D(2023, 6, 30),
             bids=[bidder("青海示例工程监理有限公司", "43"), bidder("西宁示例项目管理有限公司", "44.5")], winner=0)
        # A clean invitation to three.
        make("HY-2022-12", code="HYYQ-2022-001", title="帮扶车间建设工程（示例）", item_kind="works",
             method="selective", estimated_value=140 * WAN, buyer=hrss, **tendering(D(2022, 6, 1), 21),
             contract_value=136 * WAN, contract_start=D(2022, 7, 1), contract_end=D(2022, 11, 30),
             bids=[bidder("湟源示例装饰工程有限公司", "136"), bidder("西宁示例钢构有限公司", "139"),
                   bidder("青海示例建安有限公司", "142")], winner=0)
