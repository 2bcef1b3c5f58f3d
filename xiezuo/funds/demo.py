"""Funds and projects of 六合区—湟源县 from the article (../shared/seed/FACTS.md).

The article gives totals: 2021 财政援助资金 4300万元 in 7 projects of 4
categories; 2022 4220万元 in 12 projects of 5 categories; 490万元 of school
works in 2019–2020; the 2022 education projects and their beneficiaries; the
ICU equipment of 湟源县人民医院; 420万元 of township pairing funds in 2021;
530余万元 of support for the planning of 全域旅游, 大华园区 and 大黑沟森林公园.
How the totals split into receipts and projects is illustrative: every record
here is `is_demo=True`, invented names carry （示例）, and the parts add up to
the article's totals exactly.

The township pairing funds are receipts of kind 结对帮扶资金 on the township
sub-pairings: they roll up into the county pair's `social_received`, not its
`fiscal_received`, which stays the article's 4300万元.

The 530余万元 of planning support is given by the article without a year,
in the sentence on the streets' and 开发区's new pairing agreements, beside
(not inside) their 2021 帮扶资金420万元. We hold it as 结对帮扶资金 received
by those sub-pairs in 2022, one receipt per plan, each note naming its
purpose; the plans for the 大华工业园区 on the 开发区's pair with the park.
The year and which street paid which plan are illustrative (示例); the total
(536万元, "530余万元") and the three purposes are the article's. Dated 2022,
it leaves the article's 2021 figures (420万元 of pairing funds) as printed;
held on the sub-pairs, it leaves the county pair's own 2022 receipts (the
4220万元 its projects are allocated against) as printed too.
"""

import datetime
from decimal import Decimal
from importlib import import_module

from django.apps import apps

from xiezuo.accounts.models import User
from xiezuo.assets.demo import give_asset
from xiezuo.demo import step
from xiezuo.library.demo import give_entry
from xiezuo.notices.demo import give_notices
from xiezuo.pairings.models import Organisation, Pairing, Region

from .models import Disbursement, FundReceipt, Project, ProjectBeneficiary, ProjectCategory, ProjectOutput

D = datetime.date
WAN = Decimal(10_000)


def county_pair():
    return Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")


def org(name):
    return Organisation.objects.get(name=name)


def township(name):
    return Region.objects.get(name=name, level="township", parent__name="湟源县")


# Units named in the article (real, so without a 统一社会信用代码) and
# illustrative ones.
ORGS = [
    ("湟源县城关回族小学", "school", "城关镇", False),
    ("湟源县波航中心学校", "school", "波航乡", False),
    ("湟源县大华镇何家庄幼儿园", "school", "大华镇", False),
    ("湟源县乡村振兴局", "gov", "湟源县", False),
    ("湟源县人力资源和社会保障局", "gov", "湟源县", False),
    ("湟源县示例农牧业开发有限公司（示例）", "enterprise", "大华镇", True),
]


def seed_code_lists():
    """Make sure the code lists seeded by migrations exist: a database
    emptied by `flush` (transactional tests, a restore gone wrong) keeps its
    tables but loses their rows, and the demo needs the categories."""
    for name in ("0002_seed_categories", "0004_seed_health_rules", "0011_health_rule_no_asset"):
        import_module(f"xiezuo.funds.migrations.{name}").seed(apps, None)


@step(100)
def funds_organisations():
    seed_code_lists()
    for name, kind, region_name, demo in ORGS:
        region = Region.objects.filter(name=region_name).order_by("level").first()
        Organisation.objects.get_or_create(name=name, region=region, defaults={"kind": kind, "is_demo": demo})


# (pairing: None = county or the east street of a township pair, year, kind,
#  date, amount in 万元, note)
RECEIPTS = [
    (None, 2019, "fiscal", D(2019, 5, 20), "240", "2019—2020年学校改造资金490万元之2019年部分（拆分为示例）"),
    (None, 2020, "fiscal", D(2020, 4, 15), "250", "2019—2020年学校改造资金490万元之2020年部分（拆分为示例）"),
    (None, 2021, "fiscal", D(2021, 4, 12), "3000", "2021年财政援助资金4300万元第一批（拆分为示例）"),
    (None, 2021, "fiscal", D(2021, 8, 18), "1300", "2021年财政援助资金4300万元第二批（拆分为示例）"),
    (None, 2022, "fiscal", D(2022, 3, 28), "3000", "2022年项目资金4220万元第一批（拆分为示例）"),
    (None, 2022, "fiscal", D(2022, 7, 6), "1220", "2022年项目资金4220万元第二批（拆分为示例）"),
    ("雄州街道", 2021, "pairing", D(2021, 9, 10), "120", "2021年镇街结对帮扶资金420万元之一（拆分为示例）"),
    ("程桥街道", 2021, "pairing", D(2021, 9, 10), "100", "2021年镇街结对帮扶资金420万元之一（拆分为示例）"),
    ("金牛湖街道", 2021, "pairing", D(2021, 9, 10), "100", "2021年镇街结对帮扶资金420万元之一（拆分为示例）"),
    ("六合开发区", 2021, "pairing", D(2021, 9, 10), "100", "2021年镇街结对帮扶资金420万元之一（拆分为示例）"),
]


