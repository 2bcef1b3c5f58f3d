"""Project health rules (like the performance rules of aid-management systems).

Each rule is one query over the projects in view; its N and severity come
from `HealthRule`, which an administrator edits. Time is read from
`timezone.now()`, so tests freeze it.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.dates import cn_date

from .models import Disbursement, HealthRule, Project, ProjectStatusChange

SEVERITY_ORDER = {"danger": 0, "warning": 1, "info": 2}


@dataclass
class Alert:
    rule: HealthRule
    project: Project
    message: str

    @property
    def severity(self):
        return self.rule.severity

    def as_dict(self):
        return {"rule": self.rule.code, "rule_name": str(self.rule), "severity": self.rule.severity,
                "severity_display": self.rule.get_severity_display(), "project": self.project.pk,
                "project_name": self.project.name, "message": self.message}


def _no_disbursement(rule, projects, today):
    cutoff = today - datetime.timedelta(days=rule.days)
    paid = Disbursement.objects.filter(project=OuterRef("pk"), status=Disbursement.CONFIRMED)
    for p in projects.filter(status__in=Project.STARTED, actual_start__lt=cutoff).exclude(Exists(paid)):
        yield p, _("%(cn_date)s开工，已过%(days)s天仍无已确认的资金拨付") % {"cn_date": cn_date(p.actual_start), "days": (today - p.actual_start).days}


def _overdue(rule, projects, today):
    cutoff = today - datetime.timedelta(days=rule.days)
    late = projects.filter(planned_finish__lt=cutoff).exclude(
        status__in=Project.FINISHED | {Project.TERMINATED, Project.RESERVE})
    for p in late:
        yield p, (_("计划%(cn_date)s完工，已逾期%(days)s天，当前状态为“%(status)s”") % {"cn_date": cn_date(p.planned_finish), "days": (today - p.planned_finish).days, "status": p.get_status_display()})


def _stale(rule, projects, today):
    cutoff = timezone.now() - datetime.timedelta(days=rule.days)
    for p in projects.exclude(status__in=Project.FINAL).filter(updated_at__lt=cutoff):
        last = timezone.localdate(p.updated_at)
        yield p, _("最近一次更新在%(cn_date)s，已%(days)s天未更新进展") % {"cn_date": cn_date(last), "days": (today - last).days}


def _after_acceptance(rule, projects, today):
    accepted = ProjectStatusChange.objects.filter(project=OuterRef("project"), to_status=Project.ACCEPTED)
    rows = (Disbursement.objects.filter(project__in=projects).exclude(status=Disbursement.RETURNED)
            .annotate(accepted_on=Subquery(accepted.order_by("date").values("date")[:1]))
            .filter(accepted_on__isnull=False).select_related("project"))
    for d in rows:
        if (d.date - d.accepted_on).days > rule.days:
            yield d.project, (_("%(cn_date)s已验收，%(cn_date2)s仍有拨付%(amount)s元（%(status)s）") % {"cn_date": cn_date(d.accepted_on), "cn_date2": cn_date(d.date), "amount": format(d.amount, ',.2f'), "status": d.get_status_display()})


def _no_asset(rule, projects, today):
    """A project handed over (资产移交) holds its assets on the asset ledger;
    the transition refuses a handover without one, so this finds the
    projects that reached 资产移交 another way (a ledger import, data from
    before the asset ledger). Our judgement, after 《关于加强扶贫项目资产后续管理的
    指导意见》 (国办函〔2021〕51号): assets formed by the funds are registered."""
    from xiezuo.assets.models import Asset

    handed = ProjectStatusChange.objects.filter(project=OuterRef("pk"), to_status=Project.HANDED_OVER)
    rows = (projects.filter(status=Project.HANDED_OVER).exclude(Exists(Asset.objects.filter(project=OuterRef("pk"))))
            .annotate(handed_on=Subquery(handed.order_by("-date").values("date")[:1])))
    for p in rows:
        if p.handed_on is None:
            yield p, _("项目已为资产移交状态（无移交记录），尚未登记形成的资产")
        elif (today - p.handed_on).days >= rule.days:
            yield p, _("%(cn_date)s资产移交，尚未登记形成的资产") % {"cn_date": cn_date(p.handed_on)}


CHECKS = {
    HealthRule.NO_DISBURSEMENT: _no_disbursement,
    HealthRule.OVERDUE: _overdue,
    HealthRule.STALE: _stale,
    HealthRule.AFTER_ACCEPTANCE: _after_acceptance,
    HealthRule.NO_ASSET: _no_asset,
}


def alerts(projects, today=None):
    """Return the alerts of the given projects, most severe first."""
    today = today or timezone.localdate()
    projects = projects.select_related("category")
    found = []
    for rule in HealthRule.objects.filter(enabled=True):
        for project, message in CHECKS[rule.code](rule, projects, today):
            found.append(Alert(rule, project, message))
    found.sort(key=lambda a: (SEVERITY_ORDER.get(a.severity, 9), a.project.year, a.project.code, a.rule.pk))
    return found
