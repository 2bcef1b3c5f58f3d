"""Pages: the permission checklist for every view, forms, the board."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.checklist import login, page_checklist
from xiezuo.audit.models import AuditEvent
from xiezuo.industry import services
from xiezuo.industry.ledgers import LEDGERS
from xiezuo.industry.models import AgreedItem, Investment, Park, Visit
from xiezuo.pairings.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date


def valid_data(slug, county, firm):
    base = {"pairing": county.pk}
    return base | {
        "parks": {"name": "测试园区", "since_year": "2023", "status": "planned"},
        "investments": {"enterprise": firm.pk, "project_name": "测试项目", "industry": "other",
                        "landed_on": "2022-05-01", "agreed_amount": "100", "jobs": "10", "jobs_poverty": "3",
                        "arrivals-TOTAL_FORMS": "1", "arrivals-INITIAL_FORMS": "0", "arrivals-0-date": "2022-05-01",
                        "arrivals-0-amount": "80"},
        "workshops": {"name": "测试车间", "kind": "factory", "opened_on": "2022-01-01", "jobs": "5",
                      "jobs_poverty": "2"},
        "donations": {"date": "2022-05-01", "donor_name": "测试商会", "donor_kind": "association", "form": "cash",
                      "amount": "1000", "purpose": "助学", "receiver": "测试学校"},
        "visits": {"kind": "inspection", "title": "测试考察", "direction": "east_to_west", "start_on": "2022-05-01",
                   "end_on": "2022-05-02", "officials-TOTAL_FORMS": "1", "officials-INITIAL_FORMS": "0",
                   "officials-0-side": "east", "officials-0-name": "张三", "officials-0-post": "局长",
                   "officials-0-role": "lead"},
        "items": {"year": "2023", "title": "测试事项", "east_owner": "六合区甲局", "west_owner": "湟源县乙局",
                  "deadline": "2023-12-31"},
        "villages": {"village": Region.objects.get(name="后庄村").pk, "level": "county", "designated_year": "2023",
                     "investment": "300000"},
    }[slug]


def test_home_shows_figures_links_and_checklist(county):
    r = page_checklist(reverse("industry_home", args=[county.pk]) + "?year=2022")
    html = r.content.decode()
    assert "党政主要负责同志互访" in html and "合作事项看板" in html
    for ledger in LEDGERS.values():
        assert reverse(ledger.list_name, args=[county.pk]) in html
    assert "湟源县乡村振兴东西部协作产业园" not in html  # parks are counted here, listed on their page
    assert '<td class="amount">2 个</td>' in html  # two co-built parks in 2022


def test_pages_default_to_the_latest_year_with_agreed_items(county):
    with time_machine.travel("2026-03-01 09:00 +0800", tick=False):
        html = login("lingdao").get(reverse("industry_home", args=[county.pk])).content.decode()
        assert "2022年 · 互访与合作事项" in html
        html = login("lingdao").get(reverse("industry_board", args=[county.pk])).content.decode()
        assert "2022年合作事项看板" in html and "全域文化旅游合作" in html


def test_pairing_page_links_to_the_module(county):
    html = login("liuhe").get(reverse("pairing_detail", args=[county.pk])).content.decode()
    assert reverse("industry_home", args=[county.pk]) in html
    assert reverse("industry_board", args=[county.pk]) in html


@pytest.mark.parametrize("slug", list(LEDGERS))
def test_list_and_detail_pages(county, slug):
    ledger = LEDGERS[slug]
    r = page_checklist(reverse(ledger.list_name, args=[county.pk]) + "?year=2022")
    html = r.content.decode()
    obj = ledger.model.objects.filter(pairing=county).first()
    assert reverse(ledger.detail_name, args=[obj.pk]) in html
    r = page_checklist(reverse(ledger.detail_name, args=[obj.pk]))
    assert str(obj) in r.content.decode()


@pytest.mark.parametrize("slug", list(LEDGERS))
def test_create_page_and_post(county, firm, slug):
    ledger = LEDGERS[slug]
    url = reverse(ledger.new_name, args=[county.pk])
    assert login("lingdao").get(url).status_code == 403
    assert login("outsider").get(url).status_code == 404
    assert 'name="loaded_version"' in login("huangyuan").get(url).content.decode()
    before = ledger.model.objects.count()
    r = page_checklist(url, write=True, data=valid_data(slug, county, firm))
    assert r.status_code == 302, r.content.decode()[-2000:]
    assert ledger.model.objects.count() == before + 1
    obj = ledger.model.objects.latest("pk")
    assert r["Location"] == reverse(ledger.detail_name, args=[obj.pk])
    assert obj.pairing == county
    event = AuditEvent.objects.get(model=obj._meta.label, object_id=str(obj.pk), action="create")
    assert event.actor_name == "liuhe"
    if slug == "visits":
        assert [(o.name, o.post) for o in obj.officials.all()] == [("张三", "局长")]


@pytest.mark.parametrize("slug", list(LEDGERS))
def test_edit_page_and_post(county, firm, slug):
    ledger = LEDGERS[slug]
    login("liuhe").post(reverse(ledger.new_name, args=[county.pk]), valid_data(slug, county, firm))
    obj = ledger.model.objects.latest("pk")
    url = reverse(ledger.edit_name, args=[obj.pk])
    r = page_checklist(url, read_only=None)  # read-only roles get 403: see the test below
    assert str(obj) in r.content.decode()
    data = valid_data(slug, county, firm) | {"loaded_version": obj.version}
    field = {"parks": "name", "investments": "project_name", "workshops": "name", "donations": "donor_name",
             "visits": "title", "items": "title", "villages": "note"}[slug]
    data[field] = "改后的名称"
    if slug == "visits":
        official = obj.officials.get()
        data |= {"officials-INITIAL_FORMS": "1", "officials-0-id": official.pk, "officials-0-visit": obj.pk}
    if slug == "investments":
        arrival = obj.arrivals.get()
        data |= {"arrivals-INITIAL_FORMS": "1", "arrivals-0-id": arrival.pk, "arrivals-0-investment": obj.pk}
    r = page_checklist(url, write=True, data=data)
    assert r.status_code == 302, r.content.decode()[-2000:]
    obj.refresh_from_db()
    assert getattr(obj, field) == "改后的名称" and obj.version == 2
    # The same form sent again carries the old version: refused, nothing overwritten.
    data[field] = "第二个人的修改"
    r = login("huangyuan").post(url, data)
    assert "此记录已被他人修改" in r.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == "改后的名称"


@pytest.mark.parametrize("slug", list(LEDGERS))
def test_edit_page_is_refused_to_read_only_roles(county, slug):
    obj = LEDGERS[slug].model.objects.filter(pairing=county).first()
    url = reverse(LEDGERS[slug].edit_name, args=[obj.pk])
    assert login("lingdao").get(url).status_code == 403
    assert login("shenji").get(url).status_code == 403
    # An implementing unit reads its own projects only: the rest is invisible.
    assert login("yiyuan").get(url).status_code == 404
    assert login("outsider").get(url).status_code == 404


def test_form_messages_are_chinese_and_nothing_is_saved(county, firm):
    data = valid_data("investments", county, firm) | {"jobs": "5", "jobs_poverty": "6"}
    before = Investment.objects.count()
    html = login("liuhe").post(reverse("industry_investments_new", args=[county.pk]), data).content.decode()
    assert "其中脱贫劳动力人数（6人）不能超过带动就业人数（5人）" in html
    data = valid_data("visits", county, firm) | {"start_on": "2022-05-03", "end_on": "2022-05-02"}
    html = login("liuhe").post(reverse("industry_visits_new", args=[county.pk]), data).content.decode()
    assert "结束日期不能早于开始日期" in html
    assert Investment.objects.count() == before and not Visit.objects.filter(title="测试考察").exists()


def test_over_arrival_is_saved_with_a_warning_and_flagged_in_the_list(county, firm):
    data = valid_data("investments", county, firm) | {"arrivals-TOTAL_FORMS": "2", "arrivals-1-date": "2022-08-01",
                                                      "arrivals-1-amount": "70"}
    r = login("liuhe").post(reverse("industry_investments_new", args=[county.pk]), data, follow=True)
    assert "实际到位投资超过协议投资额，请核实" in r.content.decode()
    html = login("lingdao").get(reverse("industry_investments_list", args=[county.pk])).content.decode()
    assert "到位超协议额" in html


def test_choices_are_limited_to_the_pairing_tree(county, foreign, firm):
    alien = Park.objects.create(pairing=foreign, name="外部园区", since_year=2022)
    data = valid_data("investments", county, firm) | {"park": alien.pk}
    html = login("liuhe").post(reverse("industry_investments_new", args=[county.pk]), data).content.decode()
    assert "选择一个有效的选项" in html and "外部园区" not in html
    assert not Investment.objects.filter(park=alien).exists()
    data = valid_data("investments", county, firm) | {"pairing": foreign.pk}
    html = login("liuhe").post(reverse("industry_investments_new", args=[county.pk]), data).content.decode()
    assert "选择一个有效的选项" in html
    assert not Investment.objects.filter(pairing=foreign).exists()


def test_list_filters(county):
    url = reverse("industry_visits_list", args=[county.pk])
    html = login("lingdao").get(url + "?kind=leader_visit").content.decode()
    assert "六合区党政代表团赴湟源县开展东西部协作交流访问" in html and "联席会议（" not in html
    html = login("lingdao").get(url + "?q=李万平").content.decode()
    assert "共 2 条" in html
    html = login("lingdao").get(url + "?year=2021").content.decode()
    assert "南京捷安润安工程顾问有限公司" in html and "共 1 条" in html


def test_items_list_highlights_and_filters_overdue(county):
    url = reverse("industry_items_list", args=[county.pk]) + "?year=2022"
    with time_machine.travel("2023-01-05 09:00 +0800", tick=False):
        html = login("lingdao").get(url + "&overdue=1").content.decode()
        overdue = AgreedItem.objects.filter(pairing=county, year=2022).overdue().count()
    assert overdue > 0 and html.count("table-danger overdue") == overdue
    assert f"共 {overdue} 条" in html


def test_board_columns_and_overdue_highlight(county):
    url = reverse("industry_board", args=[county.pk]) + "?year=2022"
    with time_machine.travel("2022-12-01 09:00 +0800", tick=False):
        html = page_checklist(url).content.decode()
        assert "border-danger overdue" not in html  # every demo deadline is 2022-12-31 or later
    with time_machine.travel("2023-01-01 09:00 +0800", tick=False):
        html = page_checklist(url).content.decode()
    assert html.count("border-danger overdue") == 3  # 2022 deadlines neither done nor shelved
    for label in ("未启动", "推进中", "已完成", "搁置"):
        assert f"<h2 class=\"h6\">{label}" in html
    assert 'hx-post="' in html
    assert 'hx-post="' not in login("lingdao").get(url).content.decode()


def test_board_pushes_an_item_forward_with_htmx(county):
    item = AgreedItem.objects.get(pairing=county, title="全域文化旅游合作")
    url = reverse("industry_item_status", args=[item.pk])
    r = page_checklist(url, write=True, data={"status": "in_progress", "next": "board", "loaded_version": item.version})
    assert r.status_code == 302 and "year=2022" in r["Location"]
    item.refresh_from_db()
    assert item.status == "in_progress" and item.notes.last().status_to == "in_progress"
    r = login("huangyuan").post(url, {"status": "done", "loaded_version": item.version}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and html.startswith('<div id="board"') and "<html" not in html
    done_column = html.split('data-status="done"')[1].split('data-status="shelved"')[0]
    assert "全域文化旅游合作" in done_column
    # Shelving from the board without a reason is refused, in place.
    other = AgreedItem.objects.get(pairing=county, title="新能源开发合作")
    r = login("huangyuan").post(reverse("industry_item_status", args=[other.pk]),
                                {"status": "shelved", "loaded_version": other.version}, HTTP_HX_REQUEST="true")
    assert "由“未启动”改为“搁置”须填写原因" in r.content.decode()
    other.refresh_from_db()
    assert other.status == "not_started"


def test_notes_are_added_from_the_item_page(county):
    item = AgreedItem.objects.get(pairing=county, title="新能源开发合作")
    url = reverse("industry_item_note", args=[item.pk])
    r = page_checklist(url, write=True, data={"date": "2022-08-01", "text": "双方召开专题对接会"})
    assert r.status_code == 302
    assert item.notes.get().text == "双方召开专题对接会"
    r = login("liuhe").post(url, {"date": "2022-08-02", "text": "  "})
    assert r.status_code == 422 and "这个字段是必填项" in r.content.decode()
    r = login("liuhe").post(url, {"date": "2099-01-01", "text": "未来的进展"})
    assert r.status_code == 422 and "进展日期不能晚于今天" in r.content.decode()
    assert item.notes.count() == 1
    html = login("lingdao").get(reverse("industry_items_detail", args=[item.pk])).content.decode()
    assert "双方召开专题对接会" in html and "追加进展记录" not in html


def test_item_page_shows_history_in_order(county):
    item = AgreedItem.objects.get(pairing=county, title="吸引更多南京企业来湟投资兴业")
    services.add_note(item, "补记：七月中旬走访企业", date=D(2022, 7, 15))
    html = login("lingdao").get(reverse("industry_items_detail", args=[item.pk])).content.decode()
    notes = html.split('id="notes"')[1]
    positions = [notes.index(t) for t in ("举办招商推介对接会", "补记：七月中旬走访企业", "年内两家示例企业落地")]
    assert positions == sorted(positions)


def test_every_form_has_a_csrf_token_and_no_page_has_inline_script(county):
    import re

    c = login("admin")
    urls = [reverse("industry_home", args=[county.pk]), reverse("industry_board", args=[county.pk])]
    for slug, ledger in LEDGERS.items():
        obj = ledger.model.objects.filter(pairing=county).first()
        urls += [reverse(ledger.list_name, args=[county.pk]), reverse(ledger.new_name, args=[county.pk]),
                 reverse(ledger.detail_name, args=[obj.pk]), reverse(ledger.edit_name, args=[obj.pk])]
    forms = 0
    for url in urls:
        html = c.get(url).content.decode()
        for body in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S):
            forms += 1
            assert 'name="csrfmiddlewaretoken"' in body, url
        assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html)), url
    assert forms >= 20