# The article's 530余万元 of planning support: (east party of the sub-pair,
# the park it pairs with or None, date, 万元, purpose).
PLANNING_SUPPORT = [
    ("雄州街道", None, D(2022, 3, 15), "236", "湟源县全域旅游发展规划编制"),
    ("六合开发区", "大华工业园区", D(2022, 3, 15), "180", "大华工业园区总体规划编制"),
    ("金牛湖街道", None, D(2022, 4, 20), "120", "大黑沟森林公园总体规划编制"),
]


@step(110)
def fund_receipts():
    county = county_pair()
    payer = org("南京市六合区人民政府")
    for east, year, kind, date, amount, note in RECEIPTS:
        pairing = county if east is None else Pairing.objects.get(parent=county, level="township",
                                                                  east_region__name=east)
        FundReceipt.objects.create(pairing=pairing, year=year, kind=kind, date=date, amount=Decimal(amount) * WAN,
                                   payer=payer if east is None else None, note=note, is_demo=True)
    for east, park, date, amount, purpose in PLANNING_SUPPORT:
        pairing = county.children.get(east_region__name=east, **(
            {"west_org__name": park} if park else {"level": "township"}))
        FundReceipt.objects.create(pairing=pairing, year=date.year, kind=FundReceipt.PAIRING, date=date,
                                   amount=Decimal(amount) * WAN, is_demo=True,
                                   note=f"支援规划编制帮扶资金530余万元之一：用于{purpose}（年份与拆分为示例）")


ED, HE, IN, RU, EM = "education", "health", "industry", "rural", "employment"

