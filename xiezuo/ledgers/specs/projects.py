"""项目台账: projects of a pairing.

Natural key: 项目编号 (unique within the pairing).
"""

from django.utils.translation import gettext_noop

from decimal import Decimal

from xiezuo.funds.models import (
    Project,
    ProjectCategory,
    check_allocation,
    lock_pairings,
)

from ..columns import Amount, Choice, Date, Lookup, MultiChoice, Text, Year
from ..spec import LedgerSpec, register
from .common import organisations, west_regions


def categories(ctx):
    return ProjectCategory.objects.filter(active=True)


@register
class ProjectsSpec(LedgerSpec):
    name = "projects"
    title = gettext_noop("项目台账")
    sheet = "项目"
    model = Project
    key = ("code",)
    key_note = "项目编号"
    track = ("year",)
    columns = [
        Text("code", "项目编号", synonyms=["编号", "项目代码", "项目编码"], required=True, max_length=50,
             example="HY2022-01（示例）"),
        Text("name", "项目名称", synonyms=["名称", "项目"], required=True, max_length=200,
             example="大华镇何家庄幼儿园建设项目（示例）"),
        Year("year", "年度", synonyms=["年份", "项目年度", "实施年度"], required=True, example=2022),
        Lookup("category", "项目类别", queryset=categories, keys=("name", "code"), what="项目类别",
               synonyms=["类别", "项目类型", "大类", "项目大类"], required=True, example="教育"),
        Lookup("township", "实施乡镇", queryset=west_regions("township"), what="乡镇",
               synonyms=["乡镇", "所在乡镇", "实施地点"], example="大华镇"),
        Lookup("village", "实施村", queryset=west_regions("village"), what="村", synonyms=["村", "所在村"]),
        Lookup("implementing_unit", "实施单位", queryset=organisations, keys=("name", "uscc"), what="单位", qualifier="region__name",
               synonyms=["项目实施单位", "责任单位", "建设单位"], example="湟源县教育局"),
        Amount("coop_funds", "协作资金", synonyms=["东西部协作资金", "帮扶资金", "援助资金", "协作资金投入"],
               required=True, example=3000000),
        Amount("other_funds", "其他资金", synonyms=["配套资金", "自筹资金", "其他资金投入"], example=0,
               default=Decimal(0)),
        Date("planned_start", "计划开工", synonyms=["计划开工日期", "计划开工时间"]),
        Date("planned_finish", "计划完工", synonyms=["计划完工日期", "计划完工时间"]),
        Date("actual_start", "实际开工", synonyms=["开工日期", "实际开工日期", "开工时间"]),
        Date("actual_finish", "实际完工", synonyms=["完工日期", "实际完工日期", "完工时间"]),
        Choice("status", "状态", Project.STATUSES, synonyms=["项目状态", "进展", "项目进度"], required=True,
               example="实施", aliases={"在建": "implementing", "已完工": "completed", "已验收": "accepted",
                                       "已立项": "approved", "招标": "procurement", "已终止": "terminated"}),
        Text("terminated_reason", "终止原因", max_length=500),
        MultiChoice("linkage", "联农带农方式", Project.LINKAGES, synonyms=["带农方式", "联农带农机制"],
                    example="工资性"),
        Text("linkage_note", "联农带农说明", synonyms=["联农带农情况"], max_length=2000),
        Text("description", "建设内容", synonyms=["建设内容及规模", "项目内容", "主要建设内容"], max_length=4000),
    ]

    def begin(self, ctx):
        # Allocations are checked under the pairing lock, as Project.save does.
        lock_pairings({ctx.pairing.pk})

    def finish(self, ctx, touched):
        """Refuse the import when a year's projects now hold more cooperation
        funds than the pairing received that year (the funds module's rule)."""
        warnings = []
        for (year,) in sorted(touched):
            warning = check_allocation(ctx.pairing.pk, year)
            if warning:
                warnings.append(warning)
        return warnings
