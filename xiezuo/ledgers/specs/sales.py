"""消费帮扶销售台账: sales of western products to eastern buyers.

Natural key: 销售日期 + 采购单位 + 产品 + 销售渠道 + 凭证号. Without a
凭证号 (a blank cell, or a ledger without the column) a sale is known by
销售日期 + 采购单位 + 产品 + 金额 and its place among the identical rows of
its file (the 1st, 2nd, … such row: `FallbackKey`, stored as
`Sale.repeat_no`), so re-importing a file adds nothing while two genuinely
identical purchases in one file are both kept.

The ledger offices keep most often (消费帮扶台账) gives 购买单位, 产品名称,
供应商, 所属县, 购买金额（万元）, 购买时间 and sometimes 是否832平台, with no
数量, 单价, 销售渠道 or 类型. It imports as it is. Our judgement where no
official rule decides:

- 数量 and 单价 are optional. Whichever two of 金额, 数量 and 单价 are given
  determine the third as `consumption.models.complete_amounts` says (a price
  to the cent, a quantity only when exact); an amount-only row keeps no
  quantity or price. When all three are given, the amount must be within one
  分 of quantity × price, and the message shows the three values.
- 销售渠道 blank or absent: 是否832平台 = 是 gives the shared 832平台 channel,
  anything else the shared “其他” channel (the ledger does not say which
  outlet; “其他” claims none). When both columns are given they must agree.
- 类型 blank or absent: 直接采购 (purchased): a buyer's ledger records its
  own purchases; 帮助销售 must be stated.
- 所属县 is checked against the supplier's county (`SupplierCounty`) and
  refused with a message when it differs; it is not stored.

New rows go through the consumption module's `bulk_create_sales` (row by
row) or `insert_sale_columns` (chunks taken as columns), which insert each
batch with one statement, update the maintained totals once per batch and
record one audit event per batch. The rows are checked here first, without
per-row queries: references come from maps of the buyers, products and
channels the pairing may use, and `Sale.row_errors` gives the model's own
rules — so the bulk call runs with validate=False.
"""

import operator
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import mul, sub

from django.db.models.base import ModelState
from django.utils.translation import gettext_noop

from lib.money import CENT
from xiezuo.consumption.models import AMOUNT_TOLERANCE_YUAN, Channel, Sale, complete_amounts
from xiezuo.consumption.services import CopyBehind, bulk_create_sales, insert_sale_columns
from xiezuo.consumption.totals import Deltas

from ..columns import Amount, Choice, Date, Lookup, Number, Text
from ..spec import FallbackKey, LedgerSpec, register
from .consumption_common import ProductLookup, SupplierCounty, Via832, buyers, channels, suppliers

NO_COUNTY = frozenset()


