"""API tokens expire, can be revoked, record their last use, and
issue_token says when its token ends."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from xiezuo.accounts.models import APIToken

from .conftest import user

pytestmark = pytest.mark.django_db


def get(raw):
    return Client().get("/api/v1/pairings/", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_token_lasts_180_days_by_default():
    raw = APIToken.issue(user("liuhe"))
    token = APIToken.objects.get(digest=APIToken.digest_of(raw))
    assert abs(token.expires - timezone.now() - datetime.timedelta(days=180)) < datetime.timedelta(minutes=1)
    assert get(raw).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=179)):
        assert get(raw).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=181)):
        assert get(raw).status_code == 401


def test_an_expired_token_is_refused():
    raw = APIToken.issue(user("liuhe"), expires=timezone.now() - datetime.timedelta(seconds=1))
    r = get(raw)
    assert r.status_code == 401 and "detail" in r.json()


def test_a_revoked_token_is_refused():
    raw = APIToken.issue(user("liuhe"))
    APIToken.objects.get(digest=APIToken.digest_of(raw)).revoke()
    assert get(raw).status_code == 401


def test_last_use_is_recorded():
    raw = APIToken.issue(user("liuhe"))
    assert get(raw).status_code == 200
    token = APIToken.objects.get(digest=APIToken.digest_of(raw))
    assert token.last_used and timezone.now() - token.last_used < datetime.timedelta(minutes=1)


def test_issue_token_prints_the_expiry():
    out, err = StringIO(), StringIO()
    call_command("issue_token", "liuhe", "--days", "30", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = APIToken.objects.get(digest=APIToken.digest_of(raw))
    day = timezone.localtime(token.expires).date()
    assert day == timezone.localdate() + datetime.timedelta(days=30)
    assert f"有效期至 {day.isoformat()}" in err.getvalue()
    assert get(raw).status_code == 200


@pytest.mark.parametrize("days, message", [("0", "至少为1天"), ("400", "不能超过366天")])
def test_issue_token_refuses_bad_days(days, message):
    with pytest.raises(CommandError, match=message):
        call_command("issue_token", "liuhe", "--days", days, stdout=StringIO(), stderr=StringIO())


def test_the_audit_trail_names_a_token_by_its_user_never_by_its_code():
    from xiezuo.audit.models import AuditEvent

    raw = APIToken.issue(user("liuhe"), name="脚本")
    token = APIToken.objects.get(digest=APIToken.digest_of(raw))
    event = AuditEvent.objects.filter(model="accounts.APIToken", object_id=str(token.pk)).latest("pk")
    assert event.summary == f"{user('liuhe')}的接口令牌"
    assert token.prefix not in event.summary and "object" not in event.summary
