"""The invariants hold under concurrency: two real connections (threads) on
PostgreSQL. The first holds its transaction open while the second tries; the
row locks make the second wait and then see the first one's work. These stay
PostgreSQL-only: what they test is the row locks (project, pairing), which
SQLite does not have. The same races run on SQLite below, as processes on a
file database."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from xiezuo.funds.models import Disbursement, FundReceipt, Project, ProjectCategory
from xiezuo.library.demo import give_entry
from xiezuo.notices.demo import run_notice
from xiezuo.pairings.models import Pairing

from .conftest import submitted, user


def race(first, second):
    """Run `first` in a transaction that stays open 0.5 s after it acted,
    and `second` meanwhile on another connection. Return both outcomes."""
    outcome, acted = {}, threading.Event()

    def run(name, fn, hold):
        try:
            with transaction.atomic():
                fn()
                if hold:
                    acted.set()
                    time.sleep(0.5)
            outcome[name] = "ok"
        except ValidationError as e:
            outcome[name] = e
        finally:
            acted.set()
            connection.close()

    a = threading.Thread(target=run, args=("first", first, True))
    a.start()
    acted.wait(10)
    b = threading.Thread(target=run, args=("second", second, False))
    b.start()
    a.join(20)
    b.join(20)
    return outcome


@pytest.fixture
def setup_2024(postgres_only, transactional_demo):
    county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
    FundReceipt.objects.create(pairing=county, year=2024, kind="fiscal", date=datetime.date(2024, 3, 1),
                               amount=Decimal("1000000"))
    return county


def test_two_concurrent_confirmations_cannot_exceed_the_project_funds(setup_2024):
    project = _project(setup_2024, "C-2024-1", "600000", "implementing")
    d1, d2 = submitted(project, "400000").pk, submitted(project, "300000").pk
    liuhe = user("liuhe")
    outcome = race(lambda: Disbursement.objects.get(pk=d1).confirm(liuhe),
                   lambda: Disbursement.objects.get(pk=d2).confirm(liuhe))
    assert outcome["first"] == "ok"
    assert isinstance(outcome["second"], ValidationError) and "超过项目协作资金60万元" in str(outcome["second"])
    assert list(Disbursement.objects.filter(project=project, status="confirmed").values_list("pk", flat=True)) == [d1]
    assert project.confirmed_disbursed() == Decimal("400000")


def test_two_concurrent_approvals_cannot_exceed_the_receipts(setup_2024):
    a = _project(setup_2024, "C-2024-A", "700000", None)
    b = _project(setup_2024, "C-2024-B", "400000", None)
    west = user("huangyuan")
    outcome = race(lambda: Project.objects.get(pk=a.pk).transition(west, "approved", datetime.date(2024, 4, 1)),
                   lambda: Project.objects.get(pk=b.pk).transition(west, "approved", datetime.date(2024, 4, 1)))
    assert outcome["first"] == "ok"
    assert isinstance(outcome["second"], ValidationError) and "超过该年度到位资金100万元" in str(outcome["second"])
    assert Project.objects.get(pk=b.pk).status == "reserve"


def _project(county, code, coop, status):
    p = Project.objects.create(pairing=county, code=code, name=code, year=2024, coop_funds=Decimal(coop),
                               category=ProjectCategory.objects.get(code="rural"))
    give_entry(p, datetime.date(2024, 4, 1))  # only a listed library entry may be approved
    # Its 入库公示 and 计划公告 ran their period before the steps below.
    run_notice(p.library_entry, "listing", datetime.date(2024, 3, 1), user("admin"), demo=False)
    run_notice(p, "plan", datetime.date(2024, 3, 1), user("admin"), demo=False)
    if status:
        for s, day in (("approved", 1), ("procurement", 2), ("implementing", 3)):
            p.transition(user("admin"), s, datetime.date(2024, 4, day))
    return p


# The same races on SQLite: child processes on one SQLite file database
# (tests/file_database.py), released together. On SQLite the transaction is
# BEGIN IMMEDIATE, so the second waits for the first's commit and then
# checks against it; the threads above test PostgreSQL's row locks, which
# SQLite does not have.

SETUP = """
    import datetime
    from xiezuo.funds.models import FundReceipt, Project
    from xiezuo.pairings.models import Pairing
    from tests.funds.conftest import RECEIVED, YEAR, new_project, submitted
    county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
    FundReceipt.objects.create(pairing=county, year=YEAR, kind="fiscal", date=datetime.date(YEAR, 3, 1),
                               amount=RECEIVED)
