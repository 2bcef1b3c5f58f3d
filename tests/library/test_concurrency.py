"""Two steps on one library entry at once (乡审核通过 and 乡审核退回 clicked
by two people from the same page): child processes on one SQLite file
database (tests/file_database.py). One step is taken, the other is refused
as taken from a stale page; one history row, one audit event."""

import pytest

pytestmark = pytest.mark.django_db


def test_two_steps_on_one_entry_at_once_one_is_taken_on_sqlite(file_demo):
    entry = file_demo.run("""
        from xiezuo.pairings.models import Pairing
        from tests.library.test_library import new_entry
        county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
        report(pk=new_entry(county).pk)
    """)["pk"]
    step = """
        from xiezuo.audit.context import acting_as
        from xiezuo.library.models import LibraryEntry
        from tests.library.test_library import D, user
        name, action, opinion = ARGS["steps"][RACER]
        who, entry = user(name), LibraryEntry.objects.get(pk=ARGS["entry"])  # the page as shown
        released()
        with acting_as(who):
            report(action=action, outcome=attempt(lambda: entry.take(who, action, opinion, D)))
    """
    outcomes = file_demo.race(step, step, entry=entry,
                              steps=[("huangyuan", "review", ""), ("admin", "review_return", "材料不全")])
    taken = [o["action"] for o in outcomes if o["outcome"] == "ok"]
    refused = [o["outcome"] for o in outcomes if o["outcome"] != "ok"]
    assert len(taken) == 1 and len(refused) == 1 and refused[0].startswith("此记录已被他人修改"), outcomes
    after = file_demo.run("""
        from xiezuo.audit.models import AuditEvent
        from xiezuo.library.models import LibraryEntry
        entry = LibraryEntry.objects.get(pk=ARGS["entry"])
        events = AuditEvent.objects.filter(model="library.LibraryEntry", object_id=str(entry.pk), action="workflow")
        report(stage=entry.stage, version=entry.version, steps=list(entry.steps.values_list("action", flat=True)),
               events=[e.split("：")[0] for e in events.order_by("seq").values_list("summary", flat=True)],
               chain=chain_break())
    """, entry=entry)
    stage, label = {"review": ("reviewed", "乡审核通过"), "review_return": ("returned", "乡审核退回")}[taken[0]]
    assert after == {"stage": stage, "version": 2, "steps": ["apply", taken[0]], "events": ["村申报", label],
                     "chain": ""}, after