# code, name, category, 万元, township, unit, final status, planned start,
# planned finish, linkage, description
PROJECTS = [
    ("HY-2019-01", "湟源县学校外墙保温及门窗改造项目（示例）", ED, "240", "城关镇", "湟源县教育局", "handed_over",
     D(2019, 6, 1), D(2019, 10, 31), "", "2019—2020年学校改造（外墙保温、门窗）"),
    ("HY-2020-01", "湟源县学校主席台、看台、体育器材室及管网改造项目（示例）", ED, "250", "城关镇", "湟源县教育局",
     "handed_over", D(2020, 5, 1), D(2020, 9, 30), "", "主席台、看台、体育器材室、管网改造"),
    ("HY-2021-01", "湟源县乡村振兴东西部协作产业园建设项目", IN, "1200", "大华镇", "湟源县乡村振兴局", "handed_over",
     D(2021, 5, 1), D(2021, 11, 30), "asset,wage", "产业园标准化厂房及配套设施（金额为示例拆分）"),
    ("HY-2021-02", "湟源牦牛肉精深加工项目（示例）", IN, "800", "大华镇", "湟源县示例农牧业开发有限公司（示例）",
     "handed_over", D(2021, 5, 15), D(2021, 10, 31), "business,wage", "加工生产线（示例）"),
    ("HY-2021-03", "大华镇红土湾村树莓种植基地项目（示例）", IN, "500", "大华镇", "湟源县大华镇人民政府", "accepted",
     D(2021, 5, 1), D(2021, 9, 30), "asset", "树莓种植基地及冷库（示例）"),
    ("HY-2021-04", "大华镇塔湾村人居环境整治项目（示例）", RU, "600", "大华镇", "湟源县大华镇人民政府", "handed_over",
     D(2021, 6, 1), D(2021, 10, 31), "wage", "村庄道路、排水及亮化（示例）"),
    ("HY-2021-05", "和平乡小高陵村道路硬化项目（示例）", RU, "450", "和平乡", "湟源县和平乡人民政府", "handed_over",
     D(2021, 6, 1), D(2021, 10, 15), "wage", "村道硬化（示例）"),
    ("HY-2021-06", "东西部协作帮扶车间建设项目（示例）", EM, "350", "大华镇", "湟源县人力资源和社会保障局",
     "completed", D(2021, 7, 1), D(2021, 11, 30), "wage", "帮扶车间及设备（示例）"),
    ("HY-2021-07", "湟源县人民医院医疗设备购置项目（示例）", HE, "400", "城关镇", "湟源县人民医院", "handed_over",
     D(2021, 7, 1), D(2021, 12, 15), "", "医疗设备购置（示例）"),
    ("HY-2022-01", "城关回族小学等10所义务教育学校运动场建设项目", ED, "900", "城关镇", "湟源县教育局", "accepted",
     D(2022, 4, 1), D(2022, 9, 30), "", "10所义务教育学校运动场（金额为示例拆分）"),
    ("HY-2022-02", "大华镇何家庄幼儿园新建项目", ED, "450", "大华镇", "湟源县大华镇何家庄幼儿园", "completed",
     D(2022, 4, 1), D(2022, 10, 31), "", "新建公办幼儿园（金额为示例拆分）"),
    ("HY-2022-03", "和平乡茶汉素幼儿园等20所幼儿园（走教点）玩教具及设备购置项目", ED, "150", "和平乡", "湟源县教育局",
     "handed_over", D(2022, 4, 15), D(2022, 8, 31), "", "20所幼儿园（走教点）玩教具及设备（金额为示例拆分）"),
    ("HY-2022-04", "波航中心学校围墙建设项目", ED, "60", "波航乡", "湟源县波航中心学校", "accepted",
     D(2022, 5, 1), D(2022, 8, 31), "", "新建围墙约180米（金额为示例拆分）"),
    ("HY-2022-05", "湟源县人民医院重症监护室（ICU）设备购置项目", HE, "500", "城关镇", "湟源县人民医院", "handed_over",
     D(2022, 3, 1), D(2022, 6, 15), "", "用协作资金购置重症监护室设备（金额为示例拆分）"),
    ("HY-2022-06", "湟源县人民医院远程会诊中心建设项目（示例）", HE, "200", "城关镇", "湟源县人民医院",
     "implementing", D(2022, 8, 1), D(2022, 12, 31), "", "远程会诊设备及网络（示例）"),
    ("HY-2022-07", "湟源县乡村振兴产业孵化园建设项目", IN, "1000", "大华镇", "湟源县乡村振兴局", "implementing",
     D(2022, 5, 1), D(2023, 6, 30), "asset,business", "孵化园厂房（在建，金额为示例拆分）"),
    ("HY-2022-08", "湟源陈醋产业提升项目（示例）", IN, "300", "城关镇", "湟源县示例农牧业开发有限公司（示例）",
     "procurement", D(2022, 9, 1), D(2023, 5, 31), "business", "陈醋生产线改造（示例）"),
    ("HY-2022-09", "大华镇阿家图村人居环境整治项目（示例）", RU, "250", "大华镇", "湟源县大华镇人民政府", "completed",
     D(2022, 5, 1), D(2022, 9, 30), "wage", "村庄环境整治（示例）"),
    ("HY-2022-10", "日月藏族乡乡村道路提升项目（示例）", RU, "210", "日月藏族乡", "湟源县乡村振兴局", "approved",
     D(2022, 9, 1), D(2023, 7, 31), "wage", "乡村道路提升（示例）"),
    ("HY-2022-11", "东西部协作劳动技术培训项目", EM, "50", "城关镇", "湟源县人力资源和社会保障局", "completed",
     D(2022, 5, 1), D(2022, 8, 31), "wage", "东西部协作劳动技术培训班3期150人（金额为示例拆分）"),
    ("HY-2022-12", "就业帮扶车间建设项目（示例）", EM, "150", "大华镇", "湟源县人力资源和社会保障局", "implementing",
     D(2022, 6, 1), D(2022, 11, 30), "wage", "帮扶车间（示例）"),
]

