"""A project's life in the browser: the west office records the year's
funds, creates a project, moves it through its life cycle and submits a
disbursement; the east office confirms it."""

import datetime

import pytest

from lib.dates import cn_date

from xiezuo.accounts.models import User
from xiezuo.funds.models import Disbursement, Project, ProjectCategory
from xiezuo.library.models import LibraryEntry
from xiezuo.notices.demo import run_notice
from xiezuo.pairings.models import Pairing

from ..funds.conftest import register_asset

pytestmark = pytest.mark.browser


def step(journey, to, label):
    page = journey.page
    page.select_option("#transition-form select[name=to]", label=to)
    page.click("#transition-form button")
    page.wait_for_load_state()
    assert page.locator("#project-status").inner_text() == to, page.locator(".alert").all_inner_texts()
    journey.shot(label)


def test_project_life_cycle_and_two_step_disbursement(journey):
    county = Pairing.objects.get(level="county")
    page = journey.page
    journey.login("huangyuan")

    journey.go(f"/pairings/{county.pk}/funds/receipts/new/")
    page.fill("#id_year", "2023")
    page.select_option("#id_kind", label="财政援助资金")
    page.fill("#id_date", "2023-03-01")
    page.fill("#id_amount", "1000000")
    page.fill("#id_doc_number", "六协〔2023〕1号")
    journey.shot("receipt-form")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "六协〔2023〕1号" in page.content()
    journey.shot("receipt-saved")

    # Only a listed library entry may be approved: the year's library holds one.
    entry = LibraryEntry.objects.create(pairing=county, year=2023, name="浏览器测试项目库条目（示例）",
                                        unit_name="湟源县大华镇人民政府", content="村道硬化（示例）",
                                        category=ProjectCategory.objects.get(code="rural"))
    entry.record_application(User.objects.get(username="huangyuan"), datetime.date(2023, 3, 1))
    entry.take(User.objects.get(username="admin"), "review", date=datetime.date(2023, 3, 2))
    for action in ("approve", "list"):
        entry.take(User.objects.get(username="huangyuan"), action, date=datetime.date(2023, 3, 3))

    journey.go(f"/pairings/{county.pk}/projects/new/")
    page.fill("#id_code", "JOURNEY-2023-1")
    page.fill("#id_name", "浏览器测试项目（示例）")
    page.fill("#id_year", "2023")
    page.select_option("#id_category", label="乡村建设")
    page.select_option("#id_township", label="湟源县大华镇")
    page.fill("#id_coop_funds", "600000")
    page.select_option("#id_library_entry", label="2023年 浏览器测试项目库条目（示例）")
    journey.shot("project-form")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("浏览器测试项目（示例）")
    assert page.locator("#project-status").inner_text() == "储备"
    journey.shot("project-created")
    # Each stage's notice has run its period (公告公示), so the steps taken
    # today pass the period rule.
    created = Project.objects.get(code="JOURNEY-2023-1")
    huangyuan = User.objects.get(username="huangyuan")
    run_notice(entry, "listing", datetime.date(2023, 3, 4), huangyuan, demo=False)
    for stage in ("plan", "implementation", "result"):
        run_notice(created, stage, datetime.date(2023, 3, 20), huangyuan, demo=False)

    for to, label in (("立项", "approved"), ("招标采购", "procurement"), ("实施", "implementing")):
        step(journey, to, label)

    page.click("text=提交拨付")
    page.fill("#id_date", "2023-05-01")
    page.fill("#id_amount", "400000")
    page.fill("#id_voucher_number", "HY-2023-0501")
    page.fill("#id_purpose", "进度款")
    journey.shot("disbursement-form")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    journey.shot("disbursement-submitted")
    project = Project.objects.get(code="JOURNEY-2023-1")
    d = Disbursement.objects.get(project=project)
    assert d.status == "submitted"
    # The west office cannot confirm its own submission: no button for it.
    assert page.locator("table.disbursements button:has-text('确认')").count() == 0

    page.click("nav button:has-text('退出')")
    journey.login("liuhe")
    journey.go(f"/projects/{project.pk}/")
    journey.shot("east-sees-submission")
    # Money asks once more, naming the amount and the project; dismissed, nothing happens.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("table.disbursements button:has-text('确认')")
    assert asked == [f"确认向“{project.name}”拨付 40万元（{cn_date(d.date)}）？确认后不能撤销。"]
    d.refresh_from_db()
    assert d.status == "submitted"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("table.disbursements button:has-text('确认')")
    page.wait_for_load_state()
    journey.shot("east-confirmed")
    d.refresh_from_db()
    assert d.status == "confirmed" and d.decided_by.username == "liuhe" and d.submitted_by.username == "huangyuan"
    assert "已确认拨付 40万元" in page.content()

    # Finish the project as the west office.
    page.click("nav button:has-text('退出')")
    journey.login("huangyuan")
    journey.go(f"/projects/{project.pk}/")
    for to, label in (("完工", "completed"), ("验收", "accepted")):
        step(journey, to, label)
    # The handover needs the asset the project formed (the whole registration
    # on the page is walked in test_lifecycle_journey).
    register_asset(project, datetime.date.today())
    journey.go(f"/projects/{project.pk}/")
    step(journey, "资产移交", "handed-over")
    assert page.locator("#status-history tbody tr").count() == 6
