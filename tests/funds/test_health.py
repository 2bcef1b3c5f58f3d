"""Health rules with frozen time."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from xiezuo.funds.health import alerts
from xiezuo.funds.models import HealthRule, Project

from ..checklist import api_checklist, login
from .conftest import new_project, register_asset, submitted, user

pytestmark = pytest.mark.django_db
TZ = datetime.timezone(datetime.timedelta(hours=8))


def rules_of(project):
    return sorted(a.rule.code for a in alerts(Project.objects.filter(pk=project.pk)))


def at(y, m, d):
    return time_machine.travel(datetime.datetime(y, m, d, 10, 0, tzinfo=TZ), tick=False)


def test_no_disbursement_n_days_after_start(county, receipt):
    with at(2023, 5, 1):
        p = new_project(county, status="implementing", planned_finish=datetime.date(2024, 12, 31))
    assert p.actual_start == datetime.date(2023, 4, 21)
    HealthRule.objects.filter(code="no_disbursement").update(days=30)
    with at(2023, 5, 21):
        assert rules_of(p) == []
    with at(2023, 5, 22):
        assert rules_of(p) == ["no_disbursement"]
        a = alerts(Project.objects.filter(pk=p.pk))[0]
        assert a.severity == "warning" and "2023年4月21日开工，已过31天仍无已确认的资金拨付" in a.message
        d = submitted(p, "1000")
        assert rules_of(p) == ["no_disbursement"]  # submitted is not paid
        d.confirm(user("liuhe"))
        assert rules_of(p) == []


def test_planned_finish_passed_without_completion(county, receipt):
    HealthRule.objects.filter(code="no_update").update(enabled=False)
    with at(2023, 5, 1):
        p = new_project(county, status="implementing", planned_finish=datetime.date(2023, 9, 30))
        submitted(p, "1000").confirm(user("liuhe"))
    rule = HealthRule.objects.get(code="overdue_finish")
    with at(2023, 9, 30):
        assert rules_of(p) == []
    with at(2023, 10, 1):
        assert rules_of(p) == ["overdue_finish"]
    rule.days, rule.severity = 10, "info"
    rule.save()
    with at(2023, 10, 10):
        assert rules_of(p) == []
    with at(2023, 10, 11):
        a = alerts(Project.objects.filter(pk=p.pk))[0]
        assert a.rule.code == "overdue_finish" and a.severity == "info" and "已逾期11天" in a.message
        p.transition(user("huangyuan"), "completed", datetime.date(2023, 10, 11))
        assert rules_of(p) == []


def test_no_update_for_n_days(county, receipt):
    HealthRule.objects.filter(code="no_disbursement").update(enabled=False)
    with at(2023, 5, 1):
        p = new_project(county, status="implementing")
    with at(2023, 6, 30):
        assert rules_of(p) == []
    with at(2023, 7, 1):
        assert rules_of(p) == ["no_update"]
        p.touch()  # e.g. a photo uploaded
        assert rules_of(p) == []


def test_disbursement_after_acceptance(county, receipt):
    HealthRule.objects.filter(code__in=["no_update", "no_disbursement"]).update(enabled=False)
    with at(2023, 8, 1):
        p = new_project(county, status="accepted")  # accepted on 2023-05-11
        assert rules_of(p) == []
        submitted(p, "1000", date=datetime.date(2023, 5, 11))
        assert rules_of(p) == []
        submitted(p, "1000", date=datetime.date(2023, 5, 12))
        assert rules_of(p) == ["disbursed_after_acceptance"]
        HealthRule.objects.filter(code="disbursed_after_acceptance").update(days=1)
        assert rules_of(p) == []


def test_handed_over_without_an_asset(county, receipt):
    """The transition refuses a handover without an asset; a project that
    reached 资产移交 another way (a ledger import) is flagged at once, and
    no longer once its asset is registered."""
    from xiezuo.assets.models import Asset

    HealthRule.objects.filter(code__in=["no_update", "no_disbursement"]).update(enabled=False)
    with at(2023, 8, 1):
        handed = new_project(county, code="T-2023-H", coop="300000", status="handed_over")  # handed over 2023-05-21, with its asset
        assert rules_of(handed) == []
        Asset.objects.filter(project=handed).delete()
        [alert] = alerts(Project.objects.filter(pk=handed.pk))
        assert alert.rule.code == "handed_over_without_asset" and alert.severity == "danger"
        assert alert.message == "2023年5月21日资产移交，尚未登记形成的资产"
        imported = new_project(county, code="T-2023-I", coop="300000")
        Project.objects.filter(pk=imported.pk).update(status="handed_over")  # as a ledger import leaves it
        [alert] = alerts(Project.objects.filter(pk=imported.pk))
        assert alert.message == "项目已为资产移交状态（无移交记录），尚未登记形成的资产"
        accepted = new_project(county, code="T-2023-A", coop="300000", status="accepted")
        assert rules_of(accepted) == []  # not yet handed over: nothing to register yet
        register_asset(handed, datetime.date(2023, 5, 21))
        assert rules_of(handed) == []
        HealthRule.objects.filter(code="handed_over_without_asset").update(days=30)
        assert rules_of(imported) == ["handed_over_without_asset"]  # no date to wait from


def test_alerts_on_the_pairing_page_project_page_and_api(county):
    # The demo, seen from the machine's present: 2022 projects still in 实施
    # are overdue, and the workshop started without a payment.
    workshop = Project.objects.get(code="HY-2022-12")
    with at(2024, 1, 1):
        html = api_checklist(f"/api/v1/pairings/{county.pk}/health").json()
        assert {(a["project_name"], a["rule"]) for a in html} >= {(workshop.name, "no_disbursement"),
                                                                   (workshop.name, "overdue_finish")}
        page = login("lingdao").get(reverse("funds_overview", args=[county.pk])).content.decode()
        assert "就业帮扶车间建设项目（示例）" in page and "health-alert" in page
        detail = login("lingdao").get(reverse("project_detail", args=[workshop.pk])).content.decode()
        assert "2022年6月1日开工" in detail and "超过计划完工日期仍未完工" in detail


def test_only_an_administrator_edits_the_rules(county):
    url = reverse("health_rules")
    forms = {"form-TOTAL_FORMS": "4", "form-INITIAL_FORMS": "4"}
    for i, r in enumerate(HealthRule.objects.order_by("pk")):
        forms.update({f"form-{i}-id": r.pk, f"form-{i}-severity": r.severity, f"form-{i}-days": r.days,
                      f"form-{i}-enabled": "on"})
    forms["form-0-days"] = "45"
    assert login("liuhe").post(url, forms).status_code == 403
    assert "开工90天后仍无资金拨付" in login("liuhe").get(url).content.decode()
    r = login("admin").post(url, forms)
    assert r.status_code == 302
    assert HealthRule.objects.get(code="no_disbursement").days == 45
    assert login(None).get(url).status_code == 302
