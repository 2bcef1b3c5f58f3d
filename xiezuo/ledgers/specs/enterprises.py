"""招商引资台账: enterprises' investment projects brought in.

Natural key: 企业 + 投资项目.

实际到位投资 is the sum of the investment's dated arrivals (投资到位台账,
`investment_arrivals`). A new investment imported with an amount in it gets
one arrival on its 落地日期 — how such a row was counted before arrivals
existed — so the column needs a 落地日期 (not later than today). An import
never changes the sum of a stored investment: tranches are entered in the
arrivals ledger or on the investment's page.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_noop

from xiezuo.industry.models import ENTERPRISE_KINDS, Investment, InvestmentArrival, Park
from xiezuo.pairings.models import Organisation, Region

from xiezuo.audit.models import record

from ..bulk import id_ranges
from ..columns import Amount, Choice, Date, Int, Lookup, Text
from ..spec import LedgerSpec, register


def enterprises(ctx):
    # Investors are matched by name or 统一社会信用代码 among the registered
    # enterprises the user may see (the regions of their pairings), as the
    # API's lookup by code does; one registered elsewhere is not confirmed.
    return Organisation.objects.filter(ctx.scope.region_q(), kind__in=ENTERPRISE_KINDS)


def parks(ctx):
    return ctx.scope.filter(Park.objects.filter(pairing=ctx.pairing))


def regions(ctx):
    return Region.objects.filter(level__in=["province", "city", "county"])


@register
class EnterprisesSpec(LedgerSpec):
    name = "enterprises"
    title = gettext_noop("招商引资台账")
    sheet = "招商引资"
    model = Investment
    key = ("enterprise_id", "project_name")
    key_note = "企业 + 投资项目"
    columns = [
        Lookup("enterprise", "企业", queryset=enterprises, keys=("name", "uscc"), what="企业", qualifier="region__name",
               synonyms=["企业名称", "投资企业", "签约企业"], required=True, example="南京示例食品有限公司（示例）"),
        Text("project_name", "投资项目", synonyms=["项目名称", "项目"], required=True, max_length=200,
             example="牦牛肉精深加工项目（示例）"),
        Lookup("origin_region", "企业来源地", queryset=regions, keys=("name", "full_name", "code"), what="区划",
               synonyms=["来源地", "企业所在地"], label="full_name", example="南京市六合区"),
        Text("origin_place", "来源地（补充）", max_length=100),
        Choice("industry", "所属行业", Investment.INDUSTRIES, synonyms=["行业", "产业类别"], required=True,
               example="农畜产品精深加工"),
        Date("signed_on", "签约日期", synonyms=["签约时间"]),
        Date("landed_on", "落地日期", synonyms=["落地时间"]),
        Date("producing_on", "投产日期", synonyms=["投产时间"]),
        Amount("agreed_amount", "协议投资额", synonyms=["协议投资", "签约金额", "计划投资"], default=Decimal(0)),
        Amount("arrived_amount", "实际到位投资", synonyms=["到位投资", "实际到位资金", "到位资金"], default=Decimal(0),
               help="新增投资时按落地日期登记为一笔到位；分笔到位请使用投资到位台账"),
        Lookup("park", "入驻园区", queryset=parks, what="园区", synonyms=["园区"]),
        Int("jobs", "带动就业", synonyms=["带动就业人数", "吸纳就业"], default=0, unit="人"),
        Int("jobs_poverty", "其中脱贫劳动力", synonyms=["脱贫劳动力", "带动脱贫人口就业"], default=0,
            unit="人"),
        Text("note", "备注", synonyms=["说明"], max_length=2000),
    ]

    def checker(self, ctx):
        check = super().checker(ctx)
        today = timezone.localdate()

        def arrived(values, current=None):
            errors = check(values, current) or {}
            amount = values.get("arrived_amount")
            if current is not None:
                if "arrived_amount" in values and amount != current.get("arrived_amount"):
                    errors["arrived_amount"] = ("实际到位投资由各笔投资到位记录汇总，不能通过本台账修改；"
                                                "请在投资到位台账或投资页面按笔登记")
            elif amount:
                landed = values.get("landed_on")
                if not landed:
                    errors["arrived_amount"] = ("填写实际到位投资须同时填写落地日期（按落地日期登记为一笔到位）；"
                                                "分笔到位请使用投资到位台账")
                elif landed > today:
                    errors["arrived_amount"] = "落地日期晚于今天，尚不能登记实际到位投资"
            return errors or None

        return arrived

    def insert(self, ctx, inserter, rows):
        ids = super().insert(ctx, inserter, rows)
        tranches = [InvestmentArrival(investment_id=pk, date=row["landed_on"], amount=row["arrived_amount"],
                                      note="导入招商引资台账时按落地日期登记", is_demo=bool(row.get("is_demo")))
                    for pk, row in zip(ids, rows) if row.get("arrived_amount")]
        if tranches:
            InvestmentArrival.objects.bulk_create(tranches, batch_size=500)
            # The arrivals are rows of their own: one audit event lists them, as a batch of any ledger does.
            record("import", model=InvestmentArrival._meta.label, pairing_id=ctx.pairing.pk,
                   summary=f"导入{self.title}：按落地日期登记投资到位{len(tranches)}笔",
                   after={"ledger": self.title, "count": len(tranches), "ids": id_ranges([t.pk for t in tranches]),
                          "investments": id_ranges([t.investment_id for t in tranches])})
        return ids
