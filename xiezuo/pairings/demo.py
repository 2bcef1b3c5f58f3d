"""Demo data of the foundation: regions, organisations, the pairing tree,
accounts and the yearly agreements of 六合区—湟源县.

Where the article names a relation without details (which 六合 street pairs
with which 湟源 township) the assignment here is illustrative and says so.
"""

import csv
import datetime
from decimal import Decimal

from django.core.management.base import CommandError

from xiezuo.accounts.models import Membership, User
from xiezuo.demo import DEMO_PASSWORD, DEMO_USERS, shared_dir, step

from .models import Agreement, AgreementTarget, Organisation, Pairing, Region
from .services import load_regions_csv

# Villages known by name only: no official code, so none is invented.
VILLAGES = {
    "大华镇": ["红土湾村", "河南村", "后庄村", "塔湾村", "崖根村", "晒尔村", "托思胡村", "牙麻岔村",
            "阿家图村", "纳隆沟村", "池汉新村"],
    "和平乡": ["小高陵村"],
}

# Counties of the demo's products, marked as 832 脱贫县.
DEMO_832_COUNTIES = ["湟源县"]

ORGS = [
    # name, kind, region name, demo?
    ("南京市六合区人民政府", "gov", "六合区", False),
    ("南京市六合区东西部协作办公室", "gov", "六合区", False),
    ("西宁市湟源县人民政府", "gov", "湟源县", False),
    ("湟源县东西部协作办公室", "gov", "湟源县", False),
    ("湟源县人民医院", "hospital", "湟源县", False),
    ("南京市六合区人民医院", "hospital", "六合区", False),
    ("湟源县城关第一小学", "school", "城关镇", False),
    ("南京市六合区示例小学（示例）", "school", "雄州街道", True),
    ("湟源县教育局", "gov", "湟源县", False),
    ("湟源县卫生健康局", "gov", "湟源县", False),
    ("大华工业园区", "other", "大华镇", False),
    ("湟源县大华镇人民政府", "gov", "大华镇", False),
    ("湟源县和平乡人民政府", "gov", "和平乡", False),
]

# (east township, west township or organisation, level, illustrative?)
TOWNSHIP_PAIRS = [
    ("雄州街道", "大华镇", None),
    ("程桥街道", "和平乡", None),
    ("金牛湖街道", "日月藏族乡", None),
    ("六合开发区", "波航乡", None),
    ("六合开发区", "大华镇", "大华工业园区"),
]


def region(name):
    return Region.objects.get(name=name)


@step(10)
def regions():
    path = shared_dir() / "seed" / "regions.csv"
    if not path.exists():
        raise CommandError(f"找不到区划代码表 {path}：请把 shared 目录放在仓库旁边，或设置 XIEZUO_SHARED_DIR")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        load_regions_csv(csv.DictReader(fh))
    for township, names in VILLAGES.items():
        parent = region(township)
        for name in names:
            village, _ = Region.objects.get_or_create(name=name, parent=parent, defaults={"level": "village"})
            village.full_name = village.make_full_name()
            village.save()
    # The public list of the 832 脱贫县 is not in the repository: the demo
    # marks the one county its products come from (an office loads the whole
    # list with `load_regions`, docs/modules/rules.md).
    for name in DEMO_832_COUNTIES:
        Region.objects.filter(name=name, level="county").update(is_832=True)


@step(20)
def organisations():
    for name, kind, region_name, demo in ORGS:
        Organisation.objects.get_or_create(name=name, region=region(region_name),
                                           defaults={"kind": kind, "is_demo": demo})


@step(30)
def pairings():
    county = Pairing.objects.create(
        level="county", east_region=region("六合区"), west_region=region("湟源县"),
        since=datetime.date(2021, 1, 1),
        note="2021年起按新一轮东西部协作结对；医疗帮扶自2017年开始。",
    )
    for east, west, west_org in TOWNSHIP_PAIRS:
        org = Organisation.objects.get(name=west_org) if west_org else None
        Pairing.objects.create(
            level="park" if org else "township", parent=county,
            east_region=region(east), west_region=region(west), west_org=org,
            since=datetime.date(2022, 6, 27),
            note="2022年签订新一轮结对协议。具体双方对应关系为示例。",
        )
    Pairing.objects.create(
        level="hospital", parent=county, east_region=region("六合区"), west_region=region("湟源县"),
        east_org=Organisation.objects.get(name="南京市六合区人民医院"),
        west_org=Organisation.objects.get(name="湟源县人民医院"),
        since=datetime.date(2017, 1, 1), note="自2017年起选派医疗专家。",
    )
    Pairing.objects.create(
        level="school", parent=county, east_region=region("雄州街道"), west_region=region("城关镇"),
        east_org=Organisation.objects.get(name="南京市六合区示例小学（示例）"),
        west_org=Organisation.objects.get(name="湟源县城关第一小学"),
        note="湟源县城关第一小学与南京一所小学结对（东部学校名称为示例）。",
    )


def county_pair():
    return Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")


@step(40)
def accounts():
    county = county_pair()
    hospital = Organisation.objects.get(name="湟源县人民医院")
    for username, display, role in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": display})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = user.is_staff = role is None
            user.save()
        if role:
            Membership.objects.get_or_create(
                user=user, pairing=county, role=role,
                defaults={"organisation": hospital if role == "unit" else None},
            )


# Targets are what the two sides agreed for the year; the funds are the
# article's figures, the rest illustrative.
AGREEMENTS = {
    2021: ("六合区—湟源县2021年东西部协作协议", [
        ("fiscal_funds", "4300", "万元"), ("projects", "7", "个"), ("training", "50", "人次"),
        ("consumption", "500", "万元"),
    ]),
    2022: ("六合区—湟源县2022年东西部协作协议", [
        ("fiscal_funds", "4220", "万元"), ("projects", "12", "个"), ("training", "100", "人次"),
        ("consumption", "500", "万元"), ("visits", "1", "次"), ("meetings", "1", "次"),
    ]),
}


@step(50)
def agreements():
    county = county_pair()
    for year, (title, targets) in AGREEMENTS.items():
        agreement = Agreement.objects.create(pairing=county, year=year, title=title,
                                             signed_on=datetime.date(year, 3, 1) if year == 2021 else datetime.date(2022, 6, 27))
        for indicator, value, unit in targets:
            AgreementTarget.objects.create(agreement=agreement, indicator=indicator, value=Decimal(value), unit=unit)
    for pairing in Pairing.objects.filter(parent=county, level__in=["township", "park"]):
        Agreement.objects.create(pairing=pairing, year=2022, title=f"{pairing}结对帮扶协议",
                                 signed_on=datetime.date(2022, 6, 27), note="新一轮结对协议（示例）")
