"""Seed the national default rule set with two dated versions.

The rule set is data the administrator edits in the UI; it must exist on
every installation, not only in the demo, hence a data migration. The values
are written out here (not read from the rule code) so the migration stays
what it was when it ran.

- 2000-05-01: 《工程建设项目招标范围和规模标准规定》（国家发展计划委员会令第3号）,
  construction 200万, important goods 100万, survey/design/supervision 50万.
- 2018-06-01: 《必须招标的工程项目规定》（国家发展改革委令第16号）,
  construction 400万, goods 200万, survey/design/supervision 100万.
"""

import datetime

from django.db import migrations

NATIONAL = [
    ('MANDATORY_TENDER', 'high', '《必须招标的工程项目规定》（国家发展改革委令第16号）', '第五条', {'works': '4000000.00', 'goods': '2000000.00', 'services': '2000000.00', 'consultancy': '1000000.00'}),
    ('BID_PERIOD', 'high', '《中华人民共和国招标投标法》', '第二十四条', {'min_days': 20}),
    ('FEW_BIDDERS', 'high', '《中华人民共和国招标投标法实施条例》', '第四十四条', {'min_bidders': 3}),
    ('SAME_LEGAL_REP', 'high', '《中华人民共和国招标投标法实施条例》', '第三十四条', {}),
    ('DEEMED_COLLUSION', 'high', '《中华人民共和国招标投标法实施条例》', '第四十条', {'check_phone': True, 'check_bond_account': True, 'check_project_manager': True}),
    ('PUBLICITY', 'medium', '《中华人民共和国招标投标法实施条例》', '第五十四条', {'max_start_days': 3, 'min_days': 3}),
    ('AMENDMENT_OVER', 'high', '《中华人民共和国政府采购法》第四十九条；《中华人民共和国政府采购法实施条例》', '第六十七条第（五）项', {'max_percent': '10.00'}),
    ('SPLITTING', 'high', '《中华人民共和国招标投标法》第四条；《中华人民共和国政府采购法实施条例》', '第二十八条', {'works': '4000000.00', 'goods': '2000000.00', 'services': '2000000.00', 'consultancy': '1000000.00'}),
    ('JUST_BELOW', 'low', '《必须招标的工程项目规定》（国家发展改革委令第16号）', '第五条', {'works': '4000000.00', 'goods': '2000000.00', 'services': '2000000.00', 'consultancy': '1000000.00', 'band_percent': '5.00'}),
    ('SINGLE_SOURCE_ABOVE', 'medium', '《中华人民共和国政府采购法》', '第二十七条、第三十一条', {'works': '4000000.00', 'goods': '2000000.00', 'services': '2000000.00', 'consultancy': '1000000.00'}),
    ('R003_SHORT_PERIOD', 'medium', 'Open Contracting Partnership Cardinal 红旗指标；《政府采购非招标采购方式管理办法》《政府采购竞争性磋商采购方式管理暂行办法》', 'R003', {'days_open': 20, 'days_selective': 20, 'days_consultation': 10, 'days_negotiation': 3, 'days_rfq': 3}),
    ('R018_SINGLE_BID', 'high', 'Open Contracting Partnership Cardinal 红旗指标', 'R018', {}),
    ('R024_PRICE_CLOSE', 'medium', 'Open Contracting Partnership Cardinal 红旗指标', 'R024', {'max_gap_percent': '1.00'}),
    ('R028_IDENTICAL_PRICES', 'high', 'Open Contracting Partnership Cardinal 红旗指标', 'R028', {}),
    ('R035_ALL_BUT_WINNER_DISQUALIFIED', 'high', 'Open Contracting Partnership Cardinal 红旗指标', 'R035', {}),
    ('R036_LOWEST_DISQUALIFIED', 'medium', 'Open Contracting Partnership Cardinal 红旗指标', 'R036', {}),
    ('REPEAT_WINNER', 'low', 'Open Contracting Partnership Cardinal 红旗指标（供应商集中）', '同一采购人年度中标次数', {'min_awards': 3}),
]

ORDER_3 = {
    "law": "《工程建设项目招标范围和规模标准规定》（国家发展计划委员会令第3号）",
    "article": "第七条",
    "thresholds": {"works": "2000000.00", "goods": "1000000.00", "consultancy": "500000.00"},
}


def seed(apps, schema_editor):
    RuleSet = apps.get_model("procurement", "RuleSet")
    Version = apps.get_model("procurement", "RuleSetVersion")
    Setting = apps.get_model("procurement", "RuleSetting")
    national, _ = RuleSet.objects.get_or_create(
        pairing=None, defaults={"name": "国家默认规则", "source": "招标投标法及其实施条例、政府采购法及其实施条例、"
                                                       "《必须招标的工程项目规定》；Cardinal 红旗指标"})
    old = Version.objects.create(ruleset=national, effective_from=datetime.date(2000, 5, 1),
                                 note="国家计委令第3号限额（施工200万元、货物100万元、勘察设计监理50万元）")
    new = Version.objects.create(ruleset=national, effective_from=datetime.date(2018, 6, 1),
                                 note="国家发展改革委令第16号限额（施工400万元、货物200万元、勘察设计监理100万元）")
    for code, severity, law, article, params in NATIONAL:
        Setting.objects.create(rule_version=new, rule_code=code, severity=severity, law=law, article=article,
                               params=params)
        if code in ("MANDATORY_TENDER", "JUST_BELOW"):
            params = {**params, **ORDER_3["thresholds"]}
            law, article = ORDER_3["law"], ORDER_3["article"]
        Setting.objects.create(rule_version=old, rule_code=code, severity=severity, law=law, article=article,
                               params=params)


def unseed(apps, schema_editor):
    apps.get_model("procurement", "RuleSet").objects.filter(pairing=None).delete()


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
