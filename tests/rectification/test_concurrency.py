"""Rectification tasks under two clicks at once: child processes on one
SQLite file database (tests/file_database.py), released together.
Two steps on one task: one is taken. Two 生成整改任务 clicks on one finding
(or one health alert): one task, and the second click opens it."""

import pytest

pytestmark = pytest.mark.django_db

COUNTY = """
    from xiezuo.pairings.models import Pairing
    county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
"""


def test_close_and_send_back_at_once_one_is_taken_on_sqlite(file_demo):
    pk = file_demo.run(COUNTY, """
        from tests.rectification.test_rectification import task, user
        t = task(county)
        t.submit(user("huangyuan"))
        report(pk=t.pk)
    """)["pk"]
    step = """
        from xiezuo.audit.context import acting_as
        from xiezuo.rectification.models import Rectification
        from tests.rectification.test_rectification import user
        name, step = ARGS["steps"][RACER]
        who, t = user(name), Rectification.objects.get(pk=ARGS["task"])  # the page as shown
        released()
        take = (lambda: t.close(who)) if step == "close" else (lambda: t.send_back(who, "佐证不足"))
        with acting_as(who):
            report(step=step, outcome=attempt(take))
    """
    outcomes = file_demo.race(step, step, task=pk, steps=[("liuhe", "close"), ("admin", "send_back")])
    taken = [o["step"] for o in outcomes if o["outcome"] == "ok"]
    refused = [o["outcome"] for o in outcomes if o["outcome"] != "ok"]
    assert len(taken) == 1 and len(refused) == 1 and refused[0].startswith("此记录已被他人修改"), outcomes
    after = file_demo.run("""
        from xiezuo.audit.models import AuditEvent
        from xiezuo.rectification.models import Rectification
        t = Rectification.objects.get(pk=ARGS["task"])
        events = AuditEvent.objects.filter(model="rectification.Rectification", object_id=str(t.pk), action="workflow")
        report(status=t.status, version=t.version, steps=list(t.steps.values_list("step", flat=True)),
               events=[e.split("：")[0] for e in events.order_by("seq").values_list("summary", flat=True)],
               chain=chain_break())
    """, task=pk)
    status, label = {"close": ("closed", "销号"), "send_back": ("open", "退回")}[taken[0]]
    assert after == {"status": status, "version": 3, "steps": ["submit", taken[0]], "events": ["申请销号", label],
                     "chain": ""}, after


CLICK = """
    from django.contrib.messages import get_messages
    from django.test import Client
    from xiezuo.audit.context import acting_as
    from xiezuo.accounts.models import User
    client = Client()
    client.force_login(User.objects.get(username=ARGS["users"][RACER]))
    released()
    r = client.post(ARGS["url"], ARGS["data"])
    report(status=r.status_code, location=r.get("Location", ""),
           messages=[str(m) for m in get_messages(r.wsgi_request)])
"""

AFTER_CLICKS = """
    from xiezuo.audit.models import AuditEvent
    from xiezuo.rectification.models import Rectification
    tasks = list(Rectification.objects.filter(**ARGS["lookup"]).values_list("pk", flat=True))
    events = AuditEvent.objects.filter(model="rectification.Rectification", action="create",
                                       object_id__in=[str(pk) for pk in tasks])
    report(tasks=tasks, events=events.count(), chain=chain_break())
"""


def assert_one_task_and_the_second_click_opens_it(file_demo, outcomes, lookup, already):
    after = file_demo.run(AFTER_CLICKS, lookup=lookup)
    assert len(after["tasks"]) == 1 and after["events"] == 1 and after["chain"] == "", after
    pk = after["tasks"][0]
    got = sorted((o["status"], o["location"], o["messages"]) for o in outcomes)
    assert got == [(302, f"/rectifications/{pk}/", [already]),
                   (302, f"/rectifications/{pk}/edit/", ["已生成整改任务，请填写责任人、整改时限和整改措施"])], outcomes


def test_two_clicks_on_one_finding_make_one_task_on_sqlite(file_demo):
    finding = file_demo.run(COUNTY, """
        from xiezuo.procurement.models import Finding
        report(pk=Finding.objects.filter(pairing=county, active=True).order_by("pk").first().pk)
    """)["pk"]
    outcomes = file_demo.race(CLICK, CLICK, users=["liuhe", "huangyuan"], data={},
                              url=f"/procurement/findings/{finding}/rectification/")
    assert_one_task_and_the_second_click_opens_it(file_demo, outcomes, {"finding_id": finding},
                                                  "该预警线索已有整改任务")


def test_two_clicks_on_one_health_alert_make_one_task_on_sqlite(file_demo):
    alert = file_demo.run(COUNTY, """
        from xiezuo.funds import health
        from xiezuo.funds.models import Project
        alert = health.alerts(Project.objects.filter(pairing=county))[0]
        report(project=alert.project.pk, rule=alert.rule.code)
    """)
    outcomes = file_demo.race(CLICK, CLICK, users=["liuhe", "huangyuan"], data={"rule": alert["rule"]},
                              url=f"/projects/{alert['project']}/rectification/")
    assert_one_task_and_the_second_click_opens_it(
        file_demo, outcomes, {"project_id": alert["project"], "health_rule": alert["rule"]}, "这条健康提醒已有整改任务")


def test_two_clicks_on_one_finding_make_one_task_on_postgresql(transactional_demo, postgres_only, county):
    """The same two clicks as threads with their own connections: on
    PostgreSQL the finding's row lock (`services._create`) decides, which
    SQLite does not have (there the IMMEDIATE transaction does)."""
    import threading

    from django.contrib.messages import get_messages
    from django.db import connection
    from django.test import Client

    from xiezuo.accounts.models import User
    from xiezuo.procurement.models import Finding
    from xiezuo.rectification.models import Rectification

    finding = Finding.objects.filter(pairing=county, active=True).order_by("pk").first()
    barrier, outcomes = threading.Barrier(2), []

    def click(name):
        try:
            client = Client()
            client.force_login(User.objects.get(username=name))
            barrier.wait(timeout=30)
            r = client.post(f"/procurement/findings/{finding.pk}/rectification/")
            outcomes.append({"status": r.status_code, "location": r.get("Location", ""),
                             "messages": [str(m) for m in get_messages(r.wsgi_request)]})
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(n,)) for n in ("liuhe", "huangyuan")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    pk = Rectification.objects.get(finding=finding).pk
    got = sorted((o["status"], o["location"], o["messages"]) for o in outcomes)
    assert got == [(302, f"/rectifications/{pk}/", ["该预警线索已有整改任务"]),
                   (302, f"/rectifications/{pk}/edit/", ["已生成整改任务，请填写责任人、整改时限和整改措施"])], outcomes
