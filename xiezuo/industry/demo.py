"""Demo of the industry module, from the seed article (../shared/seed/FACTS.md).

From the article: the 2022-06-26/27 delegation visit led by 六合区委书记
李万平 (湟源县人民医院, 湟源臻品馆; met 湟源县委书记 韩俊良), the
六合区-湟源县2022年东西部协作联席会议 and its commitments, the two parks, and
the December 2021 visit of experts of 南京捷安润安工程顾问有限公司 on
tendering (a real company: no code is invented for it).

Illustrative (示例, `is_demo=True`): the owners, deadlines and progress of the
agreed items, the joint meeting's exact day, enterprises, workshops,
donations, the enterprise/social-organisation–village pairings and the
乡村振兴示范村.
"""

import datetime
from decimal import Decimal

from lib.ids import make_uscc
from xiezuo.demo import step
from xiezuo.pairings.models import Organisation, Pairing, Region

from . import services
from .models import (AgreedItem, DemoVillage, Donation, Investment, InvestmentArrival, Park, Visit, VisitOfficial,
                     Workshop, WorkshopMonth)

D = datetime.date


def county_pair():
    return Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")


def region(name, parent=None):
    qs = Region.objects.filter(name=name)
    if parent:
        qs = qs.filter(parent__name=parent)
    return qs.get()


@step(500)
def parks():
    county = county_pair()
    Park.objects.create(
        pairing=county, name="湟源县乡村振兴东西部协作产业园", region=region("湟源县"), since_year=2022,
        status=Park.BUILDING, note="报道称“积极打造湟源县乡村振兴东西部协作产业园项目”；共建起始年度按报道时间（2022年）登记。")
    Park.objects.create(
        pairing=county, name="湟源县乡村振兴产业孵化园", region=region("湟源县"), since_year=2022,
        status=Park.BUILDING, note="报道配图：建设中的湟源县乡村振兴产业孵化园。")


def _visit(county, officials, **fields):
    visit = Visit.objects.create(pairing=county, **fields)
    for side, name, post, role in officials:
        VisitOfficial.objects.create(visit=visit, side=side, name=name, post=post, role=role)
    return visit


@step(510)
def visits():
    county = county_pair()
    _visit(county, [("east", "李万平", "六合区委书记", "lead"), ("west", "韩俊良", "湟源县委书记", "host")],
           kind=Visit.LEADER, title="六合区党政代表团赴湟源县开展东西部协作交流访问", direction="east_to_west",
           start_on=D(2022, 6, 26), end_on=D(2022, 6, 27), places="湟源县人民医院\n湟源臻品馆",
           topics="肯定近年来两地协作成绩，部署下一年度协作发展；实地考察本年度东西部协作项目。")
    _visit(county, [("east", "李万平", "六合区委书记", "lead"), ("west", "韩俊良", "湟源县委书记", "host")],
           kind=Visit.JOINT_MEETING, title="六合区-湟源县2022年东西部协作联席会议", direction="east_to_west",
           start_on=D(2022, 6, 26), end_on=D(2022, 6, 26),
           topics="更加坚定地扛起政治责任；更加深入地拓展协作领域；更加务实地推动合作项目；更加用心地深化两地友谊。"
                  "（会议在代表团访问期间召开，具体日期为示例。）")
    _visit(county, [],
           kind=Visit.DEPARTMENT, title="南京捷安润安工程顾问有限公司专家来湟源交流座谈（招投标）",
           direction="east_to_west", start_on=D(2021, 12, 28), end_on=D(2021, 12, 28), places="湟源县发展和改革局",
           topics="湟源县发改局邀请，就江苏省招投标领域先进做法和经验给予指导，支持编制《湟源县关于进一步规范招投标、"
                  "发包监督管理的实施意见》。（报道称2021年12月底，具体日期为示例。）")