@register
class SalesSpec(LedgerSpec):
    name = "sales"
    title = gettext_noop("消费帮扶销售台账")
    sheet = "消费帮扶销售"
    model = Sale
    key = ("date", "buyer_id", "product_id", "channel_id", "voucher_no")
    key_note = "销售日期 + 采购单位 + 产品 + 销售渠道 + 凭证号"
    fallback = FallbackKey(when="voucher_no", key=("date", "buyer_id", "product_id", "amount"),
                           note=gettext_noop("未填凭证号（或没有凭证号列）时，以“销售日期 + 采购单位 + 产品 + 金额”及该记录是文件中"
                                "第几条相同记录识别：同一文件重复导入不会重复新增，同一文件中两条相同的记录都会保留"))
    audits_batches = True  # bulk_create_sales records its own event per batch
    # One insert and one audit event per 25,000 rows: each event costs a few
    # milliseconds, and a batch's columns stay a few tens of megabytes.
    batch_size = 25_000
    columns = [
        Date("date", "销售日期", synonyms=["日期", "采购日期", "交易日期", "购买日期", "购买时间", "采购时间", "销售时间"],
             required=True, example="2022-06-26"),
        Lookup("buyer", "采购单位", queryset=buyers, what="采购单位", required=True,
               synonyms=["购买单位", "采购方", "购买方", "单位名称"], example="南京市六合区示例机关（示例）"),
        Lookup("supplier", "供应商", queryset=suppliers, keys=("organisation__name", "organisation__uscc"),
               label="organisation__name", what="供应商", synonyms=["供货单位", "供货方", "生产企业", "销售单位"]),
        SupplierCounty(),
        ProductLookup("product", "产品", synonyms=["产品名称", "商品名称", "商品", "品名"], required=True,
                      example="湟源陈醋（示例）"),
        Lookup("channel", "销售渠道", queryset=channels, keys=("name", "code"), what="销售渠道",
               synonyms=["渠道", "采购渠道", "销售方式"], example="食堂采购",
               help="留空时按“是否832平台”：是为832平台，否则为“其他”"),
        Via832(),
        Choice("kind", "类型", Sale.KINDS, synonyms=["采购类型", "销售类型", "统计类型"], default=Sale.PURCHASED,
               aliases={"采购": "purchased", "直采": "purchased", "帮销": "helped", "帮助销售金额": "helped"},
               example="直接采购", help="留空为直接采购"),
        Number("quantity", "数量", places=3, positive=True, synonyms=["采购数量", "销售数量", "购买数量"],
               example=100, help="选填"),
        Amount("unit_price", "单价", synonyms=["价格", "销售单价", "购买单价"], example=12.5, help="选填"),
        Amount("amount", "金额", synonyms=["销售额", "销售金额", "采购金额", "交易金额", "购买金额"], positive=True,
               help="只填金额即可；留空时按数量×单价计算；三项都填时须与数量×单价相差不超过0.01元", example=1250),
        Text("voucher_no", "凭证号", synonyms=["凭证编号", "发票号", "单据号"], max_length=60),
        Text("note", "备注", synonyms=["说明"], max_length=300),
    ]

    def prepare(self, ctx):
        super().prepare(ctx)
        self._product = self.column("product")
        self._county = self.column("supplier_county")
        self._is_832 = self.column("via_832").is_832
        shared = {code: pk for code, pk in channels(ctx).filter(pairing__isnull=True).values_list("code", "pk")}
        # The channels a blank 销售渠道 stands for (see the module's docstring);
        # None when the shared code list lacks them (the row is then refused).
        self._default_channel = {True: shared.get(Channel.P832), False: shared.get(Channel.OTHER),
                                 None: shared.get(Channel.OTHER)}
        self.complete_key = self._complete_key

    def _complete_key(self, values):
        # Before the row's key is taken (importer): the channel of a blank
        # 销售渠道 where the key names the channel, the amount of quantity ×
        # price where the fallback key names the amount.
        if values.get("voucher_no"):
            if values.get("channel_id") is None:
                values["channel_id"] = self._default_channel[values.get("via_832")]
        elif values.get("amount") is None:
            values["amount"] = complete_amounts(values.get("quantity"), values.get("unit_price"), None)[2]

    def checker(self, ctx):
        model, supplier_of = Sale, self._product.supplier_of
        county, is_832, default_channel = self._county, self._is_832, self._default_channel
        # The instance checked starts from the field defaults: a column the
        # sheet leaves out (数量) is then None, not a deferred field to load.
        base = self._base(ctx)

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
            written = values.get("supplier_county")
            if written and data.get("supplier_id") is not None and "supplier_id" not in errors:
                if message := county.mismatch(written, data["supplier_id"]):
                    errors["supplier_county"] = message
            via = values.get("via_832")
            if data.get("channel_id") is None:
                values["channel_id"] = data["channel_id"] = default_channel[via]
                if data["channel_id"] is None:
                    errors["channel_id"] = ("未填写销售渠道，且系统中没有通用的“832平台”渠道" if via else
                                            "未填写销售渠道，且系统中没有通用的“其他”渠道，请填写销售渠道")
            elif via is not None and is_832.get(data["channel_id"]) != via:
                errors["via_832"] = (f"填写为“{'是' if via else '否'}”，但销售渠道"
                                     f"{'不是' if via else '是'}832平台渠道")
            if not data.get("kind"):
                values["kind"] = data["kind"] = Sale.PURCHASED
            trio = (data.get("quantity"), data.get("unit_price"), data.get("amount"))
            for name, given, value in zip(("quantity", "unit_price", "amount"), trio, complete_amounts(*trio)):
                if value is not given:
                    values[name] = data[name] = value
            instance = model.__new__(model)
            instance.__dict__.update(base)
            instance.__dict__.update(data)
            instance._state = ModelState()
            errors.update(instance.row_errors())
            return errors or None

        return check

    def batch_checker(self, ctx):
        supplier_of, is_832, default_channel = self._product.supplier_of, self._is_832, self._default_channel
        counties = self._county.names_of
        agree = {(True, True), (False, False), (None, True), (None, False)}

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
            written = cols.get("supplier_county")
            if written is not None and "" in written:
                return False  # some counties left blank: row by row
            if written is not None and not all(map(operator.contains, map(counties.get, derived, repeat(NO_COUNTY)),
                                                   written)):
                return False
            via = cols.get("via_832")
            channels = cols.get("channel_id")
            if channels is None or None in channels:
                if channels is not None and set(channels) != {None}:
                    return False  # some channels given, some not: row by row
                channels = list(map(default_channel.__getitem__, via)) if via is not None \
                    else [default_channel[None]] * count
                if None in channels:
                    return False  # no such shared channel: the row path says so
                cols["channel_id"] = channels
            elif via is not None and not set(zip(via, map(is_832.get, channels))) <= agree:
                return False
            if "kind" not in cols:
                cols["kind"] = [Sale.PURCHASED] * count
            if not self._amounts(cols, count):
                return False
            dates = cols["date"]
            return min(dates).year >= 2000 and max(dates).year <= 2100

        return check

    @staticmethod
    def _amounts(cols, count):
        """Complete and check 数量, 单价 and 金额 of a chunk as `complete_amounts`
        and `Sale.row_errors` do per row, for the two common shapes: quantity
        and price on every row (the amount given or left for them), or the
        amount alone on every row. Anything else (a price to derive, a mix of
        shapes) → False, and the rows go one by one."""
        none = type(None)
        blank = [None] * count
        quantity, price, amounts = cols.get("quantity", blank), cols.get("unit_price", blank), cols.get("amount", blank)
        q_types, p_types, a_types = set(map(type, quantity)), set(map(type, price)), set(map(type, amounts))
        if q_types == {none} and p_types == {none}:
            if none in a_types:
                return False
        elif none in q_types or none in p_types:
            return False
        else:
            if min(quantity) <= 0 or min(price) < 0:
                return False
            expected = list(map(Decimal.quantize, map(mul, quantity, price), repeat(CENT), repeat(ROUND_HALF_UP)))
            if none in a_types:
                amounts = [e if a is None else a for a, e in zip(amounts, expected)]
            if max(map(abs, map(sub, amounts, expected))) > AMOUNT_TOLERANCE_YUAN:
                return False
        if min(amounts) <= 0:
            return False
        cols["quantity"], cols["unit_price"], cols["amount"] = quantity, price, amounts
        return True

    def begin(self, ctx):
        # The totals of every batch of the import, applied once in `finish`.
        ctx.extra["sale_deltas"] = Deltas()
        # On PostgreSQL each batch's COPY runs behind the reading of the next.
        ctx.extra["sale_copy"] = CopyBehind().open()

    def insert_columns(self, ctx, columns, count):
        # Like every ledger's batch event: the file's digest, not the rows'.
        filename = ctx.extra.get("filename", "")
        return insert_sale_columns(ctx.pairing.pk, columns, count, summary=f"导入{self.title}（{filename}）",
                                   deltas=ctx.extra["sale_deltas"], behind=ctx.extra["sale_copy"],
                                   source={"file": filename, "file_sha256": ctx.extra.get("digest", "")})

    def finish(self, ctx, touched):
        ctx.extra["sale_copy"].close()  # the last batch's COPY, its error raised
        ctx.extra["sale_deltas"].apply()
        return []

    def end(self, ctx):
        if "sale_copy" in ctx.extra:
            ctx.extra["sale_copy"].close(ok=False)  # a failed import: the rollback follows

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
