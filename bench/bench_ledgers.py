"""Benchmark of the ledger import: `make bench-ledgers`.

The data. A sales ledger of 1,000,000 rows (kept under var/bench-ledgers/
and reused; seeded, so every run reads the same file), by default the
realistic one (`RealisticSales`, BENCH_LEDGER_DATA=realistic): what an
office's year of sales looks like — the system's own export layout under a
title and a 填报单位/金额单位 line, a 合计 row at the end, nearly every price
and amount distinct (random cents from 1.00 to 49,999.99; quantities whole,
to one or to three places; amount = quantity × price to the cent), 30% of
the dates typed as text in the five ways offices type them, a fifth of each
optional cell blank (供应商, 金额, 凭证号, 备注), every voucher written unique,
5,000 buyers and 2,000 products with names of the length offices
give them, texts in the shared strings table as Excel writes them. The
friendly ledger of the first runs (BENCH_LEDGER_DATA=friendly: under 1,000
distinct prices, 40 quantities, date cells only, nothing blank, 50 buyers,
texts inline) is kept for comparison; BENCH_LEDGER=funds benchmarks the
fund-receipt ledger instead.

The measures, each in its own subprocess on a fresh SQLite database:
  parse  the bare python-calamine read of the sheet (every row),
  ours   `run_import(..., commit=True)`: check, parse, validate, insert,
         totals, audit events — timed end to end (the section's CPU time),
(ours and parse take turns, BENCH_LEDGER_REPEAT=3 times each, and each is
reported by its median run), then once
  iee    django-import-export in its fastest configuration (use_bulk,
         skip_diff, no skip_unchanged, batch_size 10,000, force_init_instance
         so no instance-loader lookups, cached foreign-key widgets) on the
         same file;
then, on a 300,000-row file (BENCH_LEDGER_WHOLE_ROWS; 0 leaves it out),
whole processes three times each: `manage.py import_ledger` on a prepared
database against a process doing the bare parse, each measured as the
child's own user + sys CPU (os.wait4), interpreter and Django start-up
included.
Peak memory of each is its subprocess's own max RSS (os.wait4 on that
child); ours is held to the highest of its runs. Targets: ours ≥ 5x faster
than django-import-export, ≤ 2.5x the bare parse, peak ≤ 500 MB; whole
processes at 300,000 rows ≤ 3x. BENCH_LEDGER_ROWS=20000 gives a quick run,
BENCH_LEDGER_IEE=0 leaves django-import-export out.
"""

import datetime
import importlib.util
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench-ledgers"
TARGET_IEE_RATIO = 5.0
TARGET_PARSE_RATIO = 2.5
TARGET_PEAK_MB = 500
TARGET_WHOLE_RATIO = 3.0  # whole processes, start-up included


def rows_wanted():
    return int(os.environ.get("BENCH_LEDGER_ROWS", "1000000"))


def ledger_wanted():
    return os.environ.get("BENCH_LEDGER", "sales")


# ---------------------------------------------------------------- data
# Each ledger: the rows above the header, the header, the body rows and the
# rows below it, and the lookups the rows name.

N_BUYERS, N_SUPPLIERS, N_PRODUCTS, N_PAYERS = 50, 200, 500, 50


def data_wanted():
    """realistic (the default) or friendly (the generator of the first runs)."""
    data = os.environ.get("BENCH_LEDGER_DATA", "realistic")
    if data not in ("realistic", "friendly"):
        raise SystemExit(f"BENCH_LEDGER_DATA={data!r}: realistic or friendly")
    return data


@dataclass
class Layout:
    header: list
    rows: object  # rows(n) → an iterator of n body rows
    above: list = field(default_factory=list)  # title rows above the header
    below: object = None  # below() → the rows after the body (called once the body is written)


def funds_layout():
    header = ["*年度", "*资金类型", "拨付单位", "*文号", "*到位日期", "*金额（元）", "备注"]
    kinds = ["财政援助资金", "社会帮扶资金", "结对帮扶资金", "捐物折款"]
    base = datetime.date(2022, 1, 1)

    def row(i):
        return [2022, kinds[i % 4], f"示例拨付单位{i % N_PAYERS}（示例）", f"示例文号{i:08d}",
                base + datetime.timedelta(days=i % 365), (i % 90000) + 0.5, ""]

    return Layout(header, lambda n: map(row, range(1, n + 1)))


