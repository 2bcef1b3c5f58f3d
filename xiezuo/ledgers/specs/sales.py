"""消费帮扶销售台账: sales of western products to eastern buyers.

Natural key: 销售日期 + 采购单位 + 产品 + 销售渠道 + 凭证号 (凭证号 may be
empty). New rows go through the consumption module's
`bulk_create_sales`, which inserts each batch with one statement, updates the
maintained totals once per batch and records one audit event per batch (id
range, count, sum and a SHA-256 of the rows). The rows are checked here
first, without per-row queries: references come from maps of the buyers,
products and channels the pairing may use, and `Sale.row_errors` gives the
model's own rules (quantity, price, amount within tolerance of
quantity × price) — so the bulk call runs with validate=False.
"""

from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import mul, sub

from django.db.models.base import ModelState

from lib.money import CENT
from xiezuo.consumption.models import AMOUNT_TOLERANCE_YUAN, Sale, check_amount
from xiezuo.consumption.services import bulk_create_sales, insert_sale_columns
from xiezuo.consumption.totals import Deltas

from ..columns import Amount, Choice, Date, Lookup, Number, Text
from ..spec import LedgerSpec, register
from .consumption_common import ProductLookup, buyers, channels, suppliers


@register
class SalesSpec(LedgerSpec):
    name = "sales"
    title = "消费帮扶销售台账"
    sheet = "消费帮扶销售"
    model = Sale
    key = ("date", "buyer_id", "product_id", "channel_id", "voucher_no")
    key_note = "销售日期 + 采购单位 + 产品 + 销售渠道 + 凭证号（凭证号可为空）"
    audits_batches = True  # bulk_create_sales records its own event per batch
    # One insert and one audit event per 25,000 rows: each event costs a few
    # milliseconds, and a batch's columns stay a few tens of megabytes.
    batch_size = 25_000
    columns = [
        Date("date", "销售日期", synonyms=["日期", "采购日期", "交易日期"], required=True, example="2022-06-26"),
        Lookup("buyer", "采购单位", queryset=buyers, what="采购单位", required=True,
               synonyms=["购买单位", "采购方", "购买方", "单位名称"], example="南京市六合区示例机关（示例）"),
        Lookup("supplier", "供应商", queryset=suppliers, keys=("organisation__name", "organisation__uscc"),
               label="organisation__name", what="供应商", synonyms=["供货单位", "供货方", "生产企业", "销售单位"]),
        ProductLookup("product", "产品", synonyms=["产品名称", "商品名称", "商品", "品名"], required=True,
                      example="湟源陈醋（示例）"),
        Lookup("channel", "销售渠道", queryset=channels, keys=("name", "code"), what="销售渠道", required=True,
               synonyms=["渠道", "采购渠道", "销售方式"], example="食堂采购"),
        Choice("kind", "类型", Sale.KINDS, synonyms=["采购类型", "销售类型", "统计类型"], required=True,
               aliases={"采购": "purchased", "直采": "purchased", "帮销": "helped", "帮助销售金额": "helped"},
               example="直接采购"),
        Number("quantity", "数量", places=3, positive=True, required=True, synonyms=["采购数量", "销售数量"],
               example=100),
        Amount("unit_price", "单价", synonyms=["价格", "销售单价"], required=True, example=12.5),
        Amount("amount", "金额", synonyms=["销售额", "销售金额", "采购金额", "交易金额"], positive=True,
               help="留空时按数量×单价计算", example=1250),
        Text("voucher_no", "凭证号", synonyms=["凭证编号", "发票号", "单据号"], max_length=60),
        Text("note", "备注", synonyms=["说明"], max_length=300),
    ]

    def prepare(self, ctx):
        super().prepare(ctx)
        self._product = self.column("product")

    def checker(self, ctx):
        model, supplier_of = Sale, self._product.supplier_of
        pairing_id = ctx.pairing.pk

        def check(values, current=None):
            data = dict(current or {})
            data.pop("pk", None)
            data.update(values)
            product = data.get("product_id")
            errors = {}
            if product is not None:
                if data.get("supplier_id") is None:
                    values["supplier_id"] = data["supplier_id"] = supplier_of.get(product)
                elif data["supplier_id"] != supplier_of.get(product):
                    errors["supplier_id"] = "供应商与产品所属供应商不一致"
            if data.get("amount") is None and data.get("quantity") is not None and data.get("unit_price") is not None:
                values["amount"] = data["amount"] = (data["quantity"] * data["unit_price"]).quantize(
                    CENT, rounding=ROUND_HALF_UP)
            instance = model.__new__(model)
            instance.__dict__.update(data)
            instance.__dict__["pairing_id"] = pairing_id
            instance._state = ModelState()
            errors.update(instance.row_errors())
            return errors or None

        return check

    def batch_checker(self, ctx):
        supplier_of = self._product.supplier_of

        def check(cols, count):
            # The per-row `check` above, on whole columns; any doubt → False.
            products = cols["product_id"]
            derived = list(map(supplier_of.get, products))
            suppliers = cols.get("supplier_id")
            if suppliers is not None:
                if None in suppliers:
                    suppliers = [d if s is None else s for s, d in zip(suppliers, derived)]
                if suppliers != derived:
                    return False
            cols["supplier_id"] = derived
            quantity, price = cols["quantity"], cols["unit_price"]
            expected = list(map(Decimal.quantize, map(mul, quantity, price), repeat(CENT), repeat(ROUND_HALF_UP)))
            amounts = cols.get("amount")
            if amounts is None:
                amounts = expected
            elif type(None) in set(map(type, amounts)):  # `None in` would compare each Decimal with None
                amounts = [e if a is None else a for a, e in zip(amounts, expected)]
            cols["amount"] = amounts
            dates = cols["date"]
            if min(quantity) <= 0 or min(price) < 0 or min(amounts) <= 0 \
                    or min(dates).year < 2000 or max(dates).year > 2100:
                return False
            if max(map(abs, map(sub, amounts, expected))) > AMOUNT_TOLERANCE_YUAN:
                # Beyond the absolute tolerance: the rate may still allow it.
                if any(map(check_amount, quantity, price, amounts)):
                    return False
            return True

        return check

    def begin(self, ctx):
        # The totals of every batch of the import, applied once in `finish`.
        ctx.extra["sale_deltas"] = Deltas()

    def insert_columns(self, ctx, columns, count):
        # Like every ledger's batch event: the file's digest, not the rows'.
        filename = ctx.extra.get("filename", "")
        return insert_sale_columns(ctx.pairing.pk, columns, count, summary=f"导入{self.title}（{filename}）",
                                   deltas=ctx.extra["sale_deltas"],
                                   source={"file": filename, "file_sha256": ctx.extra.get("digest", "")})

    def finish(self, ctx, touched):
        ctx.extra["sale_deltas"].apply()
        return []

    def insert(self, ctx, inserter, rows):
        # Instances made without Model.__init__ (field defaults, then the
        # row): the same objects bulk_create_sales expects, at a third of
        # the cost — at a million rows __init__ alone took longer than the insert.
        base = self._base(ctx)
        new = Sale.__new__
        sales = []
        for row in rows:
            sale = new(Sale)
            data = sale.__dict__
            data.update(base)
            data.update(row)
            sale._state = ModelState()
            sales.append(sale)
        bulk_create_sales(sales, batch_size=len(sales) + 1, validate=False,
                          summary=f"导入{self.title}（{ctx.extra.get('filename', '')}）")
        return [s.pk for s in sales]

    def inserter(self, ctx):
        return None

    def _base(self, ctx):
        base = {f.attname: f.get_default() for f in Sale._meta.concrete_fields}
        base["pairing_id"] = ctx.pairing.pk
        return base