# (title, east owner, west owner, deadline, steps: [(date, status or None, text)])
ITEMS = [
    ("定期开展党政主要负责同志互访", "六合区委办公室", "湟源县委办公室", D(2022, 12, 31), [
        (D(2022, 6, 27), AgreedItem.IN_PROGRESS, "6月26日至27日六合区党政代表团赴湟源县交流访问。"),
        (D(2022, 10, 15), None, "商定下半年湟源县党政代表团回访六合（示例）。"),
    ]),
    ("进一步加强两地干部交流", "六合区委组织部", "湟源县委组织部", D(2022, 12, 31), [
        (D(2022, 7, 10), AgreedItem.IN_PROGRESS, "确定新一批挂职干部人选（示例）。"),
        (D(2022, 9, 1), AgreedItem.DONE, "挂职干部到岗（示例）。"),
    ]),
    ("鼓励引导企业家、行业协会、社团组织等社会力量参与协作", "六合区工商业联合会", "湟源县工商业联合会",
     D(2022, 12, 31), [(D(2022, 8, 5), AgreedItem.IN_PROGRESS, "组织六合企业家赴湟源考察对接（示例）。")]),
    ("农畜产品精深加工合作", "六合区农业农村局", "湟源县农牧水利和科技局", D(2023, 6, 30), [
        (D(2022, 7, 20), AgreedItem.IN_PROGRESS, "示例企业签约落地青稞、牦牛肉精深加工项目（示例）。"),
    ]),
    ("全域文化旅游合作", "六合区文化和旅游局", "湟源县文体旅游广电局", D(2023, 6, 30), []),
    ("新能源开发合作", "六合区发展和改革委员会", "湟源县发展和改革局", D(2023, 12, 31), []),
    ("商贸物流合作", "六合区商务局", "湟源县工业商务和信息化局", D(2023, 12, 31), [
        (D(2022, 11, 20), AgreedItem.SHELVED, "双方商定待物流园区规划完成后再推进（示例）。"),
    ]),
    ("吸引更多南京企业来湟投资兴业", "六合区投资促进中心", "湟源县招商服务中心", D(2022, 12, 31), [
        (D(2022, 7, 1), AgreedItem.IN_PROGRESS, "举办招商推介对接会（示例）。"),
        (D(2022, 10, 10), AgreedItem.DONE, "年内两家示例企业落地（示例）。"),
    ]),
    ("提升湟源特色农畜品牌在南京的知名度、美誉度", "六合区商务局", "湟源县工业商务和信息化局", D(2022, 12, 31), [
        (D(2022, 9, 10), AgreedItem.IN_PROGRESS, "依托湟源臻品馆、六合湟源消费扶贫专馆开展推介（示例）。"),
    ]),
]


@step(520)
def agreed_items():
    county = county_pair()
    meeting = Visit.objects.get(pairing=county, kind=Visit.JOINT_MEETING, start_on__year=2022)
    for title, east, west, deadline, steps in ITEMS:
        item = AgreedItem(pairing=county, year=2022, title=title, source_visit=meeting, east_owner=east,
                          west_owner=west, deadline=deadline, is_demo=True,
                          description="来自六合区-湟源县2022年东西部协作联席会议；责任单位、时限和进展为示例。")
        item.full_clean()
        item.save()
        for day, status, text in steps:
            if status:
                services.change_status(item, status, text=text, date=day)
            else:
                services.add_note(item, text, date=day)


def _org(name, kind, region_obj, first17):
    org, _ = Organisation.objects.get_or_create(
        name=name, region=region_obj, defaults={"kind": kind, "is_demo": True, "uscc": make_uscc(first17)})
    return org


def _months(workshop, counts):
    """Monthly rows from the opening month on: (employed, 脱贫, 监测对象)."""
    month = workshop.opened_on.replace(day=1)
    for employed, poverty, monitored in counts:
        WorkshopMonth.objects.create(workshop=workshop, month=month, employed=employed, poverty=poverty,
                                     monitored=monitored, note="示例")
        month = (month + datetime.timedelta(days=32)).replace(day=1)


