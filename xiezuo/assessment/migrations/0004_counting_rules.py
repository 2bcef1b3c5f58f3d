"""Point the seeded indicators at the figures counted by the official rules
(docs/modules/rules.md): the execution rate's base is the cash received
(捐物折款 funds no project), 引导企业投资 counts enterprises with money
arriving in the year, and 财政援助资金 is broken down by the level of
government that paid.

A field is changed only while it still holds the seeded value: an office
that edited an indicator keeps its own wording and computation.
"""

from django.db import migrations

# code, field, seeded value, new value
CHANGES = [
    ("execution", "name", "资金支出进度（已拨付/已到位）", "资金支出进度（已拨付/已到位资金，不含捐物折款）"),
    ("execution", "disaggregations", "已到位资金（元）=funds.received\n已拨付资金（元）=funds.disbursed",
     "已到位资金（不含捐物折款，元）=funds.received_cash\n已拨付资金（元）=funds.disbursed\n"
     "捐物折款（元）=funds.in_kind_received"),
    ("enterprises", "name", "引导企业到西部投资（落地企业）", "引导企业到西部投资（当年有投资到位的企业）"),
    ("enterprises", "computation", "industry.enterprises_landed", "industry.enterprises_invested"),
    ("enterprises", "disaggregations", "实际到位投资（元）=industry.investment_arrived",
     "当年实际到位投资（元）=industry.investment_arrived\n当年落地企业（家）=industry.enterprises_landed"),
    ("fiscal_funds", "disaggregations", "",
     "其中省级（元）=funds.fiscal_by_level.province\n其中市级（元）=funds.fiscal_by_level.city\n"
     "其中县（区）级（元）=funds.fiscal_by_level.county\n其中乡镇（街道）级（元）=funds.fiscal_by_level.township"),
    ("social_funds", "disaggregations", "核对：社会捐赠台账（元）=industry.donations",
     "其中结对帮扶资金（元）=funds.pairing_received\n核对：社会捐赠台账（元）=industry.donations"),
]


def update(apps, schema_editor):
    Indicator = apps.get_model("assessment", "Indicator")
    for code, field, seeded, new in CHANGES:
        Indicator.objects.filter(code=code, **{field: seeded}).update(**{field: new})


def revert(apps, schema_editor):
    Indicator = apps.get_model("assessment", "Indicator")
    for code, field, seeded, new in CHANGES:
        Indicator.objects.filter(code=code, **{field: new}).update(**{field: seeded})


class Migration(migrations.Migration):
    dependencies = [("assessment", "0003_figures_cache_dashboard")]
    operations = [migrations.RunPython(update, revert)]
