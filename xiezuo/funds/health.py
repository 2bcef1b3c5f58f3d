"""Project health rules (like the performance rules of aid-management systems).

Each rule is one query over the projects in view; its N and severity come
from `HealthRule`, which an administrator edits. Time is read from
`timezone.now()`, so tests freeze it.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

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
        yield p, f"{cn_date(p.actual_start)}开工，已过{(today - p.actual_start).days}天仍无已确认的资金拨付"


def _overdue(rule, projects, today):
    cutoff = today - datetime.timedelta(days=rule.days)
    late = projects.filter(planned_finish__lt=cutoff).exclude(
        status__in=Project.FINISHED | {Project.TERMINATED, Project.RESERVE})
    for p in late:
        yield p, (f"计划{cn_date(p.planned_finish)}完工，已逾期{(today - p.planned_finish).days}天，"
                  f"当前状态为“{p.get_status_display()}”")


def _stale(rule, projects, today):
    cutoff = timezone.now() - datetime.timedelta(days=rule.days)
    for p in projects.exclude(status__in=Project.FINAL).filter(updated_at__lt=cutoff):
        last = timezone.localdate(p.updated_at)
        yield p, f"最近一次更新在{cn_date(last)}，已{(today - last).days}天未更新进展"


def _after_acceptance(rule, projects, today):
    accepted = ProjectStatusChange.objects.filter(project=OuterRef("project"), to_status=Project.ACCEPTED)
    rows = (Disbursement.objects.filter(project__in=projects).exclude(status=Disbursement.RETURNED)
            .annotate(accepted_on=Subquery(accepted.order_by("date").values("date")[:1]))
            .filter(accepted_on__isnull=False).select_related("project"))
    for d in rows:
        if (d.date - d.accepted_on).days > rule.days:
            yield d.project, (f"{cn_date(d.accepted_on)}已验收，{cn_date(d.date)}仍有拨付{d.amount:,.2f}元"
                              f"（{d.get_status_display()}）")


CHECKS = {
    HealthRule.NO_DISBURSEMENT: _no_disbursement,
    HealthRule.OVERDUE: _overdue,
    HealthRule.STALE: _stale,
    HealthRule.AFTER_ACCEPTANCE: _after_acceptance,
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
