"""项目库台账: the entries of a pairing's project library.

Natural key: 入库年度 + 项目名称. Imported rows enter the library as
applications (村申报) by the importing user, never further: review,
approval and listing are steps of people with the roles for them, taken on
the entry's page, and a file cannot vouch for them (our judgement). Each
new row gets its 村申报 step. Only entries still applied for or returned are
changed by an import. The 阶段 column is exported for reference and ignored
on import.
"""

from decimal import Decimal

from django.utils.translation import gettext_noop
from django.core.exceptions import ValidationError
from django.utils import timezone

from xiezuo.funds.models import ProjectCategory
from xiezuo.library.models import LibraryEntry, LibraryStep

from ..columns import Amount, Choice, Lookup, Text, Year
from ..spec import LedgerSpec, register
from .common import organisations, west_regions

EDITABLE = (LibraryEntry.APPLIED, LibraryEntry.RETURNED)
NOT_EDITABLE = "该条目已审核，不能通过导入修改"


def categories(ctx):
    return ProjectCategory.objects.filter(active=True)


@register
class LibrarySpec(LedgerSpec):
    name = "library"
    title = gettext_noop("项目库台账")
    sheet = "项目库"
    model = LibraryEntry
    key = ("year", "name")
    key_note = "入库年度 + 项目名称"
    columns = [
        Year("year", "入库年度", synonyms=["年度", "年份", "申报年度"], required=True, example=2023),
        Text("name", "项目名称", synonyms=["名称", "项目"], required=True, max_length=200,
             example="大华镇塔湾村道路硬化项目（示例）"),
        Lookup("township", "所在乡镇", queryset=west_regions("township"), what="乡镇",
               synonyms=["乡镇", "实施乡镇"], example="大华镇"),
        Lookup("village", "申报村", queryset=west_regions("village"), what="村", synonyms=["村", "所在村"]),
        Text("unit_name", "申报单位", synonyms=["申报主体"], max_length=200, example="湟源县大华镇人民政府"),
        Lookup("category", "项目类别", queryset=categories, keys=("name", "code"), what="项目类别",
               synonyms=["类别", "项目类型"], required=True, example="乡村建设"),
        Text("content", "建设内容", synonyms=["项目内容", "建设内容及规模"], required=True, max_length=4000,
             example="村道硬化2公里（示例）"),
        Lookup("implementing_unit", "实施单位", queryset=organisations, keys=("name", "uscc"), what="单位",
               qualifier="region__name", synonyms=["项目实施单位", "建设单位"]),
        Amount("coop_funds", "计划协作资金", synonyms=["协作资金", "东西部协作资金"], required=True, example=500000),
        Amount("other_funds", "计划其他资金", synonyms=["其他资金", "配套资金"], default=Decimal(0), example=0),
        Text("other_sources", "其他资金来源", max_length=200),
        Text("benefit", "预期效益", synonyms=["效益"], max_length=4000),
        Text("linkage", "联农带农机制", synonyms=["联农带农", "联农带农方式"], max_length=4000),
        Text("hotline", "监督电话", synonyms=["举报电话"], max_length=50),
        Choice("stage", "阶段", LibraryEntry.STAGES, readonly=True),
    ]

    def defaults(self, ctx):
        return {"pairing_id": ctx.pairing.pk, "stage": LibraryEntry.APPLIED}

    def existing(self, ctx, attnames=None):
        # The stored stage decides whether a row may still be changed.
        return super().existing(ctx, (attnames or []) + ["stage"]) if attnames is not None else \
            super().existing(ctx)

    def checker(self, ctx):
        clean = super().checker(ctx)

        def check(values, current=None):
            errors = clean(values, current) or {}
            if current and current.get("stage") not in EDITABLE:
                errors["stage"] = NOT_EDITABLE
            return errors or None

        return check

    def insert(self, ctx, inserter, rows):
        ids = super().insert(ctx, inserter, rows)
        user = ctx.user if getattr(ctx.user, "pk", None) else None
        today = timezone.localdate()
        LibraryStep.objects.bulk_create([LibraryStep(entry_id=pk, action="apply", from_stage="",
                                                     to_stage=LibraryEntry.APPLIED, date=today, user=user)
                                         for pk in ids])
        return ids

    def update(self, ctx, pk, changes):
        obj = LibraryEntry.objects.select_for_update().get(pk=pk)
        if obj.stage not in EDITABLE:
            raise ValidationError({"stage": NOT_EDITABLE})
        return super().update(ctx, pk, changes)
