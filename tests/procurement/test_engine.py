"""Rule sets as data: county layering, threshold edits, dated versions."""

import pytest

from xiezuo.procurement.models import Finding, RuleSet, RuleSetting, RuleSetVersion
from xiezuo.procurement.services import effective_settings

from .conftest import D, codes, wan

pytestmark = pytest.mark.django_db


def county_version(county, effective_from, **overrides):
    """Give the county pair a rule-set version overriding some rules."""
    ruleset, _ = RuleSet.objects.get_or_create(pairing=county, defaults={"name": "县级规则（测试）"})
    version = RuleSetVersion.objects.create(ruleset=ruleset, effective_from=effective_from)
    for code, params in overrides.items():
        RuleSetting.objects.create(rule_version=version, rule_code=code, severity="high", params=params,
                                   law="《湟源县关于进一步规范招投标、发包监督管理的实施意见》", article="（示例）")
    return version


def test_changing_a_county_threshold_changes_the_findings(county, make_tender):
    t = make_tender(method="negotiation", estimated_value=wan(350))
    version = county_version(county, D(2023, 1, 1), MANDATORY_TENDER={"works": "3000000.00"})
    assert "MANDATORY_TENDER" in codes(t)
    f = Finding.objects.get(tender=t, rule_code="MANDATORY_TENDER")
    assert f.figures["threshold"] == "3000000.00" and f.rule_version == version
    assert f.law == "《湟源县关于进一步规范招投标、发包监督管理的实施意见》"

    setting = version.settings.get(rule_code="MANDATORY_TENDER")
    setting.params = {"works": "3600000.00"}
    setting.save()
    assert "MANDATORY_TENDER" not in codes(t)


def test_county_overrides_only_the_rules_it_names(county, foreign):
    county_version(county, D(2023, 1, 1), MANDATORY_TENDER={"works": "3000000.00"})
    here = effective_settings(county, D(2023, 6, 1))
    assert here["MANDATORY_TENDER"].params["works"] == "3000000.00"
    # The other kinds keep the national parameters; other rules are national.
    assert here["MANDATORY_TENDER"].params["goods"] == "2000000.00"
    assert here["BID_PERIOD"].params["min_days"] == 20 and not here["BID_PERIOD"].overridden
    # A sub-pairing inherits the county set; a foreign pairing does not.
    sub = county.children.first()
    assert effective_settings(sub, D(2023, 6, 1))["MANDATORY_TENDER"].params["works"] == "3000000.00"
    assert effective_settings(foreign, D(2023, 6, 1))["MANDATORY_TENDER"].params["works"] == "4000000.00"


def test_process_before_a_versions_effective_date_is_judged_by_the_older_version(foreign, make_tender, project):
    project.pairing = foreign
    project.save()
    # NDRC Order 16 raised the works threshold from 200万 to 400万 on 2018-06-01.
    old = make_tender(method="negotiation", estimated_value=wan(300), year=2018, notice_date=D(2018, 5, 31),
                      docs_issued=D(2018, 5, 31), bid_deadline=D(2018, 6, 30), opening_date=D(2018, 6, 30),
                      title="新规生效前")
    assert "MANDATORY_TENDER" in codes(old)
    f = Finding.objects.get(tender=old, rule_code="MANDATORY_TENDER")
    assert f.article == "第七条" and "国家发展计划委员会令第3号" in f.law and f.figures["threshold"] == "2000000.00"
    new_project = type(project).objects.create(pairing=foreign, code="TEST-V-2", name="新项目（示例）", year=2018,
                                               category=project.category)
    new = make_tender(method="negotiation", estimated_value=wan(300), year=2018, project=new_project,
                      notice_date=D(2018, 6, 1), docs_issued=D(2018, 6, 1), bid_deadline=D(2018, 7, 1),
                      title="新规生效后")
    assert "MANDATORY_TENDER" not in codes(new)


def test_a_new_national_version_applies_from_its_date_only(foreign, make_tender, project):
    project.pairing = foreign
    project.save()
    national = RuleSet.objects.get(pairing=None)
    current = national.version_on(D(2023, 1, 1))
    before = make_tender(bid_deadline=D(2023, 3, 24), opening_date=D(2023, 3, 24))  # 23 days
    after = make_tender(notice_date=D(2024, 3, 1), docs_issued=D(2024, 3, 1), bid_deadline=D(2024, 3, 24),
                        opening_date=D(2024, 3, 24), year=2024, title="2024")
    assert "BID_PERIOD" not in codes(before) and "BID_PERIOD" not in codes(after)
    newer = RuleSetVersion.objects.create(ruleset=national, effective_from=D(2024, 1, 1), note="测试：25日")
    for s in current.settings.all():
        params = {**s.params, "min_days": 25} if s.rule_code == "BID_PERIOD" else s.params
        RuleSetting.objects.create(rule_version=newer, rule_code=s.rule_code, severity=s.severity,
                                   params=params, law=s.law, article=s.article)
    assert "BID_PERIOD" not in codes(before)
    assert "BID_PERIOD" in codes(after)


def test_severity_and_enabled_come_from_the_rule_set(county, make_tender):
    t = make_tender(estimated_value=wan(390))
    assert Finding.objects.get(tender=t, rule_code="JUST_BELOW", active=True).severity == "low"
    version = county_version(county, D(2023, 1, 1), JUST_BELOW={})
    assert Finding.objects.get(tender=t, rule_code="JUST_BELOW", active=True).severity == "high"
    s = version.settings.get(rule_code="JUST_BELOW")
    s.enabled = False
    s.save()
    assert "JUST_BELOW" not in codes(t)
