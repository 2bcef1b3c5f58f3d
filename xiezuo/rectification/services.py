"""Tasks made from a flagged record: a procurement finding, or a project a
health rule flags. One task per finding (per project and rule): a second
request returns the task already made."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from xiezuo.accounts.scope import scope_for

from .models import FINDING, HEALTH, Rectification

# The deadline a new task is given, to be set by the office: our judgement.
DEFAULT_DAYS = 30


def _create(user, pairing_id, flagged, lookup, **fields):
    """Make the task of `lookup` unless it exists. The flagged record's row
    (the finding, or the project) is locked first, and the look for an
    existing task is made under that lock: of two clicks at once, the second
    waits and then finds the first one's task (read before the lock, it
    found none and was refused by the constraint's check instead of being
    shown the task). On SQLite the IMMEDIATE transaction already serialises."""
    scope_for(user).require(pairing_id, "write")
    with transaction.atomic():
        list(type(flagged).objects.select_for_update().filter(pk=flagged.pk).values_list("pk", flat=True))
        existing = Rectification.objects.filter(**lookup).first()
        if existing is not None:
            return existing, False
        today = timezone.localdate()
        task = Rectification(pairing_id=pairing_id, found_on=today,
                             deadline=today + datetime.timedelta(days=DEFAULT_DAYS), **lookup, **fields)
        task.full_clean()
        try:
            with transaction.atomic():
                task.save()
        except IntegrityError:
            # Made meanwhile by a writer that did not take the lock.
            return Rectification.objects.get(**lookup), False
    return task, True


def from_finding(finding, user):
    """Return (task, created) for a procurement finding."""
    problem = f"{finding.rule_name}：{finding.tender.title}。{finding.explanation}"[:500]
    ref = " ".join(p for p in (finding.law, finding.article) if p)[:200]
    return _create(user, finding.pairing_id, finding, {"finding": finding}, source=FINDING, problem=problem,
                   source_ref=ref, project_id=finding.tender.project_id,
                   owner_unit_id=finding.tender.buyer_id)


def from_health(project, rule_code, user):
    """Return (task, created) for a project flagged by a health rule; the
    rule must flag the project now."""
    from xiezuo.funds import health
    from xiezuo.funds.models import Project

    alert = next((a for a in health.alerts(Project.objects.filter(pk=project.pk)) if a.rule.code == rule_code), None)
    existing = Rectification.objects.filter(project=project, health_rule=rule_code).first()
    if existing is not None:
        scope_for(user).require(project.pairing_id, "write")
        return existing, False
    if alert is None:
        raise ValidationError(gettext("该项目当前没有这条健康提醒"))
    problem = f"{project.name}：{alert.rule}。{alert.message}"[:500]
    return _create(user, project.pairing_id, project, {"project": project, "health_rule": rule_code}, source=HEALTH,
                   problem=problem, owner_unit_id=project.implementing_unit_id)
