"""Two users saving the same record: the second is refused, never silently
overwriting. Over the API through ETag/If-Match; on PostgreSQL with two real
concurrent connections."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from xiezuo.front.forms import save_versioned
from xiezuo.pairings.models import Organisation

from .checklist import token_client


@pytest.mark.django_db
def test_api_update_needs_the_current_etag():
    org = Organisation.objects.get(name="湟源县人民医院")
    a, b = token_client("huangyuan"), token_client("liuhe")
    url = f"/api/v1/organisations/{org.pk}"
    etag = a.get(url)["ETag"]
    assert etag == f'"pairings.organisation-{org.pk}-v1"' and b.get(url)["ETag"] == etag
    body = {"name": "湟源县人民医院", "kind": "hospital", "region": org.region_id, "legal_rep": "甲"}

    r = a.put(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 200 and r["ETag"] == f'"pairings.organisation-{org.pk}-v2"'
    body["legal_rep"] = "乙"
    r = b.put(url, body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 412 and "此记录已被他人修改" in r.json()["detail"]
    r = b.put(url, body, content_type="application/json")
    assert r.status_code == 428 and "If-Match" in r.json()["detail"]
    org.refresh_from_db()
    assert (org.legal_rep, org.version) == ("甲", 2)


@pytest.mark.django_db
def test_api_update_by_read_only_role_refused():
    org = Organisation.objects.get(name="湟源县人民医院")
    c = token_client("lingdao")
    etag = c.get(f"/api/v1/organisations/{org.pk}")["ETag"]
    body = {"name": "改名", "kind": "hospital", "region": org.region_id}
    r = c.put(f"/api/v1/organisations/{org.pk}", body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert r.status_code == 403
    assert Organisation.objects.get(pk=org.pk).name == "湟源县人民医院"


# PostgreSQL only: two threads here are two connections to one server, and
# the row lock of `save_versioned` (SELECT … FOR UPDATE) is what decides. On
# the in-memory SQLite test database threads share one database and FOR
# UPDATE does nothing; the SQLite version below races two processes on a file.
def test_two_connections_saving_one_record_one_wins(transactional_demo, postgres_only):
    org_id = Organisation.objects.get(name="湟源县人民医院").pk
    barrier = threading.Barrier(2)
    outcomes = {}

    def editor(name):
        try:
            org = Organisation.objects.get(pk=org_id)  # both load version 1
            barrier.wait(timeout=10)
            org.legal_rep = name
            save_versioned(org, 1)
            outcomes[name] = "saved"
        except ValidationError as e:
            outcomes[name] = e.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=editor, args=(n,)) for n in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    results = sorted(outcomes.values(), key=lambda o: o != "saved")
    assert results[0] == "saved" and results[1].startswith("此记录已被他人修改"), outcomes
    winner = next(n for n, o in outcomes.items() if o == "saved")
    org = Organisation.objects.get(pk=org_id)
    assert (org.legal_rep, org.version) == (winner, 2)



def test_two_processes_saving_one_record_one_wins_on_sqlite(file_demo):
    """The same race on a SQLite file: two processes, each holding the record
    as its page showed it (version 1), save at once."""
    org_id = file_demo.run("""
        from xiezuo.pairings.models import Organisation
        report(pk=Organisation.objects.get(name="湟源县人民医院").pk)
    """)["pk"]
    editor = """
        from xiezuo.audit.context import acting_as
        from xiezuo.accounts.models import User
        from xiezuo.front.forms import save_versioned
        from xiezuo.pairings.models import Organisation
        org = Organisation.objects.get(pk=ARGS["org"])
        org.legal_rep = ARGS["names"][RACER]
        released()
        with acting_as(User.objects.get(username="huangyuan")):
            report(name=org.legal_rep, outcome=attempt(lambda: save_versioned(org, 1)))
    """
    outcomes = file_demo.race(editor, editor, org=org_id, names=["甲", "乙"])
    saved = [o["name"] for o in outcomes if o["outcome"] == "ok"]
    refused = [o["outcome"] for o in outcomes if o["outcome"] != "ok"]
    assert len(saved) == 1 and len(refused) == 1 and refused[0].startswith("此记录已被他人修改"), outcomes
    after = file_demo.run("""
        from xiezuo.audit.models import AuditEvent
        from xiezuo.pairings.models import Organisation
        org = Organisation.objects.get(pk=ARGS["org"])
        events = AuditEvent.objects.filter(model="pairings.Organisation", object_id=str(org.pk), action="update")
        report(legal_rep=org.legal_rep, version=org.version, events=events.count())
    """, org=org_id)
    assert after == {"legal_rep": saved[0], "version": 2, "events": 1}, after