# Counts on the article's education projects (the split of the 707 children
# between the new kindergarten and the 20 others is illustrative).
BENEFICIARIES = {
    "HY-2022-01": {"schools": 10, "students": 5593},
    "HY-2022-02": {"kindergartens": 1, "children": 65},
    "HY-2022-03": {"kindergartens": 20, "children": 642},
    "HY-2021-01": {"poverty": 320},
    "HY-2021-02": {"poverty": 85, "farmers": 260},
    "HY-2021-03": {"poverty": 120},
    "HY-2021-06": {"poverty": 60},
    "HY-2022-05": {"patients": 4000},
    "HY-2022-12": {"poverty": 45, "monitored": 8},
}
OUTPUTS = {
    "HY-2022-04": [("围墙", "180", "米", "新建围墙约180米")],
    "HY-2022-01": [("学校运动场", "10", "个", "")],
    "HY-2022-03": [("幼儿园玩教具及设备", "20", "所", "含走教点")],
    "HY-2022-05": [("重症监护室（ICU）设备", "1", "套", "")],
    "HY-2022-11": [("劳动技术培训班", "3", "期", "培训150人")],
}

STEPS = [Project.APPROVED, Project.PROCUREMENT, Project.IMPLEMENTING, Project.COMPLETED, Project.ACCEPTED,
         Project.HANDED_OVER]


def _step_dates(planned_start, planned_finish):
    """Illustrative dates of each step, in order and never in the future."""
    return {
        Project.APPROVED: planned_start - datetime.timedelta(days=45),
        Project.PROCUREMENT: planned_start - datetime.timedelta(days=30),
        Project.IMPLEMENTING: planned_start,
        Project.COMPLETED: planned_finish,
        Project.ACCEPTED: planned_finish + datetime.timedelta(days=30),
        Project.HANDED_OVER: planned_finish + datetime.timedelta(days=60),
    }


@step(120)
def projects():
    county = county_pair()
    west = User.objects.get(username="huangyuan")
    unit_user = User.objects.get(username="yiyuan")
    categories = {c.code: c for c in ProjectCategory.objects.all()}
    for (code, name, cat, amount, town, unit, final, start, finish, linkage, desc) in PROJECTS:
        project = Project.objects.create(
            pairing=county, code=code, name=name, year=int(code[3:7]), category=categories[cat],
            township=township(town), implementing_unit=org(unit), coop_funds=Decimal(amount) * WAN,
            planned_start=start, planned_finish=finish, linkage=linkage, description=desc, is_demo=True,
            linkage_note="带动脱贫群众务工增收（示例）" if "wage" in linkage else "",
        )
        for kind, count in BENEFICIARIES.get(code, {}).items():
            ProjectBeneficiary.objects.create(project=project, kind=kind, count=count)
        for out_name, qty, unit_name, note in OUTPUTS.get(code, []):
            ProjectOutput.objects.create(project=project, name=out_name, quantity=Decimal(qty), unit=unit_name,
                                         note=note)
        dates = _step_dates(start, finish)
        # Only a listed library entry may be approved: the entry comes first.
        give_entry(project, dates[Project.APPROVED])
        for status in STEPS[:STEPS.index(final) + 1]:
            give_asset(project, dates[status])  # an accepted project's asset, registered before its handover
            # The hospital reports the start and finish of its own projects.
            own = project.implementing_unit.name == "湟源县人民医院" and status in (Project.IMPLEMENTING,
                                                                              Project.COMPLETED)
            give_notices(project, status, dates[status])
            project.transition(unit_user if own else west, status, dates[status])


# Share of the cooperation funds paid out, by final status (illustrative).
PAID = {"handed_over": ("1", "0.6"), "accepted": ("0.9", "0.6"), "completed": ("0.7", "0.5"),
        "implementing": ("0.3", None), "procurement": (None, None), "approved": (None, None)}


@step(130)
def disbursements():
    west = User.objects.get(username="huangyuan")
    east = User.objects.get(username="liuhe")
    for n, project in enumerate(Project.objects.filter(is_demo=True, pairing=county_pair()).order_by("code"), 1):
        if project.code == "HY-2022-12":
            continue  # started without any payment: the health rule shows it
        total, first = PAID[project.status]
        if total is None:
            continue
        total_amount = (project.coop_funds * Decimal(total)).quantize(Decimal("0.01"))
        if first:
            head = (total_amount * Decimal(first)).quantize(Decimal("0.01"))
            parts = [(project.actual_start, head), (project.actual_finish, total_amount - head)]
        else:
            parts = [(project.actual_start, total_amount)]
        for i, (date, amount) in enumerate(parts, 1):
            d = Disbursement(project=project, date=date, amount=amount,
                             voucher_number=f"HYXZ{project.year}-{n:03d}-{i}",
                             purpose="工程进度款（示例）" if i == 1 else "竣工结算款（示例）", is_demo=True)
            d.submit(west)
            if project.code == "HY-2022-07":
                continue  # waiting for the east office
            d.confirm(east)