def layout(ledger, data):
    if ledger == "funds":
        return funds_layout()
    if data == "friendly":
        header, row = sales_rows(N_BUYERS, N_SUPPLIERS, N_PRODUCTS)
        return Layout(header, lambda n: map(row, range(1, n + 1)))
    return RealisticSales().layout()


def generate(ledger, data, rows, path):
    import xlsxwriter

    spec = layout(ledger, data)
    tmp = path.with_suffix(".tmp")
    # The friendly file streams its cells (constant_memory: every text cell
    # inline); the realistic one keeps its texts in the shared strings table,
    # as Excel, WPS and the system's own exports write them.
    streamed = data == "friendly" or ledger == "funds"
    wb = xlsxwriter.Workbook(tmp, {"constant_memory": streamed, "strings_to_numbers": False})
    ws = wb.add_worksheet("台账" if streamed else "消费帮扶销售")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00"})
    # Amounts in the realistic file carry the number format an export gives them.
    amounts = set() if streamed else {c for c, name in enumerate(spec.header) if "元" in name}
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})

    def put(r, values):
        for c, value in enumerate(values):
            if isinstance(value, datetime.date):
                ws.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_fmt)
            elif isinstance(value, str):
                if value:
                    ws.write_string(r, c, value)
            elif value is not None:
                ws.write_number(r, c, value, money if c in amounts else None)

    r = 0
    for line in spec.above:
        # A title row as offices write it: one text across the table's width.
        ws.merge_range(r, 0, r, len(spec.header) - 1, line, title if r == 0 else None)
        r += 1
    put(r, spec.header)
    for values in spec.rows(rows):
        r += 1
        put(r, values)
    for values in spec.below() if spec.below else ():
        r += 1
        put(r, values)
    wb.close()
    tmp.rename(path)


