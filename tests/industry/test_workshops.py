"""Assistance workshops (帮扶车间) counted by the monthly rules
(docs/modules/rules.md, "Workshops"): hand-worked months, the settings, the
data migration of stored rows, and the page/API/form round trip of a
month's head count with its audit event."""

import datetime
from importlib import import_module

import pytest
from django.urls import reverse

from tests.checklist import api_checklist, login, page_checklist, token_client
from xiezuo.api_helpers import etag_of
from xiezuo.audit.models import AuditEvent
from xiezuo.figures import compute
from xiezuo.industry.models import Workshop, WorkshopMonth

pytestmark = pytest.mark.django_db
D = datetime.date


def industry(pairing, *years):
    return compute(pairing, list(years), sections=["industry"])["industry"]


def month(ws, first_day, employed, poverty, monitored=0):
    return WorkshopMonth.objects.create(workshop=ws, month=first_day, employed=employed, poverty=poverty,
                                        monitored=monitored)


def counted_months(ws):
    return list(WorkshopMonth.objects.filter(workshop=ws).counting().values_list("month", flat=True))


def test_four_in_march_six_in_april_counts_in_april_only(tree):
    ws = Workshop.objects.create(pairing=tree["root"], name="甲", opened_on=D(2022, 3, 1))
    march, april = month(ws, D(2022, 3, 1), 10, 4), month(ws, D(2022, 4, 1), 12, 6)
    assert (march.counts(), april.counts()) == (False, True)
    assert counted_months(ws) == [D(2022, 4, 1)]
    f = industry(tree["root"], 2022)
    assert (f["workshops"], f["workshop_months"], f["workshop_jobs"], f["workshop_jobs_poverty"]) == (1, 1, 12, 6)


def test_a_closed_workshop_stops_counting_the_month_after_it_closed(tree):
    ws = Workshop.objects.create(pairing=tree["root"], name="甲", opened_on=D(2022, 1, 10), closed_on=D(2022, 3, 15))
    for m in (1, 2, 3, 4):  # April's row predates the closing date being entered
        month(ws, D(2022, m, 1), 8, 6)
    assert counted_months(ws) == [D(2022, 1, 1), D(2022, 2, 1), D(2022, 3, 1)]
    assert [r.counts() for r in ws.months.all()] == [True, True, True, False]
    assert industry(tree["root"], 2022)["workshop_months"] == 3
    # A new row after the closing month is refused.
    late = WorkshopMonth(workshop=ws, month=D(2022, 4, 1), employed=8, poverty=6)
    with pytest.raises(Exception) as e:
        late.full_clean()
    assert "2022年3月15日停运，不能填报之后的月份" in str(e.value)


def test_monitored_people_count_toward_the_threshold(tree):
    ws = Workshop.objects.create(pairing=tree["root"], name="甲", opened_on=D(2022, 1, 1))
    month(ws, D(2022, 1, 1), 9, 3, monitored=1)  # 4: below
    month(ws, D(2022, 2, 1), 9, 3, monitored=2)  # 5: met
    assert counted_months(ws) == [D(2022, 2, 1)]
    assert industry(tree["root"], 2022)["workshop_jobs_poverty"] == 5


def test_threshold_setting_changes_the_result(tree, settings):
    ws = Workshop.objects.create(pairing=tree["root"], name="甲", opened_on=D(2022, 3, 1))
    month(ws, D(2022, 3, 1), 10, 4)
    month(ws, D(2022, 4, 1), 12, 2, monitored=1)
    assert industry(tree["root"], 2022)["workshops"] == 0
    settings.XIEZUO_WORKSHOP_MIN_POVERTY_WORKERS = 3
    f = industry(tree["root"], 2022)
    assert (f["workshops"], f["workshop_months"], f["workshop_jobs"]) == (1, 2, 12)
    settings.XIEZUO_WORKSHOP_MIN_MONTHS = 3  # two counted months are not enough for the year
    assert industry(tree["root"], 2022)["workshops"] == 0


def test_months_before_the_recognition_month_do_not_count(tree):
    ws = Workshop.objects.create(pairing=tree["root"], name="甲", opened_on=D(2022, 1, 1), recognised_on=D(2022, 2, 20))
    month(ws, D(2022, 1, 1), 8, 6)
    month(ws, D(2022, 2, 1), 8, 6)
    assert counted_months(ws) == [D(2022, 2, 1)]


