"""Demo of consumption assistance: the article's 六合湟源消费扶贫专馆 and
湟源臻品馆, and sales of 湟源 products to Nanjing units adding up to more
than 1000万元 over 2021–2022 ("超千万元").

The article gives only the total. Buyers, their purchases and most producers
are illustrative (示例) and named so; 青海湟源日月山醋业有限责任公司 (湟源陈醋,
日月山牌) is a real enterprise and appears without a 统一社会信用代码, which
is not known here and is never invented.
"""

import datetime
import random
from decimal import Decimal

from lib.ids import make_uscc
from xiezuo.demo import step
from xiezuo.pairings.demo import county_pair
from xiezuo.pairings.models import Region

from .models import Buyer, CanteenBudget, Channel, Product, Sale, ShareSetting
from .services import bulk_create_sales, register_supplier

OUTLETS = [
    ("lh_hy_hall", "六合湟源消费扶贫专馆", Channel.HALL, 1),
    ("hy_zhenpin", "湟源臻品馆", Channel.HALL, 2),
]

# name, kind, region, uscc (None for a real enterprise), demo?
SUPPLIERS = [
    ("青海湟源日月山醋业有限责任公司", "enterprise", "湟源县", None, False),
    ("湟源县示例牦牛肉加工有限公司（示例）", "enterprise", "大华镇", make_uscc("91630123MA7DEM001"), True),
    ("湟源县示例青稞种植专业合作社（示例）", "coop", "和平乡", make_uscc("93630123MA7DEM002"), True),
    ("湟源县示例马铃薯家庭农场（示例）", "farm", "波航乡", make_uscc("92630123MA7DEM003"), True),
]

# name, category, unit, unit price, supplier index, certificate (示例 numbers only for 示例 producers)
PRODUCTS = [
    ("湟源陈醋", "condiment", "瓶", "12.80", 0, ""),
    ("湟源牦牛肉", "meat", "公斤", "168.00", 1, "示例认定-2021-0101"),
    ("藏羊肉", "meat", "公斤", "118.00", 1, "示例认定-2021-0102"),
    ("湟源马牙蚕豆", "beans", "公斤", "16.00", 2, "示例认定-2021-0201"),
    ("青稞米", "grain", "公斤", "9.60", 2, "示例认定-2021-0202"),
    ("马铃薯", "vegetable", "公斤", "3.20", 3, ""),
]

# name, kind, budget unit?, canteen budget 2022 (yuan) or None
BUYERS = [
    ("六合区示例机关事务管理局（示例）", "gov", True, "600000"),
    ("六合区示例中学（示例）", "public", True, "800000"),
    ("六合区示例街道办事处（示例）", "gov", True, "300000"),
    ("南京示例国资集团有限公司（示例）", "soe", False, None),
    ("南京示例商贸有限公司（示例）", "private", False, None),
    ("六合区示例工会（示例）", "union", False, None),
    ("南京个人消费者汇总（示例）", "individuals", False, None),
]
# The 2022 reserved shares the budget units declared (yuan, day): two by
# 20 February, the street office late (illustrative).
DECLARED = {0: ("90000", datetime.date(2022, 2, 15)), 1: ("80000", datetime.date(2022, 2, 18)),
            2: ("30000", datetime.date(2022, 3, 5))}

# channel code, buyer index, kind, products, monthly amount (yuan), months (None = every month)
PLAN = [
    ("lh_hy_hall", 6, Sale.HELPED, [0, 1, 3, 4], 150_000, None),
    ("hy_zhenpin", 6, Sale.HELPED, [1, 2, 0], 60_000, None),
    ("lh_hy_hall", 3, Sale.PURCHASED, [1, 2], 40_000, None),
    ("canteen", 1, Sale.PURCHASED, [4, 5, 3], 60_000, None),
    ("union", 5, Sale.PURCHASED, [1, 0, 2], 400_000, {2, 9}),
    ("fair", 4, Sale.HELPED, [0, 1, 3], 250_000, {6, 10}),
    ("ecommerce", 4, Sale.HELPED, [0, 3], 30_000, None),
]

# 832-platform canteen purchases in 2022 (buyer index → yuan): one unit above
# the encouraged 15%, one above the 10% line, one below it.
PURCHASES_832 = {0: 96_000, 1: 40_000, 2: 36_000}


@step(300)
def outlets():
    county = county_pair()
    Channel.seed_shared()
    for code, name, kind, order in OUTLETS:
        Channel.objects.get_or_create(pairing=county, code=code,
                                      defaults={"name": name, "kind": kind, "order": order})
    ShareSetting.objects.get_or_create(pairing=county)


@step(310)
def suppliers_products_buyers():
    county = county_pair()
    suppliers = [
        register_supplier(county, name=name, kind=kind, region=Region.objects.get(name=region), uscc=uscc,
                          is_demo=demo)
        for name, kind, region, uscc, demo in SUPPLIERS
    ]
    for name, category, unit, _price, s, cert in PRODUCTS:
        Product.objects.create(pairing=county, supplier=suppliers[s], name=name, category=category, unit=unit,
                               certificate_no=cert, is_demo=True,
                               certified_until=datetime.date(2023, 12, 31) if cert else None)
    for n, (name, kind, budget_unit, budget) in enumerate(BUYERS):
        buyer = Buyer.objects.create(pairing=county, name=name, kind=kind, is_budget_unit=budget_unit, is_demo=True)
        if budget:
            reserved, day = DECLARED[n]
            CanteenBudget.objects.create(buyer=buyer, year=2022, amount=Decimal(budget),
                                         reserved_amount=Decimal(reserved), declared_on=day)


def _sale(county, day, buyer, product, price, channel, kind, target, n):
    quantity = max(1, round(target / float(price)))
    return Sale(pairing=county, date=day, buyer=buyer, product=product, supplier_id=product.supplier_id,
                channel=channel, kind=kind, quantity=Decimal(quantity), unit_price=Decimal(price),
                amount=Decimal(quantity) * Decimal(price), voucher_no=f"示例凭证{day:%Y%m}-{n:03d}",
                note="示例", is_demo=True)


@step(320)
def sales():
    county = county_pair()
    rng = random.Random(2022)
    channels = {c.code: c for c in Channel.usable_by(county)}
    products = [Product.objects.get(pairing=county, name=p[0]) for p in PRODUCTS]
    buyers = [Buyer.objects.get(pairing=county, name=b[0]) for b in BUYERS]
    rows, n = [], 0
    for year in (2021, 2022):
        for month in range(1, 13):
            for code, b, kind, product_ids, monthly, months in PLAN:
                if months and month not in months:
                    continue
                share = Decimal(monthly) / len(product_ids)
                for p in product_ids:
                    n += 1
                    day = datetime.date(year, month, rng.randint(1, 28))
                    target = float(share) * rng.uniform(0.85, 1.25)
                    rows.append(_sale(county, day, buyers[b], products[p], PRODUCTS[p][3], channels[code], kind,
                                      target, n))
    for b, amount in PURCHASES_832.items():
        for quarter, p in enumerate((4, 3, 5, 0)):
            n += 1
            rows.append(_sale(county, datetime.date(2022, 3 * quarter + 2, 15), buyers[b], products[p],
                              PRODUCTS[p][3], channels["p832"], Sale.PURCHASED, amount / 4, n))
    bulk_create_sales(rows, summary="载入消费帮扶演示数据（示例）")
    total = sum(r.amount for r in rows)
    if total <= Decimal("10000000"):
        raise RuntimeError(f"demo sales add up to {total}, not over 1000万元 as the article says")
