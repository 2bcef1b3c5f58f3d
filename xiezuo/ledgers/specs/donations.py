"""社会帮扶捐赠台账: donations of money and goods.

Natural key: 捐赠日期 + 捐赠方 + 捐赠票据号. Without a 票据号 (a blank cell,
or a ledger without the column): 捐赠日期 + 捐赠方 + 金额 and the row's place
among the identical rows of the file (`FallbackKey`).
"""

from django.utils.translation import gettext_noop

from xiezuo.industry.models import Donation

from ..columns import USCC, Amount, Choice, Date, Text
from ..spec import FallbackKey, LedgerSpec, register


@register
class DonationsSpec(LedgerSpec):
    name = "donations"
    title = gettext_noop("社会帮扶捐赠台账")
    sheet = "社会帮扶捐赠"
    model = Donation
    key = ("date", "donor_name", "receipt_number")
    key_note = "捐赠日期 + 捐赠方 + 捐赠票据号"
    fallback = FallbackKey(when="receipt_number", key=("date", "donor_name", "amount"),
                           note=gettext_noop("未填票据号（或没有票据号列）时，以“捐赠日期 + 捐赠方 + 金额”及该记录是文件中第几条相同记录识别"))
    columns = [
        Date("date", "捐赠日期", synonyms=["日期", "捐赠时间"], required=True, example="2022-06-26"),
        Text("donor_name", "捐赠方", synonyms=["捐赠单位", "捐赠人", "捐赠单位（个人）"], required=True, max_length=200,
             example="南京示例商会（示例）"),
        Choice("donor_kind", "捐赠方类型", Donation.DONOR_KINDS, synonyms=["捐赠方性质", "类型"], required=True,
               example="行业协会"),
        USCC("donor_uscc", "统一社会信用代码", synonyms=["捐赠方统一社会信用代码", "信用代码"]),
        Choice("form", "捐赠形式", Donation.FORMS, synonyms=["形式", "捐赠方式"], required=True, example="捐款",
               aliases={"捐物": "in_kind", "捐物折款": "in_kind", "现金": "cash", "资金": "cash"}),
        Amount("amount", "金额", synonyms=["捐赠金额", "折款金额", "金额/折款"], required=True, positive=True,
               example=100000),
        Text("items", "捐赠物资", synonyms=["物资", "物资名称及数量"], max_length=300),
        Text("purpose", "用途", synonyms=["捐赠用途", "资金用途"], required=True, max_length=300,
             example="助学（示例）"),
        Text("receiver", "受赠单位", synonyms=["接收单位", "受赠方"], required=True, max_length=200,
             example="湟源县教育局"),
        Text("receipt_number", "捐赠票据号", synonyms=["票据号", "收据号"], max_length=100),
        Text("note", "备注", synonyms=["说明"], max_length=2000),
    ]
