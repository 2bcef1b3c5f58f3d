"""Journeys through the Excel import, the dashboard and the 自评报告."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
import xlsxwriter
from docx import Document

from xiezuo.funds.models import FundReceipt, Project
from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.browser


def receipts_xlsx(path, second_date):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("资金到位")
    ws.write_row(0, 0, ["六合区—湟源县2024年资金到位台账"])
    ws.write_row(1, 0, ["年度", "资金类型", "文号", "到位日期", "金额（万元）"])
    ws.write_row(2, 0, [2024, "财政援助资金", "六协〔2024〕1号", "2024年3月1日", 500])
    ws.write_row(3, 0, [2024, "财政援助资金", "六协〔2024〕2号", second_date, "1,200"])
    ws.write_row(4, 0, ["合计", "", "", "", 1700])
    wb.close()
    return path


def test_import_with_an_error_then_corrected(journey, tmp_path):
    county = Pairing.objects.get(level="county")
    page = journey.page
    journey.login("huangyuan")
    journey.go(f"/pairings/{county.pk}/ledgers/")
    journey.shot("ledgers")

    form = page.locator("form[action$='/ledgers/funds/import/']")
    form.locator("input[type=file]").set_input_files(str(receipts_xlsx(tmp_path / "bad.xlsx", "2024年13月1日")))
    form.locator("button").click()
    page.wait_for_selector("#errors, #confirm", timeout=30000)
    journey.shot("preview-with-error")
    errors = page.locator("#errors tbody tr")
    assert errors.count() == 1
    text = errors.first.inner_text()
    assert "4" in text and "到位日期" in text and "2024年13月1日" in text
    assert page.locator("#confirm").count() == 0
    assert not FundReceipt.objects.filter(year=2024).exists()

    journey.go(f"/pairings/{county.pk}/ledgers/")
    form = page.locator("form[action$='/ledgers/funds/import/']")
    form.locator("input[type=file]").set_input_files(str(receipts_xlsx(tmp_path / "good.xlsx", "2024.6.1")))
    form.locator("button").click()
    page.wait_for_selector("#confirm", timeout=30000)
    journey.shot("preview-clean")
    assert "新增2条" in page.locator("#confirm").inner_text()
    page.click("#confirm")
    page.wait_for_selector("#done", timeout=60000)
    journey.shot("imported")
    rows = FundReceipt.objects.filter(year=2024, pairing=county).order_by("date")
    assert [(r.doc_number, r.date, r.amount) for r in rows] == [
        ("六协〔2024〕1号", datetime.date(2024, 3, 1), Decimal("5000000.00")),
        ("六协〔2024〕2号", datetime.date(2024, 6, 1), Decimal("12000000.00")),
    ]


def test_dashboard_chart_shows_the_ledger_figures(journey):
    county = Pairing.objects.get(level="county")
    page = journey.page
    journey.login("lingdao")
    journey.go(f"/assessment/pairings/{county.pk}/?year=2022")
    page.wait_for_selector("[data-chart=funds_by_category] canvas", timeout=30000)
    journey.shot("dashboard-2022")

    card = page.locator(".indicator-card[data-code=fiscal_funds]")
    assert "4220万元" in card.inner_text()
    series = page.evaluate("""() => {
        const node = document.querySelector('[data-chart=funds_by_category] .chart');
        const option = window.echarts.getInstanceByDom(node).getOption();
        const money = option.series.find(s => /资金|金额/.test(s.name));
        return {labels: option.xAxis[0].data || option.yAxis[0].data, data: money.data, name: money.name};
    }""")
    expected = defaultdict(Decimal)
    for p in Project.objects.filter(pairing__path__startswith=county.path, year=2022).exclude(
            status__in=["reserve", "terminated"]).select_related("category"):
        expected[p.category.name] += p.coop_funds
    shown = dict(zip(series["labels"], series["data"]))
    assert set(expected) <= set(shown), (shown, expected)
    for name, amount in expected.items():
        assert Decimal(str(shown[name])) in (amount, amount / 10000), (series["name"], name, shown[name], amount)


def test_download_the_self_evaluation_report(journey, tmp_path):
    # The east office's own report: the 财政援助资金 it sent is its indicator.
    county = Pairing.objects.get(level="county")
    page = journey.page
    journey.login("liuhe")
    journey.go(f"/assessment/pairings/{county.pk}/self-evaluation/2022/east/")
    if page.locator("text=根据台账数据起草自评").count():
        page.click("text=根据台账数据起草自评")
        page.wait_for_load_state()
    journey.shot("self-evaluation")
    with page.expect_download() as info:
        page.click("text=下载自评报告（Word）")
    path = tmp_path / "report.docx"
    info.value.save_as(str(path))
    assert info.value.suggested_filename.endswith("-east.docx")
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    table_text = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "东部自评报告" in text and "2022" in text and "南京市六合区东西部协作工作领导小组办公室" in text
    assert "4220" in table_text


def test_the_west_records_its_views_on_the_east_report_and_reads_the_cross_check(journey):
    from xiezuo.accounts.models import User
    from xiezuo.assessment.models import SelfEvaluation

    county = Pairing.objects.get(level="county")
    east = SelfEvaluation.objects.get(pairing=county, year=2022, side="east")
    east.submit(User.objects.get(username="liuhe"))
    page = journey.page
    journey.login("huangyuan")
    journey.go(f"/assessment/pairings/{county.pk}/self-evaluation/2022/east/")
    assert page.locator("text=定稿并锁定").count() == 0  # not the west's to finalise
    page.fill("#opinion-form textarea[name=text]", "同意。建议补充消费帮扶的直接采购数据。")
    page.click("#opinion-form button[type=submit]")
    page.wait_for_load_state()
    journey.shot("opinion-recorded")
    assert page.locator(".opinion", has_text="建议补充消费帮扶的直接采购数据").count() == 1
    page.click("#cross-check-link")
    page.wait_for_load_state()
    journey.shot("cross-check")
    assert page.locator("#cross-check tbody tr").count() > 5
    assert page.locator("#cross-check tr[data-code=fiscal_funds]", has_text="仅东部考核").count() == 1
