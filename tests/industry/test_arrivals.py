"""Investment money in dated tranches (投资到位): the form's table, the API,
the refusals, and the data migration that turned each booked arrival into
one tranche on the landing day (docs/modules/rules.md, "Investment")."""

import datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from tests.checklist import api_checklist, login, token_client
from xiezuo.api_helpers import etag_of
from xiezuo.audit.models import AuditEvent
from xiezuo.figures import compute
from xiezuo.industry.models import Investment, InvestmentArrival

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def investment(county, firm):
    inv = Investment.objects.create(pairing=county, enterprise=firm, project_name="分笔到位测试项目（示例）",
                                    industry="other", signed_on=D(2021, 3, 1), landed_on=D(2021, 6, 1),
                                    agreed_amount=Decimal("5000000.00"))
    InvestmentArrival.objects.create(investment=inv, date=D(2021, 6, 1), amount=Decimal("3000000.00"))
    return inv


def test_demo_investments_arrive_in_tranches(county):
    processing = Investment.objects.get(pairing=county, project_name="青稞、牦牛肉精深加工项目（示例）")
    assert [(a.date, a.amount) for a in processing.arrivals.all()] == [
        (D(2022, 7, 20), Decimal("3000000.00")), (D(2022, 11, 1), Decimal("2000000.00"))]
    assert processing.arrived_amount == Decimal("5000000.00")
    f = compute(county, [2022], ["industry"])["industry"]
    assert (f["investment_arrived"], f["enterprises_invested"]) == ("8000000.00", 2)


def test_detail_page_lists_the_tranches(county, investment):
    html = login("lingdao").get(reverse("industry_investments_detail", args=[investment.pk])).content.decode()
    table = html[html.index('id="arrivals"'):]
    assert "2021年6月1日" in table and "300万元" in table


def test_form_adds_and_removes_tranches(county, firm, investment):
    first = investment.arrivals.get()
    url = reverse("industry_investments_edit", args=[investment.pk])
    data = {"pairing": county.pk, "enterprise": firm.pk, "project_name": investment.project_name,
            "industry": "other", "signed_on": "2021-03-01", "landed_on": "2021-06-01", "agreed_amount": "5000000",
            "jobs": "0", "jobs_poverty": "0", "loaded_version": investment.version,
            "arrivals-TOTAL_FORMS": "2", "arrivals-INITIAL_FORMS": "1",
            "arrivals-0-id": first.pk, "arrivals-0-investment": investment.pk, "arrivals-0-date": "2021-06-01",
            "arrivals-0-amount": "3000000",
            "arrivals-1-date": "2022-04-01", "arrivals-1-amount": "2000000", "arrivals-1-note": "二期"}
    r = login("liuhe").post(url, data)
    assert r.status_code == 302, r.content.decode()[-1500:]
    investment.refresh_from_db()
    assert investment.arrived_amount == Decimal("5000000.00")
    assert compute(county, [2022], ["industry"])["industry"]["investment_arrived"] == "10000000.00"  # demo 800万 + 200万
    # Removing the first tranche takes it out of 2021 and out of the sum.
    second = investment.arrivals.get(date=D(2022, 4, 1))
    data |= {"loaded_version": investment.version, "arrivals-TOTAL_FORMS": "2", "arrivals-INITIAL_FORMS": "2",
             "arrivals-0-DELETE": "on", "arrivals-1-id": second.pk, "arrivals-1-investment": investment.pk}
    assert login("liuhe").post(url, data).status_code == 302
    investment.refresh_from_db()
    assert investment.arrived_amount == Decimal("2000000.00")
    assert AuditEvent.objects.filter(model="industry.InvestmentArrival", object_id=str(first.pk),
                                     action="delete").exists()


def test_form_refuses_bad_tranches_and_saves_nothing(county, firm, investment):
    url = reverse("industry_investments_edit", args=[investment.pk])
    first = investment.arrivals.get()
    base = {"pairing": county.pk, "enterprise": firm.pk, "project_name": investment.project_name,
            "industry": "other", "signed_on": "2021-03-01", "landed_on": "2021-06-01", "agreed_amount": "5000000",
            "jobs": "0", "jobs_poverty": "0", "loaded_version": investment.version,
            "arrivals-TOTAL_FORMS": "2", "arrivals-INITIAL_FORMS": "1",
            "arrivals-0-id": first.pk, "arrivals-0-investment": investment.pk, "arrivals-0-date": "2021-06-01",
            "arrivals-0-amount": "3000000"}
    for date, amount, message in (("2021-06-01", "5", "该投资项目在同一到位日期已有到位记录，请合并为一笔"),
                                  ("2021-02-01", "5", "到位日期不能早于签约日期（2021年3月1日）"),
                                  ("2022-04-01", "0", "到位金额应大于0"),
                                  ("2099-01-01", "5", "到位日期不能晚于今天")):
        data = base | {"arrivals-1-date": date, "arrivals-1-amount": amount}
        html = login("liuhe").post(url, data).content.decode()
        assert message in html, message
    assert investment.arrivals.count() == 1


