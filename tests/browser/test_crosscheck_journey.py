"""口径核对 in a real browser: the leader opens the check from the pairing
page, pastes two sentences and uploads a .docx; the table shows each figure's
verdict and links to the ledger rows behind it."""

import io

import docx
import pytest

from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.browser


def test_leader_checks_a_text_and_a_docx(journey, tmp_path):
    county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
    journey.login("lingdao")
    page = journey.go(f"/pairings/{county.pk}/")
    page.click("text=口径核对")
    page.fill("#id_text", "2021年落实帮扶资金4300万元，实施4大类7个项目。\n2022年两地互派“三支”人才18人次。")
    page.fill("#id_date", "2022-12-31")
    journey.shot("pasted")
    page.click("button:has-text('开始核对')")
    page.wait_for_selector("table.crosscheck-results")
    journey.shot("results")
    verdicts = page.locator("table.crosscheck-results td.verdict").all_inner_texts()
    assert verdicts == ["一致", "一致", "一致", "不一致"]
    assert "台账比文稿 −1人次" in page.locator("tr.verdict-inconsistent").inner_text()
    page.click("tr.verdict-inconsistent a:has-text('2022年')")
    page.wait_for_url(f"**/pairings/{county.pk}/talent/?year=2022")
    journey.shot("ledger-rows")

    document = docx.Document()
    document.add_paragraph("2022年，落实4220万元项目资金，确定5大类12个项目。")
    path = tmp_path / "简报.docx"
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(buffer.getvalue())
    journey.go(f"/pairings/{county.pk}/crosscheck/")
    page.set_input_files("#id_file", str(path))
    page.click("button:has-text('开始核对')")
    page.wait_for_selector("table.crosscheck-results")
    journey.shot("docx-results")
    assert page.locator("table.crosscheck-results td.verdict").all_inner_texts() == ["一致", "一致", "一致"]
