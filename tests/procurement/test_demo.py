"""The demo: illustrative processes, some tripping the main rules, some clean,
and a county rule set whose lower thresholds make a difference."""

import datetime

import pytest

from xiezuo.procurement.models import Finding, RuleSet, Tender
from xiezuo.procurement.services import effective_settings, evaluate

pytestmark = pytest.mark.django_db

CLEAN = {"医疗设备采购（示例）", "10所学校运动场施工（示例）", "波航中心学校围墙施工（示例）", "帮扶车间建设工程（示例）"}


def active_codes(title):
    return set(Finding.objects.filter(tender__title=title, active=True).values_list("rule_code", flat=True))


def test_demo_processes_are_illustrative_and_some_are_clean(county):
    tenders = Tender.objects.filter(pairing=county, is_demo=True)
    assert tenders.count() == 12 and all("（示例）" in t.title for t in tenders)
    for title in CLEAN:
        assert active_codes(title) == set(), title
    flagged = set(Finding.objects.filter(tender__in=tenders, active=True).values_list("rule_code", flat=True))
    assert {"MANDATORY_TENDER", "BID_PERIOD", "FEW_BIDDERS", "DEEMED_COLLUSION", "SAME_LEGAL_REP", "SPLITTING",
            "AMENDMENT_OVER", "R018_SINGLE_BID", "R035_ALL_BUT_WINNER_DISQUALIFIED"} <= flagged


def test_demo_county_rule_set_lowers_thresholds_and_changes_findings(county):
    ruleset = RuleSet.objects.get(pairing=county)
    assert ruleset.is_demo and "湟源县关于进一步规范招投标、发包监督管理的实施意见" in ruleset.source
    lot = Tender.objects.get(title="幼儿园玩教具采购第1包（示例）")
    split = Finding.objects.get(tender=lot, rule_code="SPLITTING", active=True)
    assert split.figures["threshold"] == "1000000.00" and "实施意见" in split.law
    # Under the national rules alone the two lots (145万) stay below 200万.
    national_only = effective_settings(county, lot.process_date, layers=[RuleSet.objects.get(pairing=None)])
    assert "SPLITTING" not in {eff.code for eff, _ in evaluate(lot, national_only)}
    # 2021 processes predate the county set and are judged nationally.
    old = Tender.objects.get(title="人居环境整治工程施工（示例）")
    assert {f.rule_version.ruleset.pairing_id for f in old.findings.all()} == {None}


def test_demo_reseeds_the_national_rules_after_a_flush():
    from xiezuo.procurement.demo import national_rules

    national_rules()  # present: nothing happens
    assert RuleSet.objects.filter(pairing=None).count() == 1
    RuleSet.objects.filter(pairing=None).delete()
    national_rules()
    national = RuleSet.objects.get(pairing=None)
    assert [str(v.effective_from) for v in national.versions.order_by("effective_from")] == ["2000-05-01", "2018-06-01"]
    assert national.version_on(datetime.date(2023, 1, 1)).settings.count() == 17
