"""采购单位台账: eastern buyer units of consumption assistance.

Natural key: 采购单位 (the name, unique within the pairing).
"""

from django.utils.translation import gettext_noop

from xiezuo.consumption.models import Buyer

from ..columns import Bool, Choice, Lookup, Text
from ..spec import LedgerSpec, register
from .common import organisations


@register
class BuyersSpec(LedgerSpec):
    name = "buyers"
    title = gettext_noop("采购单位台账")
    sheet = "采购单位"
    model = Buyer
    key = ("name",)
    key_note = "采购单位名称"
    columns = [
        Text("name", "采购单位", synonyms=["单位名称", "购买单位", "名称"], required=True, max_length=200,
             example="六合区示例机关（示例）"),
        Choice("kind", "单位类型", Buyer.KINDS, synonyms=["类型", "单位性质"], required=True, example="机关",
               aliases={"行政机关": "gov", "国企": "soe", "民企": "private", "个人": "individuals"}),
        Lookup("organisation", "对应单位", queryset=organisations, keys=("name", "uscc"), what="单位", qualifier="region__name",
               synonyms=["登记单位"]),
        Bool("is_budget_unit", "预算单位", synonyms=["是否预算单位"], example="是"),
    ]
