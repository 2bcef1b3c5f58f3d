"""Work that spans an agreed item and its progress notes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.chinese import ChineseLabels
from xiezuo.front.forms import AS_READ, check_version

from .models import AgreedItem, ProgressNote


def add_note(item, text, *, date=None, user=None, status_from="", status_to=""):
    """Append a validated progress note to an item and return it."""
    note = ProgressNote(item=item, date=date or timezone.localdate(), text=(text or "").strip(),
                        status_from=status_from, status_to=status_to,
                        author=user if getattr(user, "is_authenticated", False) else None)
    note.full_clean()
    note.save()
    return note


def status_note(old, new):
    """The note a status change leaves: a stored record, in Chinese whatever
    the reader's language."""
    labels = ChineseLabels(AgreedItem.STATUSES)
    return f"状态由“{labels[old]}”改为“{labels[new]}”"


def change_status(item, new_status, *, user=None, text="", date=None, loaded_version=AS_READ):
    """Move an item one step on the board and record the step as a note.

    The row is locked so two offices pressing buttons at once cannot skip a
    step; a step that is not allowed from the current status, or a shelving
    without a reason, is refused with a Chinese message and nothing changes.
    So is a step taken from a stale screen: `loaded_version` is the version
    the person looked at (pages and the API pass it).
    """
    labels = dict(AgreedItem.STATUSES)
    if new_status not in labels:
        raise ValidationError({"status": _("状态“%(new_status)s”无效") % {"new_status": new_status}})
    with transaction.atomic():
        locked = AgreedItem.objects.select_for_update().get(pk=item.pk)
        old = locked.status
        check_version(locked, loaded_version, item)
        if new_status not in AgreedItem.TRANSITIONS.get(old, ()):
            raise ValidationError({"status": _("事项当前为“%(value)s”，不能直接改为“%(value2)s”") % {"value": labels[old], "value2": labels[new_status]}})
        text = (text or "").strip()
        if (old, new_status) in AgreedItem.NEEDS_REASON and not text:
            raise ValidationError({"text": _("由“%(value)s”改为“%(value2)s”须填写原因") % {"value": labels[old], "value2": labels[new_status]}})
        day = date or timezone.localdate()
        locked.status = new_status
        locked.done_on = day if new_status == AgreedItem.DONE else None
        locked.version += 1
        locked.save()
        summary = status_note(old, new_status)
        add_note(locked, f"{summary}。{text}" if text else summary, date=day, user=user,
                 status_from=old, status_to=new_status)
    item.refresh_from_db()
    return item
