"""资金拨付台账: disbursements of the pairing's projects.

Natural key: 项目编号 + 拨付日期 + 凭证号. Without a 凭证号 (a blank cell, or
a ledger without the column): 项目编号 + 拨付日期 + 金额 and the row's place
among the identical rows of the file (`FallbackKey`).
Imported disbursements enter the two-step approval as submitted (待确认) by
the importing user, exactly as if the west office had typed them in: the
import needs the west office's permission, and the east office still
confirms each one. Confirmed disbursements are never changed by an import.
The 状态 column is exported for reference and ignored on import.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_noop

from xiezuo.funds.models import Disbursement, Project

from ..columns import Amount, Choice, Date, Lookup, Text
from ..spec import FallbackKey, LedgerSpec, register


def projects(ctx):
    return ctx.scope.filter(Project.objects.filter(pairing=ctx.pairing))


@register
class DisbursementsSpec(LedgerSpec):
    name = "disbursements"
    title = gettext_noop("资金拨付台账")
    sheet = "资金拨付"
    model = Disbursement
    key = ("project_id", "date", "voucher_number")
    key_note = "项目编号 + 拨付日期 + 凭证号"
    fallback = FallbackKey(when="voucher_number", key=("project_id", "date", "amount"),
                           note=gettext_noop("未填凭证号（或没有凭证号列）时，以“项目编号 + 拨付日期 + 金额”及该记录是文件中第几条相同记录识别"))
    import_perm = "west"
    columns = [
        Lookup("project", "项目编号", queryset=projects, keys=("code", "name"), label="code", what="项目",
               synonyms=["项目", "项目名称", "项目代码"], required=True, example="HY-2022-01"),
        Date("date", "拨付日期", synonyms=["日期", "支出日期", "付款日期"], required=True, example="2022-06-26"),
        Amount("amount", "金额", synonyms=["拨付金额", "支出金额", "付款金额"], required=True, positive=True,
               example=500000),
        Text("voucher_number", "凭证号", synonyms=["凭证编号", "记账凭证号", "凭证"], max_length=100,
             example="HYXZ2022-001（示例）"),
        Text("purpose", "用途", synonyms=["资金用途", "摘要", "支出内容"], required=True, max_length=300,
             example="工程进度款（示例）"),
        Choice("status", "状态", Disbursement.STATUSES, readonly=True),
    ]

    year_path = "project__year"  # a disbursement belongs to its project's year, as in the figures

    def queryset(self, ctx):
        return ctx.scope.filter(Disbursement.objects.filter(project__pairing=ctx.pairing))

    def defaults(self, ctx):
        user = ctx.user
        return {"status": Disbursement.SUBMITTED, "submitted_by_id": getattr(user, "pk", None),
                "submitted_at": timezone.now()}

    def prepare(self, ctx):
        super().prepare(ctx)
        self._project_status = dict(projects(ctx).values_list("pk", "status"))

    def checker(self, ctx):
        clean = super().checker(ctx)
        statuses = self._project_status

        def check(values, current=None):
            errors = clean(values, current) or {}
            status = statuses.get(values.get("project_id"))
            if status == Project.TERMINATED:
                errors["project_id"] = "项目已终止，不能拨付资金"
            elif status == Project.RESERVE:
                errors["project_id"] = "储备项目尚未立项，不能拨付资金"
            if current and current.get("status") == Disbursement.CONFIRMED:
                errors["status"] = "该拨付已确认，不能通过导入修改"
            return errors or None

        return check

    def existing(self, ctx, attnames=None):
        # The stored status decides whether a row may still be changed.
        return super().existing(ctx, (attnames or []) + ["status"]) if attnames is not None else \
            super().existing(ctx)

    def update(self, ctx, pk, changes):
        obj = Disbursement.objects.select_for_update().get(pk=pk)
        if obj.status == Disbursement.CONFIRMED:
            raise ValidationError({"status": "该拨付已确认，不能通过导入修改"})
        return super().update(ctx, pk, changes)
