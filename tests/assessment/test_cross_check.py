"""互评: the two sides' reports of a year side by side, every difference flagged."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.checklist import api_checklist, login, page_checklist
from xiezuo.assessment import workflow
from xiezuo.assessment.models import Indicator, ManualActual
from xiezuo.pairings.models import Agreement, AgreementTarget

from .conftest import add_receipts

pytestmark = pytest.mark.django_db


def row_of(html, code):
    start = html.index(f'data-code="{code}"')
    return html[start:html.index("</tr>", start)]


def test_a_different_snapshot_is_flagged(county, probe_section, users):
    probe_section.side = "both"
    probe_section.save()
    agreement = Agreement.objects.create(pairing=county, year=2031, title="测试协议")
    AgreementTarget.objects.create(agreement=agreement, indicator="probe_funds", value=Decimal("200"), unit="万元")
    add_receipts(county, 2031, ["1500000.00"])
    workflow.get_or_draft(county, 2031, users["huangyuan"], side="west")
    add_receipts(county, 2031, ["500000.00"])  # the ledger moves on before the east drafts
    workflow.get_or_draft(county, 2031, users["liuhe"], side="east")
    url = reverse("assessment:cross_check", args=[county.pk, 2031])
    html = page_checklist(url).content.decode()
    probe = row_of(html, "probe_funds")
    assert "table-warning" in probe and "完成值不一致" in probe and "目标值不一致" not in probe
    assert "150万元" in probe and "200万元" in probe
    # An indicator of one side only is shown beside nothing, not flagged.
    assert "仅东部考核" in row_of(html, "fiscal_funds") and "table-warning" not in row_of(html, "fiscal_funds")
    assert "仅西部考核" in row_of(html, "execution")
    assert "一致" in row_of(html, "labour") and "table-warning" not in row_of(html, "labour")
    assert "双方数据有1项指标不一致" in html
    # Both reports are linked.
    for side in ("east", "west"):
        assert reverse("assessment:self_evaluation", args=[county.pk, 2031, side]) in html
    # The same through the API.
    data = api_checklist(f"/api/v1/pairings/{county.pk}/cross-check?year=2031").json()
    rows = {r["code"]: r for r in data["indicators"]}
    assert data["differences"] == 1
    assert rows["probe_funds"]["flags"] == ["完成值不一致"] and rows["probe_funds"]["differs"] is True
    assert (rows["probe_funds"]["west"]["actual"], rows["probe_funds"]["east"]["actual"]) == ("1500000.00",
                                                                                              "2000000.00")
    assert rows["fiscal_funds"]["west"] is None and rows["fiscal_funds"]["differs"] is False


def test_a_manual_actual_and_a_missing_indicator_are_flagged(county, probe_section, users):
    brand = Indicator.objects.create(code="brand", name="劳务品牌", unit="个", side="both", computation="manual",
                                     order=2)
    workflow.get_or_draft(county, 2031, users["huangyuan"], side="west")
    # After the west's snapshot: a hand-entered actual, and a new indicator of both sides.
    r = login("liuhe").post(reverse("assessment:manual_actuals", args=[county.pk, 2031]),
                            {"indicator": brand.pk, "value": "3", "note": "人社局认定文件"})
    assert r.status_code == 302 and ManualActual.objects.filter(indicator=brand, year=2031).exists()
    Indicator.objects.create(code="later", name="新增指标", unit="个", side="both", computation="manual", order=3)
    workflow.get_or_draft(county, 2031, users["liuhe"], side="east")
    found = workflow.cross_check(county, 2031)
    rows = {r["code"]: r for r in found["rows"]}
    assert rows["brand"]["flag_codes"] == ["actual"]
    assert (rows["brand"]["west"]["actual_display"], rows["brand"]["east"]["actual_display"]) == ("—", "3个")
    assert rows["later"]["flag_codes"] == ["missing_west"] and rows["later"]["west"] is None
    assert rows["probe_funds"]["flag_codes"] == []  # east only, not in the west's report
    assert found["differences"] == 2
    html = login("huangyuan").get(reverse("assessment:cross_check", args=[county.pk, 2031])).content.decode()
    assert "西部缺少该指标" in row_of(html, "later") and "完成值不一致" in row_of(html, "brand")


def test_a_side_without_a_report_is_compared_by_its_live_figures(county, probe_section, users):
    probe_section.side = "both"
    probe_section.save()
    add_receipts(county, 2031, ["100000.00"])
    workflow.get_or_draft(county, 2031, users["huangyuan"], side="west")
    found = workflow.cross_check(county, 2031)
    assert found["sources"]["east"] is None and found["differences"] == 0
    add_receipts(county, 2031, ["100000.00"])  # the east's live figures move, the west's snapshot not
    found = workflow.cross_check(county, 2031)
    rows = {r["code"]: r for r in found["rows"]}
    assert rows["probe_funds"]["flag_codes"] == ["actual"] and found["differences"] == 1
    html = login("liuhe").get(reverse("assessment:cross_check", args=[county.pk, 2031])).content.decode()
    assert "未起草，下列为台账现值" in html


def test_self_evaluations_api_exposes_each_side(county, users):
    evaluation = workflow.get_or_draft(county, 2022, users["liuhe"], side="east")
    evaluation.submit(users["liuhe"])
    evaluation.record_opinion(users["huangyuan"], "同意")
    data = api_checklist(f"/api/v1/pairings/{county.pk}/self-evaluations?year=2022").json()
    reports = {r["side"]: r for r in data["reports"]}
    assert set(reports) == {"east", "west"}
    assert reports["east"]["status"] == "submitted" and reports["west"]["status"] == "draft"
    assert [(o["side"], o["text"]) for o in reports["east"]["opinions"]] == [("west", "同意")]
    assert reports["east"]["title"].endswith("东部自评报告")
    assert {r["side"] for r in reports["east"]["indicators"]} <= {"east", "both"}