def sales_rows(n_buyers, n_suppliers, n_products):
    """Return (header, row(i)) of the friendly benchmark ledger: under 1,000
    distinct prices, 40 quantities, date cells only, no blank cell."""
    header = ["*销售日期", "*采购单位", "供应商", "*产品", "*销售渠道", "*类型", "*数量", "*单价（元）", "金额（元）",
              "凭证号"]
    base = datetime.date(2021, 1, 1)
    channels = ["食堂采购", "832平台", "工会采购", "消费帮扶专馆"]
    kinds = ["直接采购", "帮助销售"]

    per_supplier = n_products // n_suppliers

    def row(i):
        # Product j belongs to supplier j % n_suppliers (see sales_fixture).
        supplier = i % n_suppliers
        product = supplier + n_suppliers * ((i // 7) % per_supplier)
        quantity, price = i % 40 + 1, (i % 997 + 100) / 100
        return [base + datetime.timedelta(days=i % 730), f"示例采购单位{i % n_buyers:03d}（示例）",
                f"示例供应商{supplier:03d}（示例）", f"示例产品{product:03d}", channels[i % 4], kinds[i % 2],
                quantity, price, round(quantity * price, 2), f"PZ{i:08d}"]

    return header, row


class RealisticSales:
    """The realistic sales ledger: what an office's year of sales looks like.

    - The system's own export layout (11 columns, 备注 included) under two
      title rows (the ledger's name; 填报单位 and 金额单位), and a 合计 row
      at the end with the sum of the amounts.
    - 5,000 buyers and 2,000 products (400 suppliers, 5 products each) with
      names of the length offices give them, made by combining real-sounding
      parts: 南京市六合区人民政府龙袍街道办事处机关食堂,
      湟源县日月藏族乡兔尔干村青稞种植专业合作社青稞挂面（500克×20袋）.
    - Prices are random cents from 1.00 to 49,999.99 (about 9 in 10 of a
      million distinct), quantities whole (1 to 1,000), to one place (0.5 to
      500.0 kg) or to three places; the amount is quantity × price rounded
      to the cent, so nearly every amount is distinct too, and the model's
      check (amount within tolerance of quantity × price) holds.
    - Dates in 2022: 70% date cells, 30% text as offices type them
      (2022年6月26日, 2022/6/26, 2022.6.26, 20220626, 2022-06-26).
    - 20% of each optional cell blank: 供应商 (the product's supplier
      follows), 金额 (the ledger computes quantity × price), 凭证号 and 备注.
      Every written voucher is unique; the rows without one still differ in
      date, buyer, product or channel (their natural key).
    - Channels: the nine shared ones; 直接采购 70%, 帮助销售 30%.
    Seeded: the same file every time.
    """

    SEED = 20220626
    HEADER = ["*销售日期", "*采购单位", "供应商", "*产品", "*销售渠道", "*类型", "*数量", "*单价（元）", "金额（元）",
              "凭证号", "备注"]
    CHANNELS = ["消费帮扶专馆", "消费帮扶专柜", "消费帮扶专区", "832平台", "食堂采购", "工会采购", "展销会", "电商平台", "其他"]
    N_BUYERS, N_SUPPLIERS, PER_SUPPLIER = 5000, 400, 5

    @classmethod
    def buyers(cls):
        districts = ["南京市六合区", "南京市江宁区", "南京市浦口区", "南京市栖霞区", "南京市雨花台区", "南京市鼓楼区",
                     "南京市玄武区", "南京市秦淮区", "南京市建邺区", "南京市溧水区", "南京市高淳区", "南京市江北新区"]
        units = ["人民政府龙袍街道办事处", "人民政府雄州街道办事处", "人民政府竹镇镇", "人民政府冶山街道办事处",
                 "教育局", "卫生健康委员会", "人民医院", "中医院", "妇幼保健院", "第一中学", "第二中学", "实验小学",
                 "机关事务管理局", "公安分局", "人民法院", "人民检察院", "税务局", "市场监督管理局", "财政局",
                 "农业农村局", "交通运输局", "城市管理局", "文化和旅游局", "总工会", "供销合作社联合社",
                 "国有资产投资经营有限公司", "城市建设集团有限公司", "水务集团有限公司", "科技创新发展有限公司",
                 "疾病预防控制中心", "社会福利院", "融媒体中心", "图书馆", "职业教育中心", "开发区管理委员会",
                 "住房和城乡建设局", "生态环境分局", "退役军人事务局", "应急管理局", "人力资源和社会保障局",
                 "民政局", "司法局"]
        outlets = ["机关食堂", "职工食堂", "工会委员会", "后勤服务中心", "学生食堂", "办公室", "党群工作部", "采购中心",
                   "综合服务中心", "餐饮服务部", "食堂（第二餐厅）"]
        names = [f"{d}{u}{o}" for d in districts for u in units for o in outlets]
        random.Random(cls.SEED).shuffle(names)
        return names[:cls.N_BUYERS]

    @classmethod
    def suppliers(cls):
        towns = ["湟源县城关镇", "湟源县大华镇", "湟源县东峡乡", "湟源县日月藏族乡", "湟源县和平乡", "湟源县波航乡",
                 "湟源县申中乡", "湟源县巴燕乡", "湟源县寺寨乡"]
        villages = ["兔尔干村", "牧场村", "莫布拉村", "池汉素村", "下若药村", "哈城村", "大石头村", "纳隆口村",
                    "拉拉口村", "克素尔村", "尕庄村", "塔湾村"]
        trades = ["青稞种植专业合作社", "牦牛养殖专业合作社", "藏羊养殖专业合作社", "马铃薯种植专业合作社",
                  "油菜籽加工专业合作社", "中藏药材种植专业合作社", "农副产品加工有限公司", "家庭农场",
                  "生态农业开发有限公司", "绿色食品有限责任公司"]
        names = [f"{t}{v}{k}" for t in towns for v in villages for k in trades]
        random.Random(cls.SEED + 1).shuffle(names)
        return names[:cls.N_SUPPLIERS]

    @classmethod
    def products(cls):
        """[(supplier index, product name)]: product j belongs to supplier j // PER_SUPPLIER."""
        goods = ["青稞挂面", "青稞米", "黑青稞粉", "牦牛肉干", "风干牦牛肉", "藏羊肉卷", "冷冻羊排", "马铃薯粉条",
                 "高原土豆", "菜籽油", "压榨菜籽油", "枸杞", "黑枸杞", "当归切片", "黄芪", "蜂蜜", "酸奶",
                 "牦牛酸奶", "青稞酒", "沙棘汁", "湟源陈醋", "蚕豆", "干辣椒"]
        packs = ["500克×20袋", "1千克×10袋", "250克×40袋", "5升×4桶", "2.5千克×6袋", "200克×30盒", "10千克/箱",
                 "散装/公斤", "礼盒装（6瓶）", "180毫升×12瓶", "1.8升×6桶", "500克×12罐"]
        rng = random.Random(cls.SEED + 2)
        products = []
        for s, supplier in enumerate(cls.suppliers()):
            picked = rng.sample([(g, p) for g in goods for p in packs], cls.PER_SUPPLIER)
            products.extend((s, f"{supplier}{g}（{p}）") for g, p in picked)
        return products

    NOTES = ["春节慰问品采购", "端午节职工福利", "中秋节职工福利", "食堂食材采购", "工会会员福利", "对口帮扶展销会现场采购",
             "832平台订单", "发票已开具", "货款已支付", "分批配送", "东西部协作消费帮扶", "以购代捐"]

    def layout(self):
        self.total_cents = 0
        return Layout(self.HEADER, self.rows, above=[
            "2022年度消费帮扶销售台账",
            "填报单位：南京市六合区对口帮扶湟源县工作组（盖章）        金额单位：元"], below=self.below)

    def rows(self, n):
        rng = random.Random(self.SEED + 3)
        buyers, suppliers, products = self.buyers(), self.suppliers(), self.products()
        first = datetime.date(2022, 1, 1)
        forms = ["{y}年{m}月{d}日", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}{m:02d}{d:02d}", "{y}-{m:02d}-{d:02d}"]
        keys = set()  # natural keys of the rows without a voucher
        cent = Decimal("0.01")
        for i in range(1, n + 1):
            day = first + datetime.timedelta(days=rng.randrange(365))
            buyer = rng.randrange(len(buyers))
            product = rng.randrange(len(products))
            channel = rng.randrange(len(self.CHANNELS))
            shape = rng.random()
            if shape < 0.5:
                quantity = Decimal(rng.randint(1, 1000))
            elif shape < 0.8:
                quantity = Decimal(rng.randint(5, 5000)).scaleb(-1)
            else:
                quantity = Decimal(rng.randint(1, 200_000)).scaleb(-3)
            price = Decimal(rng.randint(100, 4_999_999)).scaleb(-2)
            amount = (quantity * price).quantize(cent, ROUND_HALF_UP)
            self.total_cents += int(amount * 100)
            if rng.random() < 0.3:
                written = rng.choice(forms).format(y=day.year, m=day.month, d=day.day)
            else:
                written = day
            voucher = f"{day.year}{day.month:02d}-记-{i:07d}"
            if rng.random() < 0.2:
                key = (day, buyer, product, channel)
                if key not in keys:  # another row without a voucher has this key: this one keeps its voucher
                    keys.add(key)
                    voucher = ""
            yield [written, buyers[buyer], "" if rng.random() < 0.2 else suppliers[products[product][0]],
                   products[product][1], self.CHANNELS[channel], "直接采购" if rng.random() < 0.7 else "帮助销售",
                   float(quantity), float(price), "" if rng.random() < 0.2 else float(amount), voucher,
                   "" if rng.random() < 0.2 else rng.choice(self.NOTES)]

    def below(self):
        return [["合计", "", "", "", "", "", "", "", self.total_cents / 100, "", ""]]


def sales_fixture(pairing, east, west, n_buyers, n_suppliers, n_products):
    """Create the buyers, suppliers and products the benchmark ledger names."""
    from xiezuo.consumption.services import register_supplier

    from xiezuo.consumption.models import Buyer, Product

    suppliers = [register_supplier(pairing, name=f"示例供应商{i:03d}（示例）", kind="coop", region=west)
                 for i in range(n_suppliers)]
    for j in range(n_products):
        Product.objects.create(pairing=pairing, supplier=suppliers[j % n_suppliers], name=f"示例产品{j:03d}",
                               category="other", unit="公斤")
    Buyer.objects.bulk_create(Buyer(pairing=pairing, name=f"示例采购单位{i:03d}（示例）", kind="gov")
                              for i in range(n_buyers))


def sales_resource(pairing, realistic):
    """A django-import-export ModelResource for Sale in its fastest configuration.

    For the realistic file it is given what that file needs and nothing
    more: dates read with our `parse_date` (django-import-export's DateWidget
    knows none of the typed forms), 凭证号 and 备注 with blank cells as "",
    the 合计 row dropped before the import (it would fail every column), and
    a blank supplier taken from the product through a map loaded once
    (`Sale.set_derived` would query the product per row)."""
    from import_export import fields, resources, widgets

    from lib.dates import parse_date

    from xiezuo.consumption.models import Buyer, Channel, Product, Sale, Supplier

    class CachedFK(widgets.ForeignKeyWidget):
        """ForeignKeyWidget with the lookup done once, not once per row."""

        def __init__(self, model, field, queryset=None):
            super().__init__(model, field)
            self.cache = {key: pk for key, pk in (queryset or model.objects).values_list(field, "pk")}

        def clean(self, value, row=None, **kwargs):
            return self.cache.get(value) if value else None

    class LabelChoice(widgets.Widget):
        def __init__(self, choices):
            self.codes = {label: code for code, label in choices}

        def clean(self, value, row=None, **kwargs):
            return self.codes[value]

    class LedgerDate(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return parse_date(value)

    supplier_of = dict(Product.objects.values_list("pk", "supplier_id"))

    class SaleResource(resources.ModelResource):
        date = fields.Field(attribute="date", column_name="*销售日期",
                            widget=LedgerDate() if realistic else widgets.DateWidget())
        buyer_id = fields.Field(attribute="buyer_id", column_name="*采购单位", widget=CachedFK(Buyer, "name"))
        supplier_id = fields.Field(attribute="supplier_id", column_name="供应商",
                                   widget=CachedFK(Supplier, "organisation__name"))
        product_id = fields.Field(attribute="product_id", column_name="*产品", widget=CachedFK(Product, "name"))
        channel_id = fields.Field(attribute="channel_id", column_name="*销售渠道", widget=CachedFK(Channel, "name"))
        kind = fields.Field(attribute="kind", column_name="*类型", widget=LabelChoice(Sale.KINDS))
        quantity = fields.Field(attribute="quantity", column_name="*数量", widget=widgets.DecimalWidget())
        unit_price = fields.Field(attribute="unit_price", column_name="*单价（元）", widget=widgets.DecimalWidget())
        amount = fields.Field(attribute="amount", column_name="金额（元）", widget=widgets.DecimalWidget())
        voucher_no = fields.Field(attribute="voucher_no", column_name="凭证号", widget=widgets.CharWidget())
        if realistic:
            note = fields.Field(attribute="note", column_name="备注", widget=widgets.CharWidget())

        class Meta:
            model = Sale
            fields = ("date", "buyer_id", "supplier_id", "product_id", "channel_id", "kind", "quantity",
                      "unit_price", "amount", "voucher_no") + (("note",) if realistic else ())
            use_bulk = True
            batch_size = 10_000
            skip_diff = True
            skip_unchanged = False
            force_init_instance = True
            use_transactions = True

        def init_instance(self, row=None):
            instance = super().init_instance(row)
            instance.pairing_id = pairing.pk
            return instance

        def before_import(self, dataset, **kwargs):
            if realistic:
                for i in reversed([i for i, row in enumerate(dataset) if row[0] == "合计"]):
                    del dataset[i]

        def before_save_instance(self, instance, row, **kwargs):
            if instance.supplier_id is None:
                instance.supplier_id = supplier_of[instance.product_id]
            instance.set_derived()

    return SaleResource()


# ------------------------------------------------------------ children
def setup_django(db):
    sys.path.insert(0, str(ROOT))
    from bench import common

    common.setup_django(f"sqlite:///{db}")


def fixture(ledger, data):
    """Create the pairing and the lookup rows the generated ledger names."""
    from xiezuo.pairings.models import Organisation, Pairing, Region

    east = Region.objects.create(code="320116000000", name="六合区", level="county")
    west = Region.objects.create(code="630123000000", name="湟源县", level="county")
    pairing = Pairing.objects.create(level="county", east_region=east, west_region=west)
    if ledger == "funds":
        Organisation.objects.bulk_create(Organisation(name=f"示例拨付单位{i}（示例）", kind="gov", region=east)
                                         for i in range(N_PAYERS))
    elif data == "friendly":
        sales_fixture(pairing, east, west, N_BUYERS, N_SUPPLIERS, N_PRODUCTS)
    else:
        realistic_fixture(pairing, west)
    return pairing


def realistic_fixture(pairing, west):
    """Create the buyers, suppliers and products of the realistic ledger."""
    from xiezuo.consumption.models import Buyer, Product
    from xiezuo.consumption.services import register_supplier

    def kind(name):
        return "farm" if name.endswith("家庭农场") else "coop" if name.endswith("合作社") else "enterprise"

    suppliers = [register_supplier(pairing, name=name, kind=kind(name), region=west)
                 for name in RealisticSales.suppliers()]
    Product.objects.bulk_create(Product(pairing=pairing, supplier=suppliers[s], name=name, category="other",
                                        unit="箱") for s, name in RealisticSales.products())
    Buyer.objects.bulk_create(Buyer(pairing=pairing, name=name, kind="gov") for name in RealisticSales.buyers())


def child_parse(path):
    import python_calamine

    t0, c0 = time.perf_counter(), time.process_time()
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    n = 0
    for _ in wb.get_sheet_by_index(0).iter_rows():
        n += 1
    wb.close()
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "rows": n}


def child_ours(ledger, data, path, db):
    setup_django(db)
    pairing = fixture(ledger, data)
    from xiezuo.ledgers.importer import run_import
    from xiezuo.ledgers.services import command_user
    from xiezuo.ledgers.spec import Context, get_spec

    spec = get_spec(ledger)
    t0, c0 = time.perf_counter(), time.process_time()
    result = run_import(spec, Context(pairing=pairing, user=command_user()), path, commit=True)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    errors = [str(e) for e in result.errors[:5]]
    return {"seconds": seconds, "cpu": cpu, "rows": result.added, "errors": errors,
            "stored": spec.model.objects.count()}


def child_iee(ledger, data, path, db):
    setup_django(db)
    pairing = fixture(ledger, data)
    import tablib

    if ledger == "funds":
        resource = funds_resource(pairing)
        model = resource._meta.model
    else:
        resource = sales_resource(pairing, data == "realistic")
        model = resource._meta.model
    t0, c0 = time.perf_counter(), time.process_time()
    with open(path, "rb") as fh:
        # The realistic file's two title rows come before its header.
        dataset = tablib.Dataset().load(fh, format="xlsx", skip_lines=2 if data == "realistic" else 0)
    loaded = time.perf_counter() - t0
    result = resource.import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "load_seconds": loaded, "rows": result.totals.get("new", 0),
            "stored": model.objects.count()}


def funds_resource(pairing):
    from import_export import fields, resources, widgets

    from xiezuo.funds.models import FundReceipt
    from xiezuo.pairings.models import Organisation

    class CachedFK(widgets.ForeignKeyWidget):
        def __init__(self, model, field):
            super().__init__(model, field)
            self.cache = {getattr(o, field): o for o in model.objects.all()}

        def clean(self, value, row=None, **kwargs):
            return self.cache.get(value) if value else None

    class LabelChoice(widgets.Widget):
        def __init__(self, choices):
            self.codes = {label: code for code, label in choices}

        def clean(self, value, row=None, **kwargs):
            return self.codes[value]

    class FundReceiptResource(resources.ModelResource):
        year = fields.Field(attribute="year", column_name="*年度", widget=widgets.IntegerWidget())
        kind = fields.Field(attribute="kind", column_name="*资金类型", widget=LabelChoice(FundReceipt.KINDS))
        payer = fields.Field(attribute="payer", column_name="拨付单位", widget=CachedFK(Organisation, "name"))
        doc_number = fields.Field(attribute="doc_number", column_name="*文号")
        date = fields.Field(attribute="date", column_name="*到位日期", widget=widgets.DateWidget())
        amount = fields.Field(attribute="amount", column_name="*金额（元）", widget=widgets.DecimalWidget())

        class Meta:
            model = FundReceipt
            fields = ("year", "kind", "payer", "doc_number", "date", "amount")
            use_bulk = True
            batch_size = 10_000
            skip_diff = True
            skip_unchanged = False
            force_init_instance = True
            use_transactions = True

        def init_instance(self, row=None):
            instance = super().init_instance(row)
            instance.pairing_id = pairing.pk
            return instance

    return FundReceiptResource()


def child_prepare(ledger, data, db):
    """Make the database the whole-process runs copy: migrated, with the
    lookups and the command's user; print the pairing's id."""
    setup_django(db)
    pairing = fixture(ledger, data)
    from django.db import connection

    from xiezuo.ledgers.services import command_user

    command_user()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copy is the main file alone
    return {"pairing": pairing.pk}


def child(argv):
    kind, ledger, data, path = argv[0], argv[1], argv[2], Path(argv[3])
    db = Path(argv[4]) if len(argv) > 4 else None
    if db:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    if kind == "parse":
        out = child_parse(path)
    elif kind == "ours":
        out = child_ours(ledger, data, path, db)
    elif kind == "prepare":
        out = child_prepare(ledger, data, db)
    else:
        out = child_iee(ledger, data, path, db)
    print("RESULT " + json.dumps(out, ensure_ascii=False), flush=True)
    return 0


# -------------------------------------------------------------- parent
REPEAT = int(os.environ.get("BENCH_LEDGER_REPEAT", "3"))


def run_process(cmd, env=None):
    """Run one command; return (its stdout, its own usage: CPU s, wall s, max RSS MB)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, env=env)
        # wait4 reaps this child and gives its own resource usage, whatever
        # ran before it; the exit code is handed to Popen, which would
        # otherwise try to reap the child again.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[2:5]} failed:\n{stdout[-2000:]}\n{stderr[-3000:]}")
    return stdout, {"cpu": usage.ru_utime + usage.ru_stime, "seconds": wall, "rss": usage.ru_maxrss / 1024}


def run_child(kind, ledger, data, path, db=None):
    """Run one measurement in a subprocess; return (its result, its own max RSS in MB)."""
    cmd = [sys.executable, "-m", "bench.bench_ledgers", kind, ledger, data, str(path)] + ([str(db)] if db else [])
    stdout, usage = run_process(cmd)
    line = [x for x in stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT "):]), usage["rss"]


def median_run(runs):
    """The run with the median CPU time (of an odd number of runs)."""
    return sorted(runs, key=lambda r: r["cpu"])[len(runs) // 2]


def ledger_file(ledger, data, rows):
    """Return the generated ledger of that size (made on first use, then reused)."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"{ledger}-{data if ledger == 'sales' else 'plain'}-{rows}.xlsx"
    if not path.exists():
        t0 = time.perf_counter()
        generate(ledger, data, rows, path)
        print(f"generated {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.0f} s")
    return path


def steady(ledger, data, rows):
    """The import against the bare parse and django-import-export, each
    timed inside its process (start-up and set-up left out)."""
    path = ledger_file(ledger, data, rows)
    print(f"ledger: {ledger} ({data}), rows: {rows}, file: {path.stat().st_size / 1e6:.1f} MB")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    # Ours and the bare parse take turns, REPEAT times each, so a slow
    # moment of a shared machine falls on both; each is its median run.
    ours_runs, parse_runs = [], []
    for i in range(REPEAT):
        ours, rss = run_child("ours", ledger, data, path, WORK / "ours.sqlite3")
        ours_runs.append({**ours, "rss": rss})
        print(f"ours #{i + 1}:  {ours['seconds']:.1f} s wall, {ours['cpu']:.1f} s CPU, {ours['rows']} rows, "
              f"peak {rss:.0f} MB {ours['errors'] or ''}", flush=True)
        parse, rss = run_child("parse", ledger, data, path)
        parse_runs.append({**parse, "rss": rss})
        print(f"parse #{i + 1}: {parse['seconds']:.1f} s wall, {parse['cpu']:.1f} s CPU, {parse['rows']} rows "
              f"(bare python-calamine), peak {rss:.0f} MB", flush=True)
    ours, parse = median_run(ours_runs), median_run(parse_runs)
    ours_rss = max(r["rss"] for r in ours_runs)
    vs_parse = ours["cpu"] / parse["cpu"]
    print(f"medians of {REPEAT}: ours {ours['cpu']:.1f} s CPU, bare parse {parse['cpu']:.1f} s CPU")
    ok = (all(r["rows"] == rows and r["stored"] == rows for r in ours_runs) and vs_parse <= TARGET_PARSE_RATIO
          and ours_rss <= TARGET_PEAK_MB)
    if os.environ.get("BENCH_LEDGER_IEE", "1") == "1":
        iee, iee_rss = run_child("iee", ledger, data, path, WORK / "iee.sqlite3")
        print(f"django-import-export: {iee['seconds']:.1f} s wall ({iee['load_seconds']:.1f} s loading), "
              f"{iee['cpu']:.1f} s CPU, {iee['stored']} rows, peak {iee_rss:.0f} MB")
        # The machine may be shared: CPU seconds of the measured section are
        # the fair measure of work; wall-clock ratios are printed beside them.
        vs_iee = iee["cpu"] / ours["cpu"]
        print(f"ratio (CPU): django-import-export / ours = {vs_iee:.1f}x (target ≥ {TARGET_IEE_RATIO}x); "
              f"wall {iee['seconds'] / ours['seconds']:.1f}x")
        ok = ok and iee["stored"] == rows and vs_iee >= TARGET_IEE_RATIO
    else:
        print("django-import-export: not run (BENCH_LEDGER_IEE=0)")
        ok = False
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"ratio (CPU): ours / bare parse = {vs_parse:.2f}x (target ≤ {TARGET_PARSE_RATIO}x); "
          f"wall {ours['seconds'] / parse['seconds']:.2f}x; "
          f"peak {ours_rss:.0f} MB, the highest of the runs (target ≤ {TARGET_PEAK_MB} MB)")
    return ok


