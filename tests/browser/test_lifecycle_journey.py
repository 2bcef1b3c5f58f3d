"""A project's whole life in the browser, from a village's application to
its asset's income: a township office enters and reviews the application,
the county office approves and lists it; the 入库公示 runs its ten days on
the county site and the township and village boards (photos uploaded); the
project is approved from the library entry, and each stage's notice must
have run before the project moves past it (a step tried too early is
refused with the reason); after acceptance the asset is registered, the
project handed over, and the asset's first income shared with 脱贫户.

Every step is taken on the pages, as the offices would; only the year's
receipt and the township office's account are set up beforehand."""

import contextlib
import datetime
from decimal import Decimal

import pytest
import time_machine
from PIL import Image

from xiezuo.accounts.models import Membership, User
from xiezuo.assets.models import Asset, AssetIncome
from xiezuo.audit.models import AuditEvent
from xiezuo.funds.models import FundReceipt, Project
from xiezuo.library.models import LibraryEntry
from xiezuo.notices.models import Notice
from xiezuo.pairings.models import Organisation, Pairing, Region

pytestmark = pytest.mark.browser

YEAR = 2026
D = datetime.date


def iso(day):
    return day.isoformat()


def board_photo(tmp_path, name):
    path = tmp_path / f"{name}.jpg"
    Image.new("RGB", (320, 240), (200, 180, 120)).save(path, "JPEG")
    return str(path)


def submit(journey, label, form="main form"):
    page = journey.page
    page.locator(f"{form} button[type=submit], {form} button:not([type])").last.click()
    page.wait_for_load_state()
    journey.shot(label)


def transition(journey, to, day, label):
    page = journey.page
    page.select_option("#transition-form select[name=to]", label=to)
    page.fill("#transition-form input[name=date]", iso(day))
    page.click("#transition-form button")
    page.wait_for_load_state()
    journey.shot(label)
    return page.locator("#project-status").inner_text()


def run_notice(journey, tmp_path, create_url, start, label, township=True, village=True):
    """Draft a notice from its subject, post it on each channel from its
    first day (photos for the boards), publish it. Returns the notice."""
    page = journey.page
    journey.go(create_url)
    page.fill("#id_hotline", "0971-2431234")
    page.fill("#id_start_date", iso(start))
    page.fill("#id_end_date", iso(start + datetime.timedelta(days=9)))
    journey.shot(f"{label}-draft")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    notice_url = page.url
    channels = [("县级政府网站", None)]
    if township:
        channels.append(("乡镇公示栏", "township"))
    if village:
        channels.append(("村公示栏", "village"))
    for channel, photo in channels:
        page.select_option("#posting-form select[name=channel]", label=channel)
        page.fill("#posting-form input[name=posted_on]", iso(start))
        if photo:
            page.set_input_files("#posting-form input[name=photo]", board_photo(tmp_path, f"{label}-{photo}"))
        else:
            page.fill("#posting-form input[name=url]", "https://www.huangyuan.gov.cn/gsgg/example.html")
        page.click("#posting-form button")
        page.wait_for_load_state()
    page.fill("#notice-step-form input[name=date]", iso(start))
    page.click("#notice-step-form button")
    page.wait_for_load_state()
    journey.shot(f"{label}-published")
    assert page.locator("#notice-status").inner_text() == "已发布", page.locator(".alert").all_inner_texts()
    return Notice.objects.get(pk=int(notice_url.rstrip("/").split("/")[-1]))


@contextlib.contextmanager
def on(journey, day, username):
    """Work on `day` (10:00 in 湟源), logged in afresh as `username`: the
    offices take the steps on the days they happen, and a session does not
    outlive its two hours."""
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(2, 0), datetime.timezone.utc), tick=True):
        journey.login(username)
        yield journey.page
        journey.page.click("nav button:has-text('退出')")


