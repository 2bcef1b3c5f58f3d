"""问题整改台账: rectification tasks of a pairing.

Natural key: 问题来源 + 发现日期 + 问题描述. The status and the day of 销号
move only through the task's steps (申请销号, 销号 by a second person,
退回), each recorded with who took it; they are exported for reference and
ignored on import, so an imported task starts 整改中. Tasks from a
procurement finding or a health alert are made from the finding or the
project page; the ledger exports them, and finds them again by their key,
but does not make new ones (the model's clean() says so). The year is the
year of the 发现日期.
"""

from django.utils.translation import gettext_noop
from django.conf import settings
from django.utils import translation

from xiezuo.rectification.models import SOURCES, STATUSES, Rectification

from ..columns import Choice, Date, Lookup, Text
from ..spec import LedgerSpec, model_checker, register
from .common import organisations

with translation.override(settings.LANGUAGE_CODE):
    SOURCE_LABELS = [(code, str(label)) for code, label in SOURCES]
    STATUS_LABELS = [(code, str(label)) for code, label in STATUSES]


@register
class RectificationsSpec(LedgerSpec):
    name = "rectifications"
    title = gettext_noop("问题整改台账")
    sheet = "问题整改"
    model = Rectification
    key = ("source", "found_on", "problem")
    key_note = "问题来源 + 发现日期 + 问题描述"
    columns = [
        Choice("source", "问题来源", SOURCE_LABELS, synonyms=["来源", "问题类型"], required=True,
               aliases={"巡视": "inspection", "巡察": "inspection", "审计发现": "audit", "督查反馈": "supervision",
                        "考核": "feedback", "自评": "assessment", "互评": "assessment"},
               example="巡视巡察"),
        Text("problem", "问题描述", synonyms=["问题", "存在问题", "问题内容"], required=True, max_length=500,
             example="部分项目资产移交后未及时登记入账（示例）"),
        Text("source_ref", "来源文件", synonyms=["来源文件名称", "文号", "反馈文件"], max_length=200,
             example="市委巡察组反馈意见（示例）"),
        Date("found_on", "发现日期", synonyms=["反馈日期", "日期"], required=True, example="2022-04-12"),
        Lookup("owner_unit", "责任单位", queryset=organisations, keys=("name", "uscc"), what="单位",
               qualifier="region__name", synonyms=["整改责任单位", "牵头单位"], example="湟源县东西部协作办公室"),
        Text("owner_person", "责任人", synonyms=["整改责任人"], max_length=50, example="张示例"),
        Date("deadline", "整改时限", synonyms=["完成时限", "整改期限"], required=True, example="2022-06-30"),
        Text("measures", "整改措施", synonyms=["措施"], max_length=5000),
        Text("evidence", "整改成效及佐证", synonyms=["整改成效", "佐证", "整改情况"], max_length=5000),
        Choice("status", "状态", STATUS_LABELS, synonyms=["整改状态"], readonly=True),
        Date("closed_on", "销号日期", readonly=True),
    ]

    def checker(self, ctx):
        check = model_checker(self.model, self.defaults(ctx))

        def checked(values, current=None):
            errors = check(values, current)
            if errors and current is not None:
                # A stored task made from a finding or an alert keeps its
                # link, which the sheet does not carry.
                errors.pop("source", None)
            return errors or None

        return checked

    def insert(self, ctx, inserter, rows):
        base = self.defaults(ctx)
        return inserter.insert([{**base, **row, "year": row["found_on"].year} for row in rows])
