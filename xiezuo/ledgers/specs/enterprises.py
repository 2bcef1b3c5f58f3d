"""招商引资台账: enterprises' investment projects brought in.

Natural key: 企业 + 投资项目.
"""

from decimal import Decimal

from xiezuo.industry.models import ENTERPRISE_KINDS, Investment, Park
from xiezuo.pairings.models import Organisation, Region

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
    title = "招商引资台账"
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
        Amount("arrived_amount", "实际到位投资", synonyms=["到位投资", "实际到位资金", "到位资金"], default=Decimal(0)),
        Lookup("park", "入驻园区", queryset=parks, what="园区", synonyms=["园区"]),
        Int("jobs", "带动就业", synonyms=["带动就业人数", "吸纳就业"], default=0, unit="人"),
        Int("jobs_poverty", "其中脱贫劳动力", synonyms=["脱贫劳动力", "带动脱贫人口就业"], default=0,
            unit="人"),
        Text("note", "备注", synonyms=["说明"], max_length=2000),
    ]
