"""Seed the catalogue with the national indicators of the 2021–2025 period.

Codes match those used by the yearly agreements' targets (fiscal_funds,
projects, training, consumption, visits, meetings). Offices may edit, add
and retire indicators afterwards; nothing here is fixed in code.
"""

from django.db import migrations

INDICATORS = [
    # code, name, unit, side, computation, disaggregations
    ("fiscal_funds", "财政援助资金", "万元", "east", "funds.fiscal_received", ""),
    # Taken from the funds ledger's receipts (社会帮扶资金, 结对帮扶资金, 捐物折款),
    # never added to the donations ledger, which records the same money per
    # donor: the donations figure is shown beside it for reconciliation.
    ("social_funds", "动员社会帮扶资金（捐款和捐物折款）", "万元", "east", "funds.social_received",
     "核对：社会捐赠台账（元）=industry.donations"),
    ("cadres", "互派党政挂职干部", "人", "both", "talent.cadres", ""),
    ("professionals", "互派专业技术人才（支教、支医、支农及其他）", "人", "both", "talent.professionals",
     "其中“三支”人才（人次）=talent.sanzhi_person_times"),
    ("parks", "共建产业园区", "个", "both", "industry.parks", ""),
    ("enterprises", "引导企业到西部投资（落地企业）", "家", "east", "industry.enterprises_landed",
     "实际到位投资（元）=industry.investment_arrived"),
    ("consumption", "采购、帮助销售西部农畜牧产品和特色手工艺产品", "万元", "east", "consumption.total",
     "直接采购=consumption.purchased\n帮助销售=consumption.helped_sales"),
    ("labour", "帮助农村劳动力就业", "人", "both", "labour.employed",
     "其中脱贫劳动力=labour.employed_poverty\n到东部就业=labour.employed_east\n"
     "省内及就地就近就业=labour_local\n稳定就业=labour.employed_stable"),
    ("training", "劳动技能培训", "人次", "both", "labour.trainees", "培训班期数=labour.training_classes"),
    ("village_pairs", "企业、社会组织结对帮扶村", "个", "east", "industry.village_pairs", ""),
    ("visits", "党政主要负责同志互访", "次", "both", "exchanges.leader_visits", ""),
    ("meetings", "召开联席会议", "次", "both", "exchanges.joint_meetings", ""),
    ("execution", "资金支出进度（已拨付/已到位）", "%", "west", "funds.execution_rate",
     "已到位资金（元）=funds.received\n已拨付资金（元）=funds.disbursed"),
    ("projects", "实施协作项目", "个", "west", "funds.projects",
     "项目大类=funds.categories\n开工率（%）=funds.started_rate\n完工率（%）=funds.completed_rate"),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("assessment", "Indicator")
    for order, (code, name, unit, side, computation, dis) in enumerate(INDICATORS, 1):
        Indicator.objects.get_or_create(code=code, defaults={
            "name": name, "unit": unit, "side": side, "computation": computation,
            "disaggregations": dis, "order": order * 10})


def unseed(apps, schema_editor):
    apps.get_model("assessment", "Indicator").objects.filter(code__in=[i[0] for i in INDICATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