def test_api_tranches_with_if_match(county, investment):
    url = f"/api/v1/industry/investments/{investment.pk}/arrivals"
    r = api_checklist(url, method="post", json={"date": "2022-03-01", "amount": "1500000"})
    assert r.status_code == 201, r.content
    new = r.json()
    assert (new["year"], new["amount"]) == (2022, "1500000.00")
    assert [a["date"] for a in api_checklist(url).json()] == ["2021-06-01", "2022-03-01"]
    investment.refresh_from_db()
    assert investment.arrived_amount == Decimal("4500000.00")

    one = f"/api/v1/industry/arrivals/{new['id']}"
    client = token_client("liuhe")
    read = client.get(one)
    assert read.status_code == 200 and read["ETag"]
    body = {"date": "2022-03-02", "amount": "1000000"}
    assert client.put(one, body, content_type="application/json").status_code == 428
    r = client.put(one, body, content_type="application/json", headers={"If-Match": read["ETag"]})
    assert r.status_code == 200 and r.json()["amount"] == "1000000.00"
    # The old ETag is stale now.
    assert client.put(one, body, content_type="application/json",
                      headers={"If-Match": read["ETag"]}).status_code == 412
    assert client.delete(one, headers={"If-Match": read["ETag"]}).status_code == 412
    arrival = InvestmentArrival.objects.get(pk=new["id"])
    assert token_client("lingdao").delete(one, headers={"If-Match": etag_of(arrival)}).status_code == 403
    assert token_client("outsider").delete(one, headers={"If-Match": etag_of(arrival)}).status_code == 404
    assert client.delete(one, headers={"If-Match": etag_of(arrival)}).status_code == 204
    investment.refresh_from_db()
    assert investment.arrived_amount == Decimal("3000000.00")


def test_api_refuses_what_the_form_refuses(county, investment):
    url = f"/api/v1/industry/investments/{investment.pk}/arrivals"
    client = token_client("liuhe")
    r = client.post(url, {"date": "2021-06-01", "amount": "5"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"]["__all__"] == ["该投资项目在同一到位日期已有到位记录，请合并为一笔"]
    r = client.post(url, {"date": "2021-02-01", "amount": "5"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"]["date"] == ["到位日期不能早于签约日期（2021年3月1日）"]
    # The sum is not typed: it follows the tranches.
    read = client.get(f"/api/v1/industry/investments/{investment.pk}")
    body = {k: v for k, v in read.json().items() if k in ("enterprise", "project_name", "industry", "signed_on",
                                                            "landed_on", "agreed_amount", "jobs", "jobs_poverty")}
    r = client.put(f"/api/v1/industry/investments/{investment.pk}", body | {"arrived_amount": "9"},
                   content_type="application/json", headers={"If-Match": read["ETag"]})
    assert r.status_code == 422 and "arrived_amount" in r.json()["errors"]
    r = client.put(f"/api/v1/industry/investments/{investment.pk}", body | {"arrived_amount": "3000000.00"},
                   content_type="application/json", headers={"If-Match": read["ETag"]})
    assert r.status_code == 200, r.content
    assert investment.arrivals.count() == 1


def test_migration_makes_one_tranche_on_the_landing_day(county, firm):
    landed = Investment.objects.create(pairing=county, enterprise=firm, project_name="迁移测试甲", industry="other",
                                       landed_on=D(2021, 9, 1), agreed_amount=Decimal("100"), note="原备注")
    unlanded = Investment.objects.create(pairing=county, enterprise=firm, project_name="迁移测试乙", industry="other",
                                         agreed_amount=Decimal("100"), note="原备注")
    nothing = Investment.objects.create(pairing=county, enterprise=firm, project_name="迁移测试丙", industry="other",
                                        landed_on=D(2021, 9, 1))
    before = {y: compute(county, [y], ["industry"])["industry"]["investment_arrived"] for y in (2021, 2022)}
    # As they stood before the migration: a booked amount and no tranches.
    Investment.objects.filter(pk=landed.pk).update(arrived_amount=Decimal("700.50"))
    Investment.objects.filter(pk=unlanded.pk).update(arrived_amount=Decimal("300.00"))
    old_demo = dict(Investment.objects.filter(pairing=county, is_demo=True).values_list("pk", "arrived_amount"))
    InvestmentArrival.objects.filter(investment__pairing=county).delete()
    Investment.objects.filter(pk__in=old_demo).update(arrived_amount=0)
    for pk, amount in old_demo.items():
        Investment.objects.filter(pk=pk).update(arrived_amount=amount)

    import_module("xiezuo.industry.migrations.0004_investment_arrivals").one_tranche_each(apps, None)

    [tranche] = InvestmentArrival.objects.filter(investment=landed)
    assert (tranche.date, tranche.amount) == (D(2021, 9, 1), Decimal("700.50"))
    assert not InvestmentArrival.objects.filter(investment__in=[unlanded, nothing]).exists()
    unlanded.refresh_from_db()
    assert unlanded.arrived_amount == 0 and "原登记实际到位投资300.00元" in unlanded.note
    assert unlanded.note.startswith("原备注")
    # Every year's figure is what it was: the demo's two projects each became one tranche on their landing day.
    after = {y: compute(county, [y], ["industry"])["industry"]["investment_arrived"] for y in (2021, 2022)}
    assert after == {2021: str(Decimal(before[2021]) + Decimal("700.50")), 2022: before[2022]}
    assert sorted(InvestmentArrival.objects.filter(investment_id__in=old_demo).values_list("date", flat=True)) == [
        D(2022, 7, 20), D(2022, 10, 10)]
