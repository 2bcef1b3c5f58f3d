"""资金到位台账: fund receipts of a pairing.

Natural key: 到位日期 + 资金类型 + 文号. Many receipts carry no document
number (a blank cell, or a ledger without the column): those are known by
到位日期 + 资金类型 + 金额 and their place among the identical rows of the
file (`FallbackKey`), so two receipts of one day, kind and amount in one
file are both kept and re-importing the file adds nothing. Re-importing an
edited payer updates the receipt, and so does an edited amount when the
receipt has a 文号; an edited date (or the amount of a receipt without 文号)
makes a new one.
"""

from xiezuo.funds.models import FundReceipt

from ..columns import Amount, Choice, Date, Lookup, Text, Year
from ..spec import FallbackKey, LedgerSpec, register
from .common import organisations


@register
class FundsSpec(LedgerSpec):
    name = "funds"
    title = "资金到位台账"
    sheet = "资金到位"
    model = FundReceipt
    key = ("date", "kind", "doc_number")
    key_note = "到位日期 + 资金类型 + 文号"
    fallback = FallbackKey(when="doc_number", key=("date", "kind", "amount"),
                           note="未填文号（或没有文号列）时，以“到位日期 + 资金类型 + 金额”及该记录是文件中第几条相同记录识别")
    columns = [
        Year("year", "年度", synonyms=["年份", "资金年度"], required=True, example=2022),
        Choice("kind", "资金类型", FundReceipt.KINDS, required=True, example="财政援助资金",
               synonyms=["资金类别", "资金性质", "类型"],
               aliases={"财政援助": "fiscal", "财政资金": "fiscal", "社会帮扶": "social", "社会捐款": "social",
                        "结对帮扶": "pairing", "捐物": "in_kind", "捐物折价": "in_kind"}),
        Lookup("payer", "拨付单位", queryset=organisations, keys=("name", "uscc"), what="单位", qualifier="region__name",
               synonyms=["付款单位", "援助单位", "资金来源单位", "来源单位"], example="南京市六合区人民政府"),
        Text("doc_number", "文号", synonyms=["拨付文号", "文件号", "资金文号", "凭证号"],
             max_length=100, example="宁协〔2022〕1号（示例）"),
        Date("date", "到位日期", synonyms=["日期", "拨付日期", "到账日期", "资金到位日期"], required=True,
             example="2022-06-26"),
        Amount("amount", "金额", synonyms=["到位金额", "资金金额", "拨付金额", "到位资金"], required=True,
               positive=True, example=43000000),
        Text("note", "备注", synonyms=["说明"], max_length=500),
    ]
