"""合作事项台账: items agreed at joint meetings or in agreements, and who owns them.

Natural key: 年度 + 合作事项. The ledger needs the year (the form may derive
it from the source meeting; a ledger row's key cannot wait for that). The
status and its date move only through the item's progress notes
(`industry.services.change_status`, which records why); they are exported
for reference and ignored on import, so a new item starts 未启动.
A source meeting is named by its title, or "title（start date）" when two
meetings share a title. The model's own clean() runs on every row (a
deadline before the source meeting is refused).
"""

from django.utils.translation import gettext_noop

from xiezuo.industry.models import AgreedItem, Visit

from ..columns import Choice, Date, Lookup, Text, Year
from ..spec import LedgerSpec, register


def visits(ctx):
    return ctx.scope.filter(Visit.objects.filter(pairing=ctx.pairing))


@register
class AgreedItemsSpec(LedgerSpec):
    name = "agreed_items"
    title = gettext_noop("合作事项台账")
    sheet = "合作事项"
    model = AgreedItem
    key = ("year", "title")
    key_note = "年度 + 合作事项"
    columns = [
        Year("year", "年度", synonyms=["年份"], required=True, example=2022),
        Text("title", "合作事项", synonyms=["事项", "事项名称", "议定事项", "合作内容"], required=True, max_length=300,
             example="共建湟源县农畜产品直供基地（示例）"),
        Text("description", "具体内容", synonyms=["内容", "事项内容", "具体事项"], max_length=5000),
        Lookup("source_visit", "来源会议/互访", queryset=visits, keys=("title",), label="title", what="会议或互访", qualifier="start_on",
               synonyms=["来源会议", "来源", "会议名称"]),
        Text("east_owner", "东部责任单位", synonyms=["东部牵头单位", "东部责任部门"], required=True, max_length=200,
             example="南京市六合区农业农村局"),
        Text("west_owner", "西部责任单位", synonyms=["西部牵头单位", "西部责任部门"], required=True, max_length=200,
             example="湟源县农牧和科技局"),
        Date("deadline", "完成时限", synonyms=["时限", "完成时间", "截止日期"], example="2022-12-31"),
        Choice("status", "状态", AgreedItem.STATUSES, synonyms=["进展状态"], readonly=True),
        Date("done_on", "完成日期", readonly=True),
    ]
