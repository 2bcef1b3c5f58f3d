"""The catalogue, targets, actuals and completion, through the API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.checklist import api_checklist, login, page_checklist
from xiezuo import figures as registry
from xiezuo.assessment.models import Indicator, ManualActual
from xiezuo.audit.models import AuditEvent

from .conftest import add_receipts

pytestmark = pytest.mark.django_db

NATIONAL = ["fiscal_funds", "social_funds", "cadres", "professionals", "parks", "enterprises", "consumption",
            "labour", "training", "village_pairs", "visits", "meetings", "execution", "projects"]


def rows_of(response):
    assert response.status_code == 200, response.content[:300]
    return {row["code"]: row for row in response.json()["indicators"]}


def test_catalogue_is_seeded_with_the_national_indicators():
    seeded = dict(Indicator.objects.values_list("code", "unit"))
    assert set(NATIONAL) <= set(seeded)
    assert seeded["fiscal_funds"] == "万元" and seeded["training"] == "人次" and seeded["visits"] == "次"
    labour = Indicator.objects.get(code="labour")
    assert ("其中脱贫劳动力", "labour.employed_poverty") in labour.disaggregation_list()
    assert Indicator.objects.get(code="execution").unit == "%"


def test_indicators_api_reports_agreement_targets_converted_to_yuan(county):
    r = api_checklist(f"/api/v1/pairings/{county.pk}/indicators?year=2021")
    rows = rows_of(r)
    assert [k for k in rows] == [i.code for i in Indicator.objects.active()]
    assert rows["fiscal_funds"]["target"] == "43000000.00"
    assert rows["fiscal_funds"]["target_display"] == "4300万元"
    assert rows["projects"]["target"] == 7
    assert rows["training"]["target"] == 50
    assert rows["consumption"]["target"] == "5000000.00"
    assert rows["visits"]["target"] is None  # no 2021 target for visits
    rows = rows_of(api_checklist(f"/api/v1/pairings/{county.pk}/indicators?year=2022"))
    assert rows["fiscal_funds"]["target"] == "42200000.00"
    assert rows["projects"]["target"] == 12
    assert rows["visits"]["target"] == 1 and rows["meetings"]["target"] == 1
    for row in rows.values():
        assert set(row) >= {"code", "name", "unit", "target", "actual", "completion"}


def test_actual_of_a_missing_section_is_null_never_an_error(county, monkeypatch):
    monkeypatch.delitem(registry.SECTIONS, "funds", raising=False)
    rows = rows_of(login("liuhe").get(f"/api/v1/pairings/{county.pk}/indicators?year=2021"))
    assert rows["fiscal_funds"]["actual"] is None
    assert rows["fiscal_funds"]["completion"] is None
    assert rows["fiscal_funds"]["actual_display"] == "—"


def test_actual_follows_the_ledger_and_completion_is_a_percent(county, probe_section):
    url = f"/api/v1/pairings/{county.pk}/indicators?year=2031"
    from xiezuo.pairings.models import Agreement, AgreementTarget

    agreement = Agreement.objects.create(pairing=county, year=2031, title="测试协议")
    AgreementTarget.objects.create(agreement=agreement, indicator="probe_funds", value=Decimal("200"), unit="万元")
    row = rows_of(login("liuhe").get(url))["probe_funds"]
    assert (row["target"], row["actual"], row["completion"]) == ("2000000.00", "0.00", "0.00")
    add_receipts(county, 2031, ["1200000.00", "300000.00"])
    row = rows_of(login("liuhe").get(url))["probe_funds"]
    assert row["actual"] == "1500000.00"
    assert row["completion"] == "75.00"
    assert row["actual_display"] == "150万元"
    assert row["disaggregations"] == [{"name": "笔数", "computation": "probe.receipts", "actual": 2}]


def test_sub_pairing_rows_count_in_the_county_pair(county, probe_section):
    from xiezuo.pairings.models import Pairing

    sub = Pairing.objects.filter(parent=county).first()
    add_receipts(sub, 2031, ["100000.00"])
    add_receipts(county, 2031, ["50000.00"])
    county_row = rows_of(login("liuhe").get(f"/api/v1/pairings/{county.pk}/indicators?year=2031"))["probe_funds"]
    sub_row = rows_of(login("liuhe").get(f"/api/v1/pairings/{sub.pk}/indicators?year=2031"))["probe_funds"]
    assert (county_row["actual"], sub_row["actual"]) == ("150000.00", "100000.00")


def test_bad_year_is_refused_in_chinese(county):
    r = login("liuhe").get(f"/api/v1/pairings/{county.pk}/indicators?year=1800")
    assert r.status_code == 422 and r.json()["detail"] == "年度应在2000至2100之间"


def test_manual_indicator_needs_evidence_and_counts(county):
    indicator = Indicator.objects.create(code="brand", name="劳务品牌", unit="个", computation="manual", order=5)
    url = reverse("assessment:manual_actuals", args=[county.pk, 2022])
    r = login("liuhe").post(url, {"indicator": indicator.pk, "value": "3", "note": ""})
    assert "人工填报的完成值须上传佐证材料或填写佐证说明" in r.content.decode()
    assert not ManualActual.objects.filter(indicator=indicator).exists()
    r = page_checklist(url, write=True, data={"indicator": indicator.pk, "value": "3", "note": "人社局认定文件"})
    assert r.status_code == 302
    row = rows_of(login("lingdao").get(f"/api/v1/pairings/{county.pk}/indicators?year=2022"))["brand"]
    assert row["actual"] == 3 and row["evidence"] == "人社局认定文件"
    assert AuditEvent.objects.filter(model="assessment.ManualActual", action="create").exists()


def test_catalogue_is_edited_by_administrators_only():
    url = reverse("assessment:indicator_create")
    data = {"code": "home_workshops", "name": "居家式帮扶车间", "unit": "个", "side": "west",
            "computation": "industry.workshops", "disaggregations": "吸纳就业=industry.workshop_jobs", "order": 200,
            "basis": "某省帮扶车间认定办法（2022年3月1日）", "active": "on"}
    assert login("liuhe").post(url, data).status_code == 403
    assert login(None).post(url, data).status_code == 302
    r = login("admin").post(url, data)
    assert r.status_code == 302
    created = Indicator.objects.get(code="home_workshops")
    assert created.basis == "某省帮扶车间认定办法（2022年3月1日）"
    assert created.disaggregation_list() == [("吸纳就业", "industry.workshop_jobs")]
    assert AuditEvent.objects.filter(model="assessment.Indicator", object_id=str(created.pk), action="create").exists()
    bad = dict(data, code="bad_one", disaggregations="没有等号")
    r = login("admin").post(url, bad)
    assert "第1行“没有等号”应写成“名称=取数口径”" in r.content.decode()
    bad = dict(data, code="bad_two", disaggregations="吸纳=industry.nothing")
    assert "第1行的取数口径“industry.nothing”不存在" in login("admin").post(url, bad).content.decode()
    list_page = login("lingdao").get(reverse("assessment:indicator_list")).content.decode()
    assert "居家式帮扶车间" in list_page and "财政援助资金" in list_page
    assert "某省帮扶车间认定办法（2022年3月1日）" in list_page


def test_indicator_code_cannot_change_on_edit():
    indicator = Indicator.objects.get(code="fiscal_funds")
    url = reverse("assessment:indicator_edit", args=[indicator.pk])
    data = {"code": "renamed", "name": "财政援助资金（改）", "unit": "万元", "side": "east",
            "computation": "funds.fiscal_received", "order": 10, "active": "on", "loaded_version": indicator.version}
    assert login("admin").post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.code, indicator.name) == ("fiscal_funds", "财政援助资金（改）")


def test_catalogue_api_lists_every_indicator(county):
    r = api_checklist("/api/v1/assessment/indicators", outsider=None)
    codes = [i["code"] for i in r.json()]
    assert set(NATIONAL) <= set(codes)
