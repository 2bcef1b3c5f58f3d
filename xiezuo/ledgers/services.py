"""Work spanning the ledger machinery and the rest of the system: who acts,
what they may touch, remembered header mappings."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404

from xiezuo.accounts.scope import get_pairing

from .models import HeaderMapping
from .spec import Context

SYSTEM_USERNAME = "system-import"


def command_user(username=None):
    """Return the user a command acts as.

    Without --user the command acts as a dedicated inactive superuser
    "system-import" (created on first use): it can log in nowhere, but the
    audit trail names it, so an import run by a server operator is told
    apart from one made by an office user.
    """
    User = get_user_model()
    if username:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise ValueError(f"用户“{username}”不存在或已停用") from None
    user, created = User.objects.get_or_create(username=SYSTEM_USERNAME, defaults={
        "display_name": "系统导入", "is_superuser": True, "is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    # The scope helper only grants active users; the system actor is given
    # the reach of a superuser explicitly for the command's run.
    user.is_active = True
    return user


def context_for(user, pairing_id, perm):
    """Return a Context for a pairing the user may `perm`, through the scope helper."""
    try:
        pairing = get_pairing(user, pairing_id, perm)
    except Http404:
        raise ValueError(f"结对{pairing_id}不存在或无权访问") from None
    except PermissionDenied:
        raise ValueError(f"您无权{'导出' if perm == 'read' else '导入'}结对{pairing_id}的台账") from None
    return Context(pairing=pairing, user=user)


def mapping_for(ctx, spec, extra=None):
    """Return the remembered header mappings of a pairing, with `extra` on top."""
    mapping = HeaderMapping.objects.as_dict(ctx.pairing, spec.name)
    mapping.update(extra or {})
    return mapping


def remember_mapping(ctx, spec, mapping):
    """Store header → field mappings for the pairing (those that name a field)."""
    from .columns import normalize_header

    valid = {c.field for c in spec.columns} | {"-"}
    for header, field in mapping.items():
        if field not in valid:
            continue
        key = normalize_header(header)[0]
        HeaderMapping.objects.update_or_create(pairing=ctx.pairing, ledger=spec.name, header=key,
                                               defaults={"field": field})


def parse_map_option(values, spec):
    """Turn ["表头=field", …] into {normalised header: field}; raise ValueError."""
    from .columns import normalize_header

    valid = {c.field for c in spec.columns}
    mapping = {}
    for item in values or ():
        header, sep, field = item.partition("=")
        header, field = header.strip(), field.strip()
        if not sep or not header or not field:
            raise ValueError(f"--map“{item}”格式应为“表头=字段”")
        if field not in valid and field != "-":
            raise ValueError(f"--map“{item}”：{spec.name}台账没有字段“{field}”，可用字段：{'、'.join(sorted(valid))}")
        mapping[normalize_header(header)[0]] = field
    return mapping
