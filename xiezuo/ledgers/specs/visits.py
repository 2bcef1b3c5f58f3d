"""互访与会议台账: leaders' visits, joint meetings, department visits.

Natural key: 开始日期 + 名称. The officials who led or received a visit
(带队/会见领导) are a table of their own, kept on the visit's page; the
ledger carries the visit itself. Meeting minutes (files) are uploaded on the
visit's page, never through a ledger.
"""

from django.utils.translation import gettext_noop

import re

from xiezuo.industry.models import Visit

from ..columns import Choice, Date, Int, Text, clean_text
from ..spec import LedgerSpec, register


class Places(Text):
    """Places of a visit: one per line in the system; offices also write them
    on one line separated by 、，,；; — stored one per line either way."""

    kind = "地点，多个用顿号（、）或换行分隔"

    def parse(self, value, unit=None):
        parts = [p.strip() for p in re.split(r"[、，,；;\n]+", clean_text(value)) if p.strip()]
        return super().parse("\n".join(parts), unit)

    def fast(self, unit=None):
        return lambda raw: self.parse(raw, unit)

    def describe(self):
        return self.kind


@register
class VisitsSpec(LedgerSpec):
    name = "visits"
    title = gettext_noop("互访与会议台账")
    sheet = "互访与会议"
    model = Visit
    key = ("start_on", "title")
    key_note = "开始日期 + 名称"
    columns = [
        Choice("kind", "类型", Visit.KINDS, synonyms=["互访类型", "活动类型", "会议类型"], required=True,
               aliases={"主要领导互访": "leader_visit", "党政领导互访": "leader_visit", "高层互访": "leader_visit",
                        "联席会": "joint_meeting", "部门对接": "department", "考察调研": "inspection"},
               example="联席会议"),
        Text("title", "名称", synonyms=["活动名称", "会议名称", "互访名称", "事项"], required=True, max_length=200,
             example="2022年东西部协作联席会议（示例）"),
        Choice("direction", "方向", Visit.DIRECTIONS, synonyms=["互访方向", "赴访方向"], default="east_to_west",
               aliases={"东赴西": "east_to_west", "西赴东": "west_to_east", "线上": "online", "视频": "online",
                        "视频会议": "online"},
               example="东部赴西部"),
        Date("start_on", "开始日期", synonyms=["日期", "时间", "开始时间", "会议日期", "互访日期"], required=True,
             example="2022-06-26"),
        Date("end_on", "结束日期", synonyms=["结束时间"], required=True, example="2022-06-28"),
        Int("delegation_size", "代表团人数", synonyms=["人数", "参加人数", "代表团规模"], unit="人", example=12),
        Places("places", "考察地点", synonyms=["地点", "考察点", "会议地点"], max_length=2000,
               example="湟源县日月乡、湟源县城关镇"),
        Text("topics", "主要议题/内容", synonyms=["主要议题", "主要内容", "议题", "内容"], max_length=5000,
             example="研究部署年度协作重点工作（示例）"),
    ]