@step(530)
def ledgers():
    county = county_pair()
    liuhe, huangyuan, dahua = region("六合区"), region("湟源县"), region("大华镇")
    food = _org("南京示例食品科技有限公司（示例）", "enterprise", liuhe, "91320116MA27D0001")
    logistics = _org("南京示例供应链管理有限公司（示例）", "enterprise", liuhe, "91320116MA27D0002")
    yak = _org("湟源示例牦牛肉加工有限公司（示例）", "enterprise", huangyuan, "91630123MA75D0003")
    coop = _org("湟源县示例民族服饰专业合作社（示例）", "coop", dahua, "93630123MA75D0004")
    charity = _org("南京示例爱心基金会（示例）", "social", liuhe, "53320116MA27D0005")
    industrial = Park.objects.get(pairing=county, name="湟源县乡村振兴东西部协作产业园")
    incubator = Park.objects.get(pairing=county, name="湟源县乡村振兴产业孵化园")

    processing = Investment.objects.create(
        pairing=county, enterprise=food, project_name="青稞、牦牛肉精深加工项目（示例）", origin_region=liuhe,
        industry="agri_processing", signed_on=D(2022, 6, 27), landed_on=D(2022, 7, 20), producing_on=D(2022, 11, 1),
        agreed_amount=Decimal("8000000.00"), park=industrial, jobs=60, jobs_poverty=18, is_demo=True)
    cold_chain = Investment.objects.create(
        pairing=county, enterprise=logistics, project_name="农畜产品冷链仓储项目（示例）", origin_region=liuhe,
        industry="logistics", signed_on=D(2022, 8, 18), landed_on=D(2022, 10, 10),
        agreed_amount=Decimal("3000000.00"), park=incubator, jobs=15, jobs_poverty=6, is_demo=True)
    # The money arrives in dated tranches, each counted in its own year.
    for investment, day, amount, note in (
            (processing, D(2022, 7, 20), "3000000.00", "首期到位（示例）"),
            (processing, D(2022, 11, 1), "2000000.00", "投产时第二期到位（示例）"),
            (cold_chain, D(2022, 10, 10), "3000000.00", "一次性到位（示例）")):
        InvestmentArrival.objects.create(investment=investment, date=day, amount=Decimal(amount), note=note,
                                         is_demo=True)

    # Monthly head counts (employed, 脱贫, 监测对象) through December 2022;
    # December's add up to 60 jobs, 32 of them 脱贫 with 监测对象.
    clothes = Workshop.objects.create(
        pairing=county, name="大华镇示例民族服饰帮扶车间（示例）", kind=Workshop.HOME, enterprise=coop,
        location=dahua, products="民族服饰、刺绣", opened_on=D(2022, 5, 1), recognised_on=D(2022, 5, 20),
        jobs=28, jobs_poverty=16, is_demo=True)
    _months(clothes, [(28, 14, 2), (32, 16, 2)] + [(35, 18, 2)] * 6)
    sorting = Workshop.objects.create(
        pairing=county, name="孵化园示例牦牛肉分拣帮扶车间（示例）", kind=Workshop.FACTORY, enterprise=yak,
        park=incubator, products="牦牛肉分拣包装", opened_on=D(2022, 9, 1), recognised_on=D(2022, 9, 15),
        jobs=20, jobs_poverty=9, is_demo=True)
    _months(sorting, [(20, 8, 1)] + [(25, 11, 1)] * 3)

    Donation.objects.create(
        pairing=county, date=D(2022, 8, 20), donor_name="南京市六合区示例商会（示例）", donor_kind="association",
        form=Donation.CASH, amount=Decimal("200000.00"), purpose="大华镇村级人居环境整治（示例）",
        receiver="湟源县大华镇人民政府", is_demo=True)
    Donation.objects.create(
        pairing=county, date=D(2022, 11, 15), donor_name=charity.name, donor_kind="social", donor_uscc=charity.uscc,
        form=Donation.IN_KIND, amount=Decimal("86000.00"), items="冬衣300件、棉被100床（示例）",
        purpose="困难群众冬季保暖（示例）", receiver="湟源县和平乡人民政府", is_demo=True)

    # One 乡村振兴示范村 (示例): the article names no model village.
    DemoVillage.objects.create(
        pairing=county, village=region("红土湾村", "大华镇"), level=DemoVillage.COUNTY, designated_year=2022,
        investment=Decimal("500000.00"), note="村容村貌整治、庭院经济（示例）", is_demo=True)
