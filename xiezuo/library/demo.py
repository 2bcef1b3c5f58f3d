"""Each demo project comes from a listed library entry, whose steps are
dated before the project's approval (立项). The entries change no figure:
the figures read projects, not the library."""

import datetime

from xiezuo.accounts.models import User
from xiezuo.demo import step

from .models import LibraryEntry

# Days before the approval each step was taken (illustrative).
BEFORE = {"apply": 40, "review": 30, "approve": 20, "list": 15}


def give_entry(project, approved_on):
    """Make the listed entry a demo project comes from, its steps dated
    before `approved_on`, and link it. The township review is taken by the
    administrator standing in for a township office the demo has no user
    for; the county office (huangyuan) applies, approves and lists."""
    west = User.objects.get(username="huangyuan")
    township_user = User.objects.get(username="admin")
    entry = LibraryEntry.objects.create(
        pairing=project.pairing, year=approved_on.year, name=project.name, township=project.township,
        village=project.village, unit_name="" if project.village_id else str(project.implementing_unit or "—"),
        category=project.category, content=project.description or project.name,
        implementing_unit=project.implementing_unit, coop_funds=project.coop_funds, other_funds=project.other_funds,
        benefit=project.linkage_note, linkage=project.linkage_display(), is_demo=True)
    day = lambda action: approved_on - datetime.timedelta(days=BEFORE[action])  # noqa: E731
    entry.record_application(west, day("apply"))
    entry.take(township_user, "review", date=day("review"))
    entry.take(west, "approve", date=day("approve"))
    entry.take(west, "list", date=day("list"))
    project.library_entry = entry
    project.save(update_fields=["library_entry"])
    return entry


@step(125)
def library_entries():
    """A database whose demo projects were approved before the library
    existed gets their entries too (a fresh demo made them with the projects)."""
    from xiezuo.funds.models import Project, ProjectStatusChange

    for project in Project.objects.filter(is_demo=True, library_entry=None).exclude(status=Project.RESERVE):
        change = ProjectStatusChange.objects.filter(project=project, to_status=Project.APPROVED).first()
        if change is not None:
            give_entry(project, change.date)