def whole_process(ledger, data, rows):
    """Our import as an operator runs it (`manage.py import_ledger`, a new
    process: interpreter, Django and its system checks, the import, exit)
    against a new process doing the bare parse, each measured as the whole
    child process (its user + sys CPU from wait4; wall beside it)."""
    path = ledger_file(ledger, data, rows)
    template = WORK / "prepared.sqlite3"
    prepared, _ = run_child("prepare", ledger, data, path, template)
    print(f"whole processes: ledger {ledger} ({data}), rows: {rows}, file: {path.stat().st_size / 1e6:.1f} MB")
    db = WORK / "whole.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "xiezuo.settings"}
    command = [sys.executable, "manage.py", "import_ledger", ledger, str(path), "--pairing",
               str(prepared["pairing"]), "-v", "0"]
    parse_command = [sys.executable, "-m", "bench.bench_ledgers", "parse", ledger, data, str(path)]
    ours_runs, parse_runs = [], []
    for i in range(REPEAT):
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, db)
        _, ours = run_process(command, env)
        with sqlite3.connect(db) as conn:
            ours["stored"] = conn.execute("SELECT COUNT(*) FROM consumption_sale" if ledger == "sales"
                                          else "SELECT COUNT(*) FROM funds_fundreceipt").fetchone()[0]
        ours_runs.append(ours)
        _, parse = run_process(parse_command)
        parse_runs.append(parse)
        print(f"whole #{i + 1}: ours {ours['cpu']:.1f} s CPU, {ours['seconds']:.1f} s wall, {ours['stored']} rows, "
              f"peak {ours['rss']:.0f} MB; bare parse {parse['cpu']:.1f} s CPU, {parse['seconds']:.1f} s wall",
              flush=True)
    ours, parse = median_run(ours_runs), median_run(parse_runs)
    ratio = ours["cpu"] / parse["cpu"]
    print(f"ratio (whole processes, CPU): ours / bare parse = {ratio:.2f}x (target ≤ {TARGET_WHOLE_RATIO}x); "
          f"wall {ours['seconds'] / parse['seconds']:.2f}x; medians {ours['cpu']:.1f} s and {parse['cpu']:.1f} s")
    return all(r["stored"] == rows for r in ours_runs) and ratio <= TARGET_WHOLE_RATIO


def main():
    from bench.common import machine

    ledger, data = ledger_wanted(), data_wanted()
    if ledger == "sales" and importlib.util.find_spec("xiezuo.consumption.services") is None:
        print("the sales ledger has not landed: benchmarking the fund-receipt ledger instead")
        ledger = "funds"
    print(f"machine: {machine()}")
    ok = steady(ledger, data, rows_wanted())
    whole_rows = int(os.environ.get("BENCH_LEDGER_WHOLE_ROWS", "300000"))
    if whole_rows:
        ok = whole_process(ledger, data, whole_rows) and ok
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(child(sys.argv[1:]))
    sys.exit(main())
