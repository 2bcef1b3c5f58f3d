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