def test_village_application_to_asset_income(journey, tmp_path):
    county = Pairing.objects.get(level="county")
    township_pair = county.children.get(level="township", west_region__name="大华镇")
    village = Region.objects.filter(level="village", parent__name="大华镇").order_by("name").first()
    assert village is not None, "the demo's regions hold the villages of 大华镇"
    office = User.objects.create_user("dahua", password="xiezuo-demo-2022", display_name="大华镇协作办（测试）")
    Membership.objects.create(user=office, pairing=township_pair, role="west")
    FundReceipt.objects.create(pairing=county, year=YEAR, kind="fiscal", date=D(YEAR, 2, 20),
                               amount=Decimal("3000000"), doc_number="六协〔2026〕1号（测试）")
    town_government = Organisation.objects.filter(name="湟源县大华镇人民政府").order_by("pk").first()
    events_before = AuditEvent.objects.count()

    def library_step(page, action, day, label):
        page.select_option("#step-form select[name=action]", label=action)
        page.fill("#step-form input[name=date]", iso(day))
        page.click("#step-form button")
        page.wait_for_load_state()
        journey.shot(label)
        return page.locator("#entry-stage").inner_text()

    # 村申报 and 乡审核 by the township office.
    with on(journey, D(YEAR, 3, 3), "dahua") as page:
        journey.go(f"/pairings/{township_pair.pk}/library/new/")
        page.select_option("#id_pairing", value=str(township_pair.pk))
        page.fill("#id_year", str(YEAR))
        page.fill("#id_name", "大华镇村集体光伏电站建设项目（测试）")
        page.select_option("#id_township", value=str(village.parent_id))
        page.select_option("#id_village", value=str(village.pk))
        page.select_option("#id_category", label="产业发展")
        page.fill("#id_content", "村集体屋顶光伏电站一座（测试）")
        page.fill("#id_coop_funds", "1000000")
        page.fill("#id_benefit", "村集体年增收约8万元（测试）")
        page.fill("#id_linkage", "收益的60%分配给脱贫户（测试）")
        page.fill("#id_hotline", "0971-2431234")
        journey.shot("application")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        entry = LibraryEntry.objects.get(name="大华镇村集体光伏电站建设项目（测试）")
        assert page.locator("#entry-stage").inner_text() == "村申报"
        assert library_step(page, "乡审核通过", D(YEAR, 3, 3), "reviewed") == "乡审核"

    # 县审定 and 入库 by the county office; the 入库公示 starts; the project
    # is entered from the library entry and cannot yet be approved.
    with on(journey, D(YEAR, 3, 5), "huangyuan") as page:
        journey.go(f"/library/{entry.pk}/")
        assert library_step(page, "县审定通过", D(YEAR, 3, 5), "county-approved") == "县审定"
        assert library_step(page, "入库", D(YEAR, 3, 5), "listed") == "已入库"
        listing = run_notice(journey, tmp_path, f"/library/{entry.pk}/notices/new/", D(YEAR, 3, 5), "listing")
        assert listing.library_entry_id == entry.pk
        journey.go(f"/pairings/{county.pk}/projects/new/")
        page.fill("#id_code", "LIFE-2026-1")
        page.fill("#id_name", "大华镇村集体光伏电站建设项目（测试）")
        page.fill("#id_year", str(YEAR))
        page.select_option("#id_category", label="产业发展")
        page.select_option("#id_township", value=str(village.parent_id))
        page.select_option("#id_village", value=str(village.pk))
        page.fill("#id_coop_funds", "1000000")
        page.select_option("#id_implementing_unit", value=str(town_government.pk))
        page.select_option("#id_library_entry", value=str(entry.pk))
        journey.shot("project-form")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        project = Project.objects.get(code="LIFE-2026-1")
        project_path = page.url.replace(journey.base_url, "")
        assert transition(journey, "立项", D(YEAR, 3, 5), "approve-too-early") == "储备"
        assert "入库公示尚未满10天" in page.content()

    with on(journey, D(YEAR, 3, 16), "huangyuan") as page:
        journey.go(project_path)
        assert transition(journey, "立项", D(YEAR, 3, 16), "approved") == "立项"
        plan = run_notice(journey, tmp_path, f"/projects/{project.pk}/notices/new/?stage=plan", D(YEAR, 3, 16), "plan")

    with on(journey, D(YEAR, 3, 25), "huangyuan") as page:
        journey.go(project_path)
        # Day 10 of the 计划公告 is still inside its period.
        assert transition(journey, "招标采购", D(YEAR, 3, 25), "procurement-too-early") == "立项"
        assert "计划公告尚未满10天" in page.content()

    with on(journey, D(YEAR, 3, 26), "huangyuan") as page:
        journey.go(project_path)
        assert transition(journey, "招标采购", D(YEAR, 3, 26), "procurement") == "招标采购"

    with on(journey, D(YEAR, 4, 10), "huangyuan") as page:
        journey.go(project_path)
        assert transition(journey, "实施", D(YEAR, 4, 10), "implementing") == "实施"
        run_notice(journey, tmp_path, f"/projects/{project.pk}/notices/new/?stage=implementation", D(YEAR, 4, 10),
                   "implementation")

    with on(journey, D(YEAR, 7, 15), "huangyuan") as page:
        journey.go(project_path)
        assert transition(journey, "完工", D(YEAR, 6, 30), "completed") == "完工"
        assert transition(journey, "验收", D(YEAR, 7, 15), "accepted") == "验收"
        run_notice(journey, tmp_path, f"/projects/{project.pk}/notices/new/?stage=result", D(YEAR, 7, 15), "result")

    with on(journey, D(YEAR, 7, 30), "huangyuan") as page:
        # No asset yet: the handover is refused and says why.
        journey.go(project_path)
        assert transition(journey, "资产移交", D(YEAR, 7, 30), "handover-refused") == "验收"
        assert "项目移交前须登记资产" in page.content()
        page.click("#project-assets a:has-text('登记资产')")
        page.wait_for_load_state()
        assert page.locator("#id_name").input_value().startswith(project.name)  # prefilled from the project
        # The implementing unit holds it (确权) unless the office says otherwise.
        assert page.locator("#id_owner").input_value() == str(town_government.pk)
        page.select_option("#id_kind", label="经营性")
        page.fill("#id_value", "1000000")
        page.fill("#id_handed_over_on", iso(D(YEAR, 7, 30)))
        journey.shot("asset-form")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        asset = Asset.objects.get(project=project)
        asset_path = page.url.replace(journey.base_url, "")
        journey.go(project_path)
        assert transition(journey, "资产移交", D(YEAR, 7, 30), "handed-over") == "资产移交"

    # The asset's first income, shared with the village's 脱贫户.
    with on(journey, D(YEAR, 11, 20), "huangyuan") as page:
        journey.go(asset_path + "income/new/")
        page.fill("#id_year", str(YEAR))
        page.fill("#id_date", iso(D(YEAR, 11, 20)))
        page.fill("#id_amount", "80000")
        page.locator("select[name$=kind]").first.select_option(label="脱贫户")
        page.locator("input[name$=description]").first.fill("后庄村脱贫户（测试）")
        page.locator("input[name$=amount]").nth(1).fill("48000")
        page.locator("input[name$=households]").first.fill("24")
        page.locator("input[name$=poor_households]").first.fill("24")
        journey.shot("income-form")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        journey.shot("income-shared")
        income = AssetIncome.objects.get(asset=asset)
        assert income.amount == Decimal("80000") and income.shares.get().poor_households == 24
        assert "8万元" in page.locator("#asset-income").inner_text()

    # Every stage went through the period rule, and every step was audited.
    project.refresh_from_db()
    assert project.status == Project.HANDED_OVER and project.library_entry_id == entry.pk
    assert [s.to_status for s in project.status_changes.order_by("date", "pk")] == [
        "approved", "procurement", "implementing", "completed", "accepted", "handed_over"]
    assert plan.pk != listing.pk and Notice.objects.filter(project=project).count() == 3
    assert AuditEvent.objects.count() > events_before
    workflow = set(AuditEvent.objects.filter(action="workflow", seq__gt=0).values_list("model", flat=True))
    assert {"library.LibraryEntry", "notices.Notice"} <= workflow, workflow
