"""公告公示台账: the notices of a pairing's projects, one row per notice.

Natural key: 项目编号 + 公示阶段 + 公示开始日期 (a project may give a stage a
second notice after withdrawing the first). Imported rows enter as drafts
(草稿): publishing, the postings with their board photos and the feedback
are steps and records of people on the notice's page, and a file cannot
vouch for them (our judgement, as the library and rectification ledgers
do). Only drafts are changed by an import. The 状态, 公示渠道 and 反馈条数
columns are exported for reference and ignored on import. A row without a
title or a project name takes the project's. The 入库公示 of library
entries is kept on the entries' pages, not in this ledger.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_noop

from xiezuo.funds.models import Project
from xiezuo.notices.models import CHANNELS, DRAFT, LISTING, STAGES, STATUSES, Notice

from ..columns import Amount, Choice, Date, Lookup, Text
from ..spec import LedgerSpec, register

with translation.override(settings.LANGUAGE_CODE):
    STAGE_LABELS = [(code, str(label)) for code, label in STAGES if code != LISTING]
    STATUS_LABELS = [(code, str(label)) for code, label in STATUSES]
    CHANNEL_LABELS = {code: str(label) for code, label in CHANNELS}
NOT_EDITABLE = "该公示已发布或撤回，不能通过导入修改"


def projects(ctx):
    return ctx.scope.filter(Project.objects.filter(pairing=ctx.pairing))


@register
class DisclosuresSpec(LedgerSpec):
    name = "disclosures"
    title = gettext_noop("公告公示台账")
    sheet = "公告公示"
    model = Notice
    key = ("project_id", "stage", "start_date")
    key_note = "项目编号 + 公示阶段 + 公示开始日期"
    year_path = "project__year"
    columns = [
        Lookup("project", "项目编号", queryset=projects, keys=("code", "name"), label="code", what="项目",
               synonyms=["项目", "项目代码"], required=True, example="HY-2022-01"),
        Choice("stage", "公示阶段", STAGE_LABELS, synonyms=["阶段", "公示类型", "公告类型"], required=True,
               aliases={"计划公示": "plan", "实施公告": "implementation", "验收公示": "result", "结果公告": "result"},
               example="实施公示"),
        Text("title", "标题", synonyms=["公示标题", "公告标题"], max_length=200),
        Text("name", "项目名称", synonyms=["名称"], max_length=200),
        Text("place", "建设地点", synonyms=["地点", "实施地点"], max_length=200),
        Text("content", "建设内容", synonyms=["建设内容及规模", "项目内容"], max_length=4000),
        Amount("coop_funds", "协作资金", synonyms=["东西部协作资金"], default=Decimal(0), example=500000),
        Amount("other_funds", "其他资金", synonyms=["配套资金"], default=Decimal(0), example=0),
        Text("fund_sources", "资金来源", max_length=300, example="东西部协作资金"),
        Text("implementing_unit", "实施单位", synonyms=["项目实施单位"], max_length=200),
        Text("benefit", "预期效益", synonyms=["效益"], max_length=4000),
        Text("linkage", "联农带农机制", synonyms=["联农带农"], max_length=4000),
        Text("results", "实施结果", synonyms=["验收结果"], max_length=4000),
        Text("hotline", "监督电话", synonyms=["举报电话"], required=True, max_length=50, example="0971-2432000"),
        Date("start_date", "公示开始日期", synonyms=["开始日期", "公示起始日期"], required=True, example="2022-06-01"),
        Date("end_date", "公示结束日期", synonyms=["结束日期", "公示截止日期"], required=True, example="2022-06-10"),
        Choice("status", "状态", STATUS_LABELS, readonly=True),
        Text("channels", "公示渠道", readonly=True, source="pk"),
        Text("feedback_count", "反馈条数", readonly=True, source="pk"),
    ]

    def queryset(self, ctx):
        return ctx.scope.filter(Notice.objects.filter(pairing=ctx.pairing, project__isnull=False))

    def defaults(self, ctx):
        return {"pairing_id": ctx.pairing.pk, "status": DRAFT}

    def existing(self, ctx, attnames=None):
        # The stored status decides whether a row may still be changed.
        return super().existing(ctx, (attnames or []) + ["status"]) if attnames is not None else \
            super().existing(ctx)

    def checker(self, ctx):
        clean = super().checker(ctx)

        def check(values, current=None):
            errors = clean(values, current) or {}
            if current and current.get("status") != DRAFT:
                errors["status"] = NOT_EDITABLE
            return errors or None

        return check

    def insert(self, ctx, inserter, rows):
        names = dict(Project.objects.filter(pk__in={r["project_id"] for r in rows}).values_list("pk", "name"))
        base = self.defaults(ctx)
        stage_names = dict(STAGE_LABELS)
        filled = []
        for row in rows:
            row = {**base, **row}
            name = row.get("name") or names.get(row["project_id"], "")
            row["name"] = name
            row["title"] = row.get("title") or f"{name}{stage_names[row['stage']]}"[:200]
            filled.append(row)
        return inserter.insert(filled)

    def update(self, ctx, pk, changes):
        obj = Notice.objects.select_for_update().get(pk=pk)
        if obj.status != DRAFT:
            raise ValidationError({"status": NOT_EDITABLE})
        return super().update(ctx, pk, changes)

    def export_rows(self, ctx):
        """Yield the stored fields and, for reference, the channels posted and the feedback received."""
        qs = self.export_queryset(ctx).order_by("pk").prefetch_related("postings", "feedback")
        for notice in qs.iterator(chunk_size=2000):
            cells = []
            for col in self.columns:
                if col.attname == "channels":
                    cells.append("、".join(CHANNEL_LABELS[p.channel] for p in notice.postings.all()))
                elif col.attname == "feedback_count":
                    cells.append(len(notice.feedback.all()))
                else:
                    cells.append(col.export(getattr(notice, col.attname)))
            yield cells
