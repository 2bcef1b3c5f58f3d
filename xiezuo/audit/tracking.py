"""Automatic audit events for domain models.

Decorate a model class with `@tracked` and every save and delete through the
ORM leaves an event with the values before and after. Bulk operations
(`bulk_create`, `QuerySet.update`) bypass signals, so code that uses them must
call `record` itself — the importer does, one event per changed row.
"""

from django.db.models.signals import post_delete, post_save, pre_save

from .models import record_for, snapshot

TRACKED = []


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None or instance._state.adding:
        instance._audit_before = None
        return
    old = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if not created and before == after:
        return
    record_for(instance, "create" if created else "update", before=before, after=after)


def _post_delete(sender, instance, **kwargs):
    record_for(instance, "delete", before=snapshot(instance), after=None)


def tracked(model_cls):
    pre_save.connect(_pre_save, sender=model_cls, dispatch_uid=f"audit-pre-{model_cls._meta.label}")
    post_save.connect(_post_save, sender=model_cls, dispatch_uid=f"audit-post-{model_cls._meta.label}")
    post_delete.connect(_post_delete, sender=model_cls, dispatch_uid=f"audit-del-{model_cls._meta.label}")
    TRACKED.append(model_cls)
    return model_cls
