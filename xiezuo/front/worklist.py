"""What waits on a person: the work list of the home page and the menu's badge.

Each kind of waiting item is read through the one scoping helper with the
permission of the step that is waiting (confirming a disbursement needs
"east", reviewing a finding "audit" …), so an implementing unit sees only
what hangs off its own projects and a leader sees nothing to do. Every item
links to the page where the step is taken. A fixed number of queries per
kind, whatever the number of items: findings are grouped by pairing and
long lists are cut (the link of the group leads to the rest).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.dates import cn_date
from lib.money import wan
from xiezuo.accounts.scope import scope_for

# Items of one kind shown one by one; beyond that the list page has them.
SHOWN = 20


@dataclass
class Item:
    kind: str  # a short key: disbursement, import, overdue_item, rectification, asset, notice_feedback, finding,
    #            evaluation, snapshot
    label: str  # what waits, in a few words (the kind's name)
    text: str  # which record
    href: str  # the page where the step is taken
    pairing: str = ""
    count: int = 1  # records behind the item (a group of findings counts each)


def _disbursements(user, scope):
    from xiezuo.funds.models import Disbursement

    submitted = scope.filter(Disbursement.objects.filter(status=Disbursement.SUBMITTED), "east") \
        .exclude(submitted_by=user).select_related("project__pairing").order_by("submitted_at", "pk")
    for d in submitted[:SHOWN]:
        yield Item("disbursement", _("待确认拨付"), _("%(name)s %(wan)s（%(cn_date)s）") % {"name": d.project.name, "wan": wan(d.amount), "cn_date": cn_date(d.date)},
                   reverse("disbursement_list", args=[d.project.pairing_id])
                   + f"?status=submitted&year={d.project.year}", str(d.project.pairing))
    returned = scope.filter(Disbursement.objects.filter(status=Disbursement.RETURNED), "west") \
        .select_related("project__pairing").order_by("decided_at", "pk")
    for d in returned[:SHOWN]:
        yield Item("disbursement", _("被退回的拨付"), _("%(name)s %(wan)s：%(return_reason)s") % {"name": d.project.name, "wan": wan(d.amount), "return_reason": d.return_reason},
                   reverse("disbursement_edit", args=[d.pk]), str(d.project.pairing))


def _imports(user, scope):
    from xiezuo.ledgers.models import ImportJob

    jobs = scope.filter(ImportJob.objects.filter(status=ImportJob.PREVIEWED, user=user)).select_related("pairing")
    for job in jobs[:SHOWN]:
        yield Item("import", _("待确认导入"), _("%(filename)s（%(cn_date)s上传）") % {"filename": job.filename, "cn_date": cn_date(timezone.localtime(job.created_at).date())},
                   reverse("ledger_job", args=[job.pk]), str(job.pairing))


def _overdue_items(user, scope):
    from xiezuo.industry.models import AgreedItem

    items = scope.filter(AgreedItem.objects.overdue(), "write").select_related("pairing").order_by("deadline", "pk")
    for item in items[:SHOWN]:
        yield Item("overdue_item", _("逾期合作事项"), _("%(title)s（时限%(cn_date)s，%(status)s）") % {"title": item.title, "cn_date": cn_date(item.deadline), "status": item.get_status_display()},
                   reverse("industry_items_detail", args=[item.pk]), str(item.pairing))


def _rectifications(user, scope):
    """Overdue tasks still 整改中 wait on the office that owns them; tasks
    whose closing was asked wait on an office user other than the asker."""
    from xiezuo.rectification.models import OPEN, SUBMITTED, Rectification

    today = timezone.localdate()
    overdue = scope.filter(Rectification.objects.filter(status=OPEN, deadline__lt=today), "write") \
        .select_related("pairing").order_by("deadline", "pk")
    for task in overdue[:SHOWN]:
        yield Item("rectification", _("逾期整改任务"), _("%(task)s（时限%(deadline)s）")
                   % {"task": task, "deadline": cn_date(task.deadline)},
                   reverse("rectification_detail", args=[task.pk]), str(task.pairing))
    asked = scope.filter(Rectification.objects.filter(status=SUBMITTED), "write").exclude(submitted_by=user) \
        .select_related("pairing").order_by("submitted_at", "pk")
    for task in asked[:SHOWN]:
        yield Item("rectification", _("待销号整改任务"), str(task),
                   reverse("rectification_detail", args=[task.pk]), str(task.pairing))


def _asset_disposals(user, scope):
    """A disposal asked for waits on an office user other than the asker
    (two-person rule, as 销号)."""
    from xiezuo.assets.models import REQUESTED, Asset

    asked = scope.filter(Asset.objects.filter(status=REQUESTED), "write").exclude(disposal_requested_by=user) \
        .select_related("pairing").order_by("disposal_requested_at", "pk")
    for asset in asked[:SHOWN]:
        yield Item("asset", _("待批准资产处置"), _("%(asset)s（%(method)s）")
                   % {"asset": asset.name, "method": asset.get_disposal_method_display() or "—"},
                   reverse("asset_detail", args=[asset.pk]) + "#disposal", str(asset.pairing))


def _notice_feedback(user, scope):
    """Feedback on a notice not yet handled (办结) waits on the office: until
    it is, the notice has not run its period and the project cannot move on."""
    from django.db.models import Q

    from xiezuo.notices.models import NoticeFeedback

    waiting = scope.filter(NoticeFeedback.objects.filter(Q(handled_on__isnull=True) | Q(handling="")), "write") \
        .select_related("notice__pairing").order_by("received_on", "pk")
    for f in waiting[:SHOWN]:
        yield Item("notice_feedback", _("待办结公示反馈"), _("%(notice)s（%(day)s收到）")
                   % {"notice": f.notice.title, "day": cn_date(f.received_on)},
                   reverse("notice_detail", args=[f.notice_id]), str(f.notice.pairing))


def _findings(user, scope):
    from django.db.models import Count

    from xiezuo.pairings.models import Pairing
    from xiezuo.procurement.models import Finding

    groups = scope.filter(Finding.objects.active().filter(review_status=Finding.OPEN), "audit") \
        .values("pairing_id").annotate(n=Count("pk")).order_by("pairing_id")
    groups = list(groups)
    names = {p.pk: str(p) for p in Pairing.objects.filter(pk__in=[g["pairing_id"] for g in groups])}
    for g in groups:
        yield Item("finding", _("待复核预警"), _("%(n)s条招投标预警线索待复核") % {"n": g["n"]},
                   reverse("procurement_findings", args=[g["pairing_id"]]) + "?status=open&year=",
                   names.get(g["pairing_id"], ""), g["n"])


def _evaluations(user, scope, stale_check=True):
    """Each side's report: the other side's views wanted on a submitted
    text; the drafting side's finalising once they are in; a draft to
    submit, or to refresh when its snapshot is older than the ledgers."""
    from xiezuo.assessment.models import SelfEvaluation
    from xiezuo.assessment.workflow import snapshot_changes

    open_ones = scope.filter(SelfEvaluation.objects.exclude(status=SelfEvaluation.CONFIRMED)) \
        .select_related("pairing").order_by("year", "side", "pk")
    for e in open_ones[:SHOWN]:
        url = reverse("assessment:self_evaluation", args=[e.pairing_id, e.year, e.side])
        what = {"year": e.year, "side": e.side_name}
        if e.status == SelfEvaluation.SUBMITTED:
            if not e.current_opinions() and scope.has(e.pairing_id, e.other_side):
                yield Item("evaluation", _("待提出意见"), _("%(year)s年度%(side)s自评报告征求意见中") % what, url,
                           str(e.pairing))
            elif e.current_opinions() and scope.has(e.pairing_id, e.side) and user.pk != e.submitted_by_id:
                yield Item("evaluation", _("待定稿自评"), _("%(year)s年度%(side)s自评报告已收到意见") % what, url,
                           str(e.pairing))
        elif e.status == SelfEvaluation.DRAFT and scope.has(e.pairing_id, e.side):
            changes = snapshot_changes(e) if stale_check else []
            if changes:
                yield Item("snapshot", _("自评数据快照已过期"),
                           _("%(year)s年度%(side)s自评：%(n)s项指标的台账数据已变化，请重新生成快照")
                           % {**what, "n": len(changes)}, url, str(e.pairing))
            else:
                yield Item("evaluation", _("待提交自评"), _("%(year)s年度%(side)s自评报告（起草中）") % what, url,
                           str(e.pairing))


KINDS = (_disbursements, _imports, _overdue_items, _rectifications, _asset_disposals, _notice_feedback, _findings,
         _evaluations)


def waiting_items(user):
    """Return the items waiting on `user`, oldest kinds of work first."""
    scope = scope_for(user)
    return [item for kind in KINDS for item in kind(user, scope)]


def waiting_count(user):
    """Return the number of records waiting on `user` (the menu's badge),
    kept on the user object for the rest of the request."""
    cached = getattr(user, "_xiezuo_waiting", None)
    if cached is None:
        cached = sum(item.count for item in waiting_items(user))
        try:
            user._xiezuo_waiting = cached
        except AttributeError:
            pass
    return cached