def test_month_rules_in_chinese(tree):
    ws = Workshop.objects.create(pairing=tree["root"], name="甲", opened_on=D(2022, 3, 5))
    row = WorkshopMonth(workshop=ws, month=D(2022, 2, 17), employed=5, poverty=4, monitored=2)
    with pytest.raises(Exception) as e:
        row.full_clean()
    text = str(e.value)
    assert "脱贫人口与监测对象合计（6人）不能超过在岗人数（5人）" in text
    assert "2022年3月5日投运，不能填报之前的月份" in text
    assert row.month == D(2022, 2, 1)  # stored as the first day of the month


def test_data_migration_derives_months_from_stored_jobs(tree):
    derive = import_module("xiezuo.industry.migrations.0005_workshop_types_and_months").derive_months
    root = tree["root"]
    a = Workshop.objects.create(pairing=root, name="甲", opened_on=D(2022, 2, 15), jobs=10, jobs_poverty=6)
    b = Workshop.objects.create(pairing=root, name="乙", opened_on=D(2021, 11, 1), closed_on=D(2022, 1, 20),
                                jobs=7, jobs_poverty=5)
    c = Workshop.objects.create(pairing=root, name="丙", opened_on=D(2022, 1, 1), jobs=9, jobs_poverty=9)
    month(c, D(2022, 1, 1), 9, 9)  # already has months: left alone
    derive(Workshop, WorkshopMonth, today=D(2022, 6, 10))
    a.refresh_from_db()
    assert a.kind == Workshop.FACTORY and a.recognised_on == D(2022, 2, 15)
    assert list(a.months.values_list("month", "employed", "poverty", "monitored")) == [
        (D(2022, m, 1), 10, 6, 0) for m in (2, 3, 4, 5, 6)]
    assert list(b.months.values_list("month", flat=True)) == [D(2021, 11, 1), D(2021, 12, 1), D(2022, 1, 1)]
    assert c.months.count() == 1
    c.refresh_from_db()
    assert c.recognised_on is None
    f = industry(root, 2022)
    assert (f["workshops"], f["workshop_months"], f["workshop_jobs"], f["workshop_jobs_poverty"]) == (3, 7, 26, 20)
    derive(Workshop, WorkshopMonth, today=D(2022, 6, 10))  # run twice: nothing added
    assert WorkshopMonth.objects.filter(workshop__pairing=root).count() == 9


def test_demo_workshops_keep_their_figures(county):
    f = industry(county, 2022)
    assert (f["workshops"], f["workshop_jobs"], f["workshop_jobs_poverty"], f["workshop_months"]) == (2, 60, 32, 12)
    assert f["jobs_poverty"] == 56  # 24 of the two landed investments + 32
    assert set(Workshop.objects.filter(pairing=county).values_list("kind", flat=True)) == {"home", "factory"}


