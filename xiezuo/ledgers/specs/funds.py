"""资金到位台账: fund receipts of a pairing.

Natural key: 到位日期 + 资金类型 + 文号. Many receipts carry no document
number (a blank cell, or a ledger without the column): those are known by
到位日期 + 资金类型 + 金额 and their place among the identical rows of the
file (`FallbackKey`), so two receipts of one day, kind and amount in one
file are both kept and re-importing the file adds nothing. Re-importing an
edited payer updates the receipt, and so does an edited amount when the
receipt has a 文号; an edited date (or the amount of a receipt without 文号)
makes a new one.

拨付单位层级 (省级/市级/县（区）级/乡镇（街道）级) is optional: a blank cell,
or a sheet without the column, gives a new receipt the level of the region
its payer is registered in, else of the pairing's eastern party, as the form
does (`FundReceipt.level_for`). An update import without the column leaves
the stored level alone.
"""

from django.utils.translation import gettext_noop

from xiezuo.funds.models import FundReceipt

from ..columns import Amount, Choice, Date, Lookup, Text, Year
from ..spec import FallbackKey, LedgerSpec, register
from .common import organisations


@register
class FundsSpec(LedgerSpec):
    name = "funds"
    title = gettext_noop("资金到位台账")
    sheet = "资金到位"
    model = FundReceipt
    key = ("date", "kind", "doc_number")
    key_note = "到位日期 + 资金类型 + 文号"
    fallback = FallbackKey(when="doc_number", key=("date", "kind", "amount"),
                           note=gettext_noop("未填文号（或没有文号列）时，以“到位日期 + 资金类型 + 金额”及该记录是文件中第几条相同记录识别"))
    columns = [
        Year("year", "年度", synonyms=["年份", "资金年度"], required=True, example=2022),
        Choice("kind", "资金类型", FundReceipt.KINDS, required=True, example="财政援助资金",
               synonyms=["资金类别", "资金性质", "类型"],
               aliases={"财政援助": "fiscal", "财政资金": "fiscal", "社会帮扶": "social", "社会捐款": "social",
                        "结对帮扶": "pairing", "捐物": "in_kind", "捐物折价": "in_kind"}),
        Lookup("payer", "拨付单位", queryset=organisations, keys=("name", "uscc"), what="单位", qualifier="region__name",
               synonyms=["付款单位", "援助单位", "资金来源单位", "来源单位"], example="南京市六合区人民政府"),
        Choice("payer_level", "拨付单位层级", FundReceipt.LEVELS,
               synonyms=["拨付层级", "资金层级", "资金来源层级", "来源层级", "拨付单位级别"],
               aliases={"省": "province", "省本级": "province", "省级财政": "province", "市": "city",
                        "市本级": "city", "市级财政": "city", "县": "county", "区": "county", "县区": "county",
                        "县级": "county", "区级": "county", "县区级": "county", "县（区）": "county",
                        "区县": "county", "区县级": "county", "县级财政": "county", "乡镇": "township",
                        "街道": "township", "乡": "township", "镇": "township", "乡镇街道": "township",
                        "乡镇级": "township", "街道级": "township", "乡镇（街道）": "township"},
               example="县（区）级"),
        Text("doc_number", "文号", synonyms=["拨付文号", "文件号", "资金文号", "凭证号"],
             max_length=100, example="宁协〔2022〕1号（示例）"),
        Date("date", "到位日期", synonyms=["日期", "拨付日期", "到账日期", "资金到位日期"], required=True,
             example="2022-06-26"),
        Amount("amount", "金额", synonyms=["到位金额", "资金金额", "拨付金额", "到位资金"], required=True,
               positive=True, example=43000000),
        Text("note", "备注", synonyms=["说明"], max_length=500),
    ]

    def prepare(self, ctx):
        super().prepare(ctx)
        self._east_level = ctx.pairing.east_region.level
        self._payer_levels = dict(self.column("payer").queryset(ctx).values_list("pk", "region__level"))

    def level_of(self, values):
        return FundReceipt.level_for(self._payer_levels.get(values.get("payer_id")), self._east_level)

    def resolver(self, ctx):
        def resolve(values):
            # A blank cell of the column: the level the form would give.
            if "payer_level" in values and not values["payer_level"]:
                values["payer_level"] = self.level_of(values)
            return None

        return resolve

    def insert(self, ctx, inserter, rows):
        # A sheet without the column: new receipts get the inferred level.
        for row in rows:
            if not row.get("payer_level"):
                row["payer_level"] = self.level_of(row)
        return super().insert(ctx, inserter, rows)
