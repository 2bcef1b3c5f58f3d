"""The self-evaluation's life: draft (west) → submitted → confirmed (east),
the lock, and administrator changes after the lock."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xiezuo.accounts.scope import scope_for
from xiezuo.audit.models import record_for

from . import narrative, services
from .models import SelfEvaluation


def snapshot_of(pairing, year):
    """Return the figures and indicator rows as they stand now."""
    figures = services.figures_for(pairing, year)
    rows = services.indicator_rows(pairing, year, figures)
    return {"figures": figures, "indicators": rows}


def get_or_draft(pairing, year, user=None):
    """Return the year's self-evaluation, drafting one from the data if none
    exists yet (narratives drafted from the figures)."""
    evaluation = SelfEvaluation.objects.filter(pairing=pairing, year=year).first()
    if evaluation is None:
        with transaction.atomic():
            snap = snapshot_of(pairing, year)
            evaluation = SelfEvaluation.objects.create(
                pairing=pairing, year=year, snapshot=snap, snapshot_at=timezone.now(),
                narratives=narrative.draft_all(snap["figures"]), drafted_by=user,
                title=f"{pairing}{year}年度东西部协作工作自评报告")
    return evaluation


def require_editable(evaluation, user, perm="west"):
    """Raise unless the user may change the evaluation now: the west office
    while it is a draft; an administrator at any time (also after the lock)."""
    scope = scope_for(user)
    if scope.has(evaluation.pairing_id, "admin"):
        return "admin"
    if evaluation.is_locked:
        raise PermissionDenied("本年度自评已由东部确认并锁定，修改须由管理员进行")
    if evaluation.status != SelfEvaluation.DRAFT and perm == "west":
        raise PermissionDenied("自评已提交东部确认，如需修改请先由东部退回")
    if not scope.has(evaluation.pairing_id, perm):
        raise PermissionDenied("您的角色无权执行此操作")
    return perm


def admin_event(evaluation, what):
    # The tracked model already records before/after; this event names the
    # administrator's change of a locked year explicitly for auditors.
    if evaluation.is_locked:
        record_for(evaluation, "admin", summary=f"管理员修改已锁定的{evaluation.year}年度自评：{what}")


@transaction.atomic
def refresh_snapshot(evaluation, user):
    require_editable(evaluation, user)
    snap = snapshot_of(evaluation.pairing, evaluation.year)
    evaluation.snapshot, evaluation.snapshot_at = snap, timezone.now()
    evaluation.version += 1
    evaluation.save()
    admin_event(evaluation, "重新生成数据快照")
    return evaluation


@transaction.atomic
def submit(evaluation, user):
    if evaluation.status != SelfEvaluation.DRAFT:
        raise ValidationError("只有起草中的自评可以提交")
    require_editable(evaluation, user)
    evaluation.status, evaluation.submitted_at, evaluation.drafted_by = SelfEvaluation.SUBMITTED, timezone.now(), user
    evaluation.version += 1
    evaluation.save()
    return evaluation


@transaction.atomic
def confirm(evaluation, user):
    scope_for(user).require(evaluation.pairing_id, "east")
    if evaluation.status != SelfEvaluation.SUBMITTED:
        raise ValidationError("只有西部已提交的自评可以确认")
    if evaluation.drafted_by_id == user.pk:
        raise ValidationError("确认人不能与提交人为同一用户")
    evaluation.status, evaluation.confirmed_by, evaluation.confirmed_at = SelfEvaluation.CONFIRMED, user, timezone.now()
    evaluation.version += 1
    evaluation.save()
    return evaluation


@transaction.atomic
def send_back(evaluation, user):
    scope_for(user).require(evaluation.pairing_id, "east")
    if evaluation.status != SelfEvaluation.SUBMITTED:
        raise ValidationError("只有待确认的自评可以退回")
    evaluation.status = SelfEvaluation.DRAFT
    evaluation.version += 1
    evaluation.save()
    return evaluation


@transaction.atomic
def reopen(evaluation, user):
    scope_for(user).require(evaluation.pairing_id, "admin")
    if not evaluation.is_locked:
        raise ValidationError("该自评未锁定，无需解锁")
    admin_event(evaluation, "解除锁定，退回起草")
    evaluation.status, evaluation.confirmed_by, evaluation.confirmed_at = SelfEvaluation.DRAFT, None, None
    evaluation.version += 1
    evaluation.save()
    return evaluation


def is_locked(pairing_id, year):
    """Tell other modules whether a pairing-year has been confirmed."""
    return SelfEvaluation.objects.filter(pairing_id=pairing_id, year=year, status=SelfEvaluation.CONFIRMED).exists()
