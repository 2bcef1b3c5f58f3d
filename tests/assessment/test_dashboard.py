"""Dashboard JSON, pages, trends and roll-ups, with their query counts."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.checklist import api_checklist, login, page_checklist
from xiezuo.assessment import dashboard as dash
from xiezuo.assessment import services
from xiezuo.assessment.models import FiguresCache
from xiezuo.pairings.models import Pairing, Region

from .conftest import add_projects, add_receipts, other_county_pair

pytestmark = pytest.mark.django_db


def count_queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_dashboard_json_has_every_chart_with_a_table(county, probe_section):
    r = api_checklist(f"/api/v1/pairings/{county.pk}/dashboard?year=2022")
    data = r.json()
    assert data["pairing"] == {"id": county.pk, "name": "南京市六合区—西宁市湟源县"}
    assert data["year"] == 2022
    for key in ("funds_by_category", "disbursement_progress", "consumption_by_channel", "consumption_by_month",
                "labour_by_destination", "talent_by_kind", "procurement_findings", "projects_by_status"):
        chart = data["charts"][key]
        assert chart["title"] and isinstance(chart["columns"], list) and isinstance(chart["rows"], list)
    assert "probe" in data["sections"]
    codes = [row["code"] for row in data["indicators"]]
    assert codes[0] == "probe_funds" and "fiscal_funds" in codes
    assert isinstance(data["alerts"], list)


def test_dashboard_reflects_a_new_ledger_row_despite_the_cache(county, probe_section):
    url = f"/api/v1/pairings/{county.pk}/dashboard?year=2031"
    c = login("liuhe")
    first = {r["code"]: r for r in c.get(url).json()["indicators"]}["probe_funds"]
    assert first["actual"] == "0.00"
    assert FiguresCache.objects.filter(pairing=county, year=2031).exists()
    add_receipts(county, 2031, ["880000.00"])
    again = {r["code"]: r for r in c.get(url).json()["indicators"]}["probe_funds"]
    assert again["actual"] == "880000.00"
    # A write in a sub-pairing invalidates the county pair's figures too.
    add_receipts(Pairing.objects.filter(parent=county).first(), 2031, ["20000.00"])
    third = {r["code"]: r for r in c.get(url).json()["indicators"]}["probe_funds"]
    assert third["actual"] == "900000.00"


def test_dashboard_query_count_does_not_grow_with_the_data(county, probe_section, django_assert_num_queries):
    url = f"/api/v1/pairings/{county.pk}/dashboard?year=2031"
    c = login("liuhe")
    c.get(url)  # warm the session and the scope
    FiguresCache.objects.filter(pairing=county).delete()
    cold = count_queries(lambda: c.get(url))
    warm = count_queries(lambda: c.get(url))
    add_receipts(county, 2031, ["1000.00"])
    stale = count_queries(lambda: c.get(url))
    # Every section of every module runs on a cold cache: a bounded number, whatever the data.
    assert warm < cold <= 100
    add_receipts(county, 2031, [f"{n}.00" for n in range(1, 80)])
    add_projects(county, 2031, 40)
    with django_assert_num_queries(stale):
        r = c.get(url)
    assert r.json()["indicators"][0]["actual"] == str(sum(range(1, 80)) + 1000) + ".00"
    with django_assert_num_queries(warm):
        c.get(url)


def test_indicators_and_trends_query_counts_are_fixed(county, probe_section, django_assert_num_queries):
    c = login("liuhe")
    urls = [f"/api/v1/pairings/{county.pk}/indicators?year=2031", f"/api/v1/pairings/{county.pk}/trends?from=2029&to=2031"]
    for url in urls:
        c.get(url)
        warm = count_queries(lambda: c.get(url))
        add_receipts(county, 2031, ["10.00"] * 30)
        c.get(url)
        with django_assert_num_queries(warm):
            c.get(url)


def test_dashboard_page_loads_echarts_locally_and_reads_the_json(county):
    r = page_checklist(reverse("assessment:dashboard", args=[county.pk]) + "?year=2022")
    html = r.content.decode()
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert "/static/assessment/dashboard.js" in html
    assert f'data-url="/api/v1/pairings/{county.pk}/dashboard?year=2022"' in html
    assert "<script>" not in html  # CSP: no inline scripts
    assert "2022年度考核看板" in html


def test_dashboard_page_query_count_is_fixed(county, django_assert_num_queries):
    c = login("liuhe")
    url = reverse("assessment:dashboard", args=[county.pk])
    c.get(url)
    warm = count_queries(lambda: c.get(url))
    # The page carries the cards and warnings, so a change of the ledgers
    # makes it rebuild the figures: a fixed number of queries too.
    add_projects(county, 2022, 20)
    stale = count_queries(lambda: c.get(url))
    with django_assert_num_queries(warm):
        c.get(url)
    add_projects(county.children.first(), 2022, 20)  # in the subtree, with their own codes
    with django_assert_num_queries(stale):
        c.get(url)


def test_echarts_and_the_dashboard_script_are_served(client):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/echarts/echarts.min.js")
    assert finders.find("assessment/dashboard.js")
    assert "@media print" in open(finders.find("assessment/assessment.css"), encoding="utf-8").read()


def test_trends_table_has_a_row_per_year(county, probe_section):
    r = api_checklist(f"/api/v1/pairings/{county.pk}/trends?from=2021&to=2022")
    data = r.json()
    assert [row[0] for row in data["rows"]] == ["2021", "2022"]
    assert data["columns"][0] == "年度"
    bad = login("liuhe").get(f"/api/v1/pairings/{county.pk}/trends?from=2022&to=2021")
    assert bad.status_code == 422 and bad.json()["detail"] == "起始年度不能晚于结束年度"


def test_drill_down_links_point_at_existing_pages_only(county):
    from django.urls import NoReverseMatch

    from xiezuo.assessment import dashboard as dash

    data = login("liuhe").get(f"/api/v1/pairings/{county.pk}/dashboard?year=2022").json()
    for key, _title, _path, _first, _label, pages, _param in dash.CHARTS:
        link = data["charts"][key]["link"]
        expected = None
        for name in pages:
            try:
                expected = reverse(name, args=[county.pk]) + "?year=2022"
                break
            except NoReverseMatch:
                continue
        assert link == expected
        if link:
            assert login("liuhe").get(link).status_code == 200


def test_rollup_adds_up_county_pairs(county, probe_section):
    second = other_county_pair("浦口区")
    add_receipts(county, 2031, ["300000.00"])
    add_receipts(second, 2031, ["200000.00", "1000.00"])
    r = api_checklist("/api/v1/assessment/rollup?year=2031", outsider=None, read_only=None, allowed="admin")
    data = r.json()
    assert data["county_pairs"] == Pairing.objects.filter(level="county").count()
    assert data["figures"]["probe"]["received"] == "501000.00"
    assert data["figures"]["probe"]["receipts"] == 3
    assert data["figures"]["probe"]["by_kind"] == {"财政": "501000.00"}
    assert data["figures"]["probe"]["execution_rate"] is None  # a rate does not add up
    row = {r["code"]: r for r in data["indicators"]}["probe_funds"]
    assert row["actual"] == "501000.00"
    # A province view: both county pairs lie in 青海省 on the west side.
    qinghai = Region.objects.get(name="青海省")
    data = login("admin").get(f"/api/v1/assessment/rollup?year=2031&region={qinghai.pk}").json()
    assert data["region"]["name"] == "青海省" and data["county_pairs"] == 2
    # A county-pair user sees only the county pairs in their own scope.
    data = login("liuhe").get("/api/v1/assessment/rollup?year=2031").json()
    assert data["county_pairs"] == 1 and data["figures"]["probe"]["received"] == "300000.00"
    assert login("outsider").get("/api/v1/assessment/rollup?year=2031").status_code == 404
    page = login("admin").get(reverse("assessment:rollup") + f"?year=2031&region={qinghai.pk}").content.decode()
    assert "青海省" in page and "50.1万元" in page


def test_rollup_query_count_is_fixed(county, probe_section, django_assert_num_queries):
    c = login("admin")
    url = "/api/v1/assessment/rollup?year=2031"
    c.get(url)
    warm = count_queries(lambda: c.get(url))
    for name in ("浦口区", "江宁区"):
        add_receipts(other_county_pair(name), 2031, ["5.00"] * 20)
    c.get(url)
    with django_assert_num_queries(warm):
        c.get(url)


def test_stored_dashboard_follows_catalogue_and_target_changes(county, probe_section):
    from decimal import Decimal

    from xiezuo.pairings.models import Agreement, AgreementTarget

    url = f"/api/v1/pairings/{county.pk}/dashboard?year=2031"
    c = login("liuhe")
    row = c.get(url).json()["indicators"][0]
    assert (row["name"], row["target"]) == ("探针资金", None)
    assert FiguresCache.objects.get(pairing=county, year=2031).dashboard
    probe_section.name = "探针资金（改名）"
    probe_section.save()  # a catalogue change: no pairing, concerns every dashboard
    assert c.get(url).json()["indicators"][0]["name"] == "探针资金（改名）"
    agreement = Agreement.objects.create(pairing=county, year=2031, title="测试协议")
    AgreementTarget.objects.create(agreement=agreement, indicator="probe_funds", value=Decimal("10"), unit="万元")
    assert c.get(url).json()["indicators"][0]["target"] == "100000.00"


def funded_project(county, users, year=2025):
    """An approved project with its funds received and one confirmed disbursement in May."""
    import datetime
    from decimal import Decimal

    from xiezuo.funds.models import Disbursement

    add_receipts(county, year, ["1000000.00"])
    project = add_projects(county, year, 1, coop="800000.00")[0]
    project.status, project.planned_finish = "implementing", datetime.date(year, 6, 30)
    project.save()
    d = Disbursement(project=project, date=datetime.date(year, 5, 10), amount=Decimal("250000.00"), voucher_number="凭证1",
                     purpose="设备采购")
    d.submit(users["huangyuan"])
    d.confirm(users["liuhe"])
    return project


def test_disbursement_progress_by_month_ends_at_the_execution_rate(county, users):
    funded_project(county, users)
    data = login("liuhe").get(f"/api/v1/pairings/{county.pk}/dashboard?year=2025").json()
    rows = {r[0]: r for r in data["charts"]["disbursement_progress"]["rows"]}
    assert rows["2025-04"][1:] == ["0.00", "0.00", "0.00"]
    assert rows["2025-05"][1:] == ["250000.00", "250000.00", "25.00"]
    assert rows["2025-12"][3] == data["figures"]["funds"]["execution_rate"] == "25.00"


def test_funds_charts_show_names_and_link_to_filtered_lists(county, users):
    funded_project(county, users)
    data = login("liuhe").get(f"/api/v1/pairings/{county.pk}/dashboard?year=2025").json()
    chart = data["charts"]["projects_by_status"]
    row = [r for r in chart["rows"] if r[0] == "实施"][0]
    assert row[1] == 1
    link = chart["row_links"][chart["rows"].index(row)]
    assert link == reverse("project_list", args=[county.pk]) + "?year=2025&status=implementing"
    page = login("liuhe").get(link).content.decode()
    assert "测试项目0（示例）" in page


def test_health_alerts_reach_the_dashboard(county, users):
    import time_machine

    funded_project(county, users)
    with time_machine.travel("2025-09-01 10:00 +0800", tick=False):
        data = login("liuhe").get(f"/api/v1/pairings/{county.pk}/dashboard?year=2025").json()
    overdue = [a for a in data["alerts"] if a["project_name"] == "测试项目0（示例）" and "逾期" in a["message"]]
    assert overdue and overdue[0]["severity"]


def test_record_lists_become_tables_of_names_and_amounts():
    from xiezuo.assessment.dashboard import to_table

    table = to_table([{"id": 7, "code": "hall", "name": "六合湟源消费扶贫专馆", "kind": "hall", "amount": "1200.00"},
                      {"id": 9, "code": "p832", "name": "832平台", "kind": "p832", "amount": "300.50"}],
                     "渠道", "金额（元）")
    assert table == {"columns": ["渠道", "金额（元）"],
                     "rows": [["六合湟源消费扶贫专馆", "1200.00"], ["832平台", "300.50"]], "keys": [7, 9]}
    assert to_table({"a": {"n": 1, "x": 2}}, "类别", "数值") == {"columns": ["类别", "n", "x"], "rows": [["a", 1, 2]]}
    assert to_table(None, "类别", "数值") == {"columns": ["类别", "数值"], "rows": []}


def test_rollup_counts_an_enterprise_investing_in_two_counties_once(county):
    """Each county pair counts the enterprise; the province's sum would count
    it twice. The roll-up counts distinct parties over all the trees, while
    the amounts still add up."""
    import datetime
    from decimal import Decimal

    from xiezuo.industry.models import Investment, InvestmentArrival
    from xiezuo.pairings.models import Organisation

    second = other_county_pair("浦口区")
    firm = Organisation.objects.create(name="两地投资企业（示例）", kind="enterprise",
                                       region=Region.objects.get(name="南京市"))
    for pairing, amount in ((county, "300000.00"), (second, "200000.00")):
        inv = Investment.objects.create(pairing=pairing, enterprise=firm, project_name=f"{pairing.pk}号投资项目",
                                        industry="tourism", landed_on=datetime.date(2031, 3, 1), jobs=4)
        InvestmentArrival.objects.create(investment=inv, date=datetime.date(2031, 4, 1), amount=Decimal(amount))
    data = login("admin").get("/api/v1/assessment/rollup?year=2031").json()
    assert data["figures"]["industry"]["enterprises_invested"] == 1
    assert data["figures"]["industry"]["enterprises_landed"] == 1
    assert data["figures"]["industry"]["investment_arrived"] == "500000.00"
    assert data["figures"]["industry"]["enterprise_jobs"] == 8
    from xiezuo.assessment.services import figures_for

    for pairing in (county, second):
        assert figures_for(pairing, 2031)["industry"]["enterprises_invested"] == 1


def test_a_chart_does_not_change_with_the_order_of_the_stored_figures(county):
    """PostgreSQL's jsonb gives a cached dict back in its own key order: the
    charts (lists of rows) must come out the same from any order."""
    def reversed_dicts(value):
        if isinstance(value, dict):
            return {k: reversed_dicts(value[k]) for k in reversed(list(value))}
        if isinstance(value, list):
            return [reversed_dicts(v) for v in value]
        return value

    ids = services.subtree_ids([county])
    figures = json.loads(json.dumps(services._compute(ids[county.pk], 2022), cls=DjangoJSONEncoder))
    rows, evaluations = services.indicators_for_figures(county, 2022, figures)
    charts = dash.build(county, 2022, ids[county.pk], figures, rows, evaluations)["charts"]
    rows, evaluations = services.indicators_for_figures(county, 2022, reversed_dicts(figures))
    again = dash.build(county, 2022, ids[county.pk], reversed_dicts(figures), rows, evaluations)["charts"]
    by_code = [k for k, c in charts.items() if len(c.get("rows", [])) > 1 and isinstance(
        dash.lookup(figures, c["source"]), dict)]
    assert {"beneficiaries", "projects_by_status"} <= set(by_code)
    assert again == charts
