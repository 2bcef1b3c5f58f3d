"""Who is acting right now, for the audit trail.

A context variable rather than a thread-local so that it is right under
async servers too. The middleware sets it per request; management commands
set it with `acting_as`.
"""

import contextlib
import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None = None
    username: str = "system"
    ip: str | None = None


_current = contextvars.ContextVar("xiezuo_actor", default=Actor())


def current_actor():
    return _current.get()


@contextlib.contextmanager
def acting_as(user=None, ip=None, username=None):
    actor = Actor(
        user_id=getattr(user, "pk", None),
        username=username or getattr(user, "username", None) or "system",
        ip=ip,
    )
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_actor(user, ip=None):
    """Name the acting user for the rest of the current context.

    API requests authenticate with a Bearer token inside the view, after the
    middleware has already recorded them as anonymous; the token's user is
    set here. The middleware's own reset restores the outer value when the
    request ends.
    """
    current = _current.get()
    _current.set(Actor(user_id=user.pk, username=user.username, ip=ip or current.ip))
