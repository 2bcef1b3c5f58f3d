"""Fixtures of the account tests: the audit events an action leaves, and
checks that no secret reached them."""

import json

import pytest

from xiezuo.accounts.models import User
from xiezuo.audit.models import AuditEvent

# Passes the password policy: 13 characters, four classes, no name in it.
GOOD_PASSWORD = "Qinghai-Lake-26"


@pytest.fixture
def new_events(db):
    """Return a function listing the audit events recorded since the test began."""
    start = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    return lambda: list(AuditEvent.objects.filter(seq__gt=start).order_by("seq"))


def assert_no_secret(event, *secrets):
    """Assert the event holds none of `secrets` and no password hash or
    token digest field at all."""
    text = json.dumps([event.summary, event.before, event.after], ensure_ascii=False)
    for secret in secrets:
        assert secret and secret not in text, (event, secret)
    for data in (event.before or {}, event.after or {}):
        assert not {"password", "digest"} & set(data), (event, data)


def one_event(new_events, actor, **expected):
    """Assert exactly one new event, by `actor`, with the expected fields."""
    events = new_events()
    assert len(events) == 1, [str(e) for e in events]
    event = events[0]
    assert event.actor_name == actor, event.actor_name
    for key, value in expected.items():
        assert getattr(event, key) == value, (key, getattr(event, key))
    return event


def user(name):
    return User.objects.get(username=name)