def test_month_page_api_and_form_round_trip(county):
    ws = Workshop.objects.create(pairing=county, name="往返车间", opened_on=D(2022, 1, 1))
    new_url = reverse("industry_workshop_month_new", args=[ws.pk])
    assert 'type="month"' in login("liuhe").get(new_url).content.decode()
    r = page_checklist(new_url, write=True, data={"month": "2022-03", "employed": "10", "poverty": "4",
                                                   "monitored": "1"})
    assert r.status_code == 302 and r["Location"] == reverse("industry_workshops_detail", args=[ws.pk])
    row = WorkshopMonth.objects.get(workshop=ws)
    assert (row.month, row.employed, row.poverty, row.monitored, row.version) == (D(2022, 3, 1), 10, 4, 1, 1)
    event = AuditEvent.objects.get(model="industry.WorkshopMonth", object_id=str(row.pk), action="create")
    assert event.actor_name == "liuhe" and event.pairing_id == county.pk
    page = login("lingdao").get(reverse("industry_workshops_detail", args=[ws.pk])).content.decode()
    assert "2022-03" in page and 'id="months"' in page

    # The same month again: refused with the constraint's message.
    r = login("liuhe").post(new_url, {"month": "2022-03-01", "employed": "3", "poverty": "0", "monitored": "0"})
    assert "该帮扶车间该月已有在岗人数记录" in r.content.decode()
    assert ws.months.count() == 1

    # The API reads it, with the rule applied; an edit through the API goes through the same form.
    rows = api_checklist(f"/api/v1/industry/workshops/{ws.pk}/months").json()
    assert rows == [{"id": row.pk, "workshop": ws.pk, "month": "2022-03-01", "employed": 10, "poverty": 4,
                     "monitored": 1, "note": "", "counts": True, "version": 1}]
    one_url = f"/api/v1/industry/workshop-months/{row.pk}"
    got = api_checklist(one_url)
    assert got["ETag"] == etag_of(row)
    body = {"month": "2022-03", "employed": 10, "poverty": 3, "monitored": 1}
    assert token_client("liuhe").put(one_url, body, content_type="application/json").status_code == 428
    r = api_checklist(one_url, method="put", json=body, headers={"If-Match": got["ETag"]})
    assert r.status_code == 200, r.content
    assert r.json()["counts"] is False and r.json()["version"] == 2
    event = AuditEvent.objects.get(model="industry.WorkshopMonth", object_id=str(row.pk), action="update")
    assert event.before["poverty"] == 4 and event.after["poverty"] == 3
    stale = token_client("liuhe").put(one_url, body, content_type="application/json",
                                      headers={"If-Match": got["ETag"]})
    assert stale.status_code == 412

    # Create through the API: the form's Chinese messages, then a valid row.
    create_url = f"/api/v1/industry/workshops/{ws.pk}/months"
    bad = token_client("liuhe").post(create_url, {"month": "2022-04", "employed": 2, "poverty": 3},
                                     content_type="application/json")
    assert bad.status_code == 422
    assert "不能超过在岗人数" in bad.json()["errors"]["monitored"][0]
    r = api_checklist(create_url, method="post", json={"month": "2022-04", "employed": 9, "poverty": 6})
    assert r.status_code == 201 and r.json()["month"] == "2022-04-01" and r.json()["counts"] is True
    assert AuditEvent.objects.filter(model="industry.WorkshopMonth", object_id=str(r.json()["id"]),
                                     action="create").exists()
    detail = api_checklist(f"/api/v1/industry/workshops/{ws.pk}").json()
    assert [m["month"] for m in detail["months"]] == ["2022-03-01", "2022-04-01"]

    # The edit page: a stale version is refused, nothing overwritten.
    edit_url = reverse("industry_workshop_month_edit", args=[row.pk])
    data = {"month": "2022-03", "employed": "11", "poverty": "5", "monitored": "0", "loaded_version": "1"}
    assert "此记录已被他人修改" in login("liuhe").post(edit_url, data).content.decode()
    data["loaded_version"] = "2"
    assert page_checklist(edit_url, write=True, data=data).status_code == 302
    row.refresh_from_db()
    assert (row.employed, row.poverty, row.version) == (11, 5, 3)


def test_the_threshold_and_months_given_to_the_figures_rule_both_queries(tree):
    """`workshop_figures` takes the rule's parameters (the list's ?counted=
    passes them): the workshops counted and their months use the same ones."""
    from xiezuo.industry.figures import workshop_figures

    ws = Workshop.objects.create(pairing=tree["root"], name="甲", opened_on=D(2022, 3, 1))
    month(ws, D(2022, 3, 1), 10, 4)
    month(ws, D(2022, 4, 1), 12, 2, monitored=1)
    ids = [tree["root"].pk]
    assert workshop_figures(ids, [2022])["workshops"] == 0  # the default threshold: 5
    assert workshop_figures(ids, [2022], threshold=3) == {
        "workshops": 1, "workshop_months": 2, "workshop_jobs": 12, "workshop_jobs_poverty": 3}
    assert workshop_figures(ids, [2022], threshold=3, min_months=3)["workshops"] == 0
    assert workshop_figures(ids, [2022], threshold=3, min_months=2)["workshops"] == 1


def test_the_jobs_are_those_of_the_last_counted_month_whatever_order_they_were_entered(tree):
    ws = Workshop.objects.create(pairing=tree["root"], name="甲", opened_on=D(2022, 1, 1))
    month(ws, D(2022, 6, 1), 20, 9)  # entered first, the last month of the year counted
    month(ws, D(2022, 2, 1), 30, 7)
    month(ws, D(2022, 4, 1), 25, 8)
    f = industry(tree["root"], 2022)
    assert (f["workshop_months"], f["workshop_jobs"], f["workshop_jobs_poverty"]) == (3, 20, 9)
