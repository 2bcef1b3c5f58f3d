"""投资到位台账: the dated tranches of enterprises' investment money.

Natural key: 投资项目 + 到位日期 (two tranches of one project on one day are
written as one). The investment is named by its 投资项目 among the pairing's
investments, or "投资项目（企业）" when two enterprises' projects share a name.
Each tranche counts in the year of its 到位日期; the investments' 实际到位投资
is summed again from their tranches in the import's transaction.
"""

from django.utils.translation import gettext_noop

from xiezuo.industry.models import Investment, InvestmentArrival

from ..columns import Amount, Date, Lookup, Text
from ..spec import LedgerSpec, model_checker, register


def investments(ctx):
    return ctx.scope.filter(Investment.objects.filter(pairing=ctx.pairing))


@register
class InvestmentArrivalsSpec(LedgerSpec):
    name = "investment_arrivals"
    title = gettext_noop("投资到位台账")
    sheet = "投资到位"
    model = InvestmentArrival
    key = ("investment_id", "date")
    key_note = "投资项目 + 到位日期"
    track = ("investment_id",)
    columns = [
        Lookup("investment", "投资项目", queryset=investments, keys=("project_name",), label="project_name",
               qualifier="enterprise__name", what="投资项目", synonyms=["项目名称", "招商引资项目", "项目"],
               required=True, example="示例投资项目（示例）"),
        Date("date", "到位日期", synonyms=["日期", "到账日期", "资金到位日期"], required=True, example="2023-03-01"),
        Amount("amount", "到位金额", synonyms=["金额", "到位投资", "到位资金", "实际到位投资"], required=True,
               positive=True, example=500000),
        Text("note", "备注", synonyms=["说明"], max_length=300),
    ]

    def queryset(self, ctx):
        return ctx.scope.filter(InvestmentArrival.objects.filter(investment__pairing=ctx.pairing))

    def defaults(self, ctx):
        return {}

    def prepare(self, ctx):
        super().prepare(ctx)
        self._signed = dict(investments(ctx).values_list("pk", "signed_on"))

    def checker(self, ctx):
        # The model's rules without a query per row: the signing dates are loaded once.
        check = model_checker(InvestmentArrival, {})
        signed = self._signed

        def arrival(values, current=None):
            errors = check({**values, "investment_id": None}, current and {**current, "investment_id": None}) or {}
            day, start = values.get("date"), signed.get(values.get("investment_id"))
            if day and start and day < start and "date" not in errors:
                errors["date"] = f"到位日期不能早于签约日期（{start:%Y-%m-%d}）"
            return errors or None

        return arrival

    def begin(self, ctx):
        # Lock the pairing's investments before their tranches change (their sums follow).
        list(Investment.objects.select_for_update().filter(pairing=ctx.pairing).order_by("pk")
             .values_list("pk", flat=True))

    def finish(self, ctx, touched):
        Investment.recompute_arrived(sorted({pk for (pk,) in touched if pk}))
        return []