"""

CONFIRMER = """
    from xiezuo.audit.context import acting_as
    from xiezuo.funds.models import Disbursement
    from tests.funds.conftest import user
    liuhe = user("liuhe")
    disbursement = Disbursement.objects.get(pk=ARGS["disbursements"][RACER])  # the page as shown
    released()
    with acting_as(liuhe):
        report(outcome=attempt(lambda: disbursement.confirm(liuhe)))
"""

AFTER_CONFIRMING = """
    from xiezuo.audit.models import AuditEvent
    from xiezuo.funds.models import Disbursement, Project
    project = Project.objects.get(pk=ARGS["project"])
    confirmed = list(project.disbursements.confirmed().values_list("pk", flat=True))
    events = AuditEvent.objects.filter(model="funds.Disbursement", action="workflow",
                                       summary__startswith="确认拨付", object_id__in=map(str, ARGS["disbursements"]))
    report(confirmed=confirmed, disbursed=int(project.confirmed_disbursed()),
           events=list(events.values_list("object_id", flat=True)), chain=chain_break())
"""


def winner_and_refusal(outcomes):
    won = [k for k, o in enumerate(outcomes) if o["outcome"] == "ok"]
    assert len(won) == 1, outcomes
    return won[0], outcomes[1 - won[0]]["outcome"]


def test_two_confirmations_at_once_cannot_exceed_the_project_funds_on_sqlite(file_demo):
    ids = file_demo.run(SETUP, """
        project = new_project(county, status=Project.IMPLEMENTING)  # 60万元
        report(project=project.pk, disbursements=[submitted(project, "400000").pk, submitted(project, "300000").pk])
    """)
    won, refusal = winner_and_refusal(file_demo.race(CONFIRMER, CONFIRMER, **ids))
    assert "超过项目协作资金60万元" in refusal, refusal
    after = file_demo.run(AFTER_CONFIRMING, **ids)
    winner = ids["disbursements"][won]
    assert after == {"confirmed": [winner], "disbursed": [400000, 300000][won], "events": [str(winner)],
                     "chain": ""}, after


def test_one_disbursement_confirmed_twice_at_once_is_confirmed_once_on_sqlite(file_demo):
    ids = file_demo.run(SETUP, """
        project = new_project(county, status=Project.IMPLEMENTING)
        pk = submitted(project, "400000").pk
        report(project=project.pk, disbursements=[pk, pk])
    """)
    won, refusal = winner_and_refusal(file_demo.race(CONFIRMER, CONFIRMER, **ids))
    assert refusal == "该拨付当前为“已确认”，不能再确认或退回", refusal
    after = file_demo.run(AFTER_CONFIRMING, **ids)
    pk = ids["disbursements"][0]
    assert after == {"confirmed": [pk], "disbursed": 400000, "events": [str(pk)], "chain": ""}, after


def test_two_approvals_at_once_cannot_exceed_the_receipts_on_sqlite(file_demo):
    """Two projects approved at once over the pairing-year's 100万元 received:
    the allocation check of the second sees the first's approval."""
    ids = file_demo.run(SETUP, """
        from xiezuo.notices.demo import give_notices
        projects = [new_project(county, code="T-2023-A", coop="700000"),
                    new_project(county, code="T-2023-B", coop="400000")]
        for p in projects:  # their 入库公示 has run (公告公示)
            give_notices(p, Project.APPROVED, datetime.date(2023, 4, 1), demo=False)
        report(projects=[p.pk for p in projects])
    """)
    approver = """
        import datetime
        from xiezuo.audit.context import acting_as
        from xiezuo.funds.models import Project
        from tests.funds.conftest import user
        west = user("huangyuan")
        project = Project.objects.get(pk=ARGS["projects"][RACER])
        released()
        with acting_as(west):
            report(outcome=attempt(lambda: project.transition(west, "approved", datetime.date(2023, 4, 1))))
    """
    won, refusal = winner_and_refusal(file_demo.race(approver, approver, **ids))
    assert "超过该年度到位资金100万元" in refusal, refusal
    after = file_demo.run("""
        from xiezuo.audit.models import AuditEvent
        from xiezuo.funds.models import Project, ProjectStatusChange
        changes = ProjectStatusChange.objects.filter(project_id__in=ARGS["projects"], to_status="approved")
        events = AuditEvent.objects.filter(model="funds.ProjectStatusChange", action="create",
                                           object_id__in=[str(c.pk) for c in changes])
        report(statuses=[Project.objects.get(pk=pk).status for pk in ARGS["projects"]],
               changes=[c.project_id for c in changes], events=events.count(), chain=chain_break())
    """, **ids)
    statuses = ["reserve", "reserve"]
    statuses[won] = "approved"
    assert after == {"statuses": statuses, "changes": [ids["projects"][won]], "events": 1, "chain": ""}, after
