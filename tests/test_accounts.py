"""Accounts: passwords, lockout, sessions, tokens, scoping helper."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from xiezuo.accounts.models import APIToken, User
from xiezuo.accounts.scope import scope_for
from xiezuo.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_passwords_are_argon2():
    assert User.objects.get(username="liuhe").password.startswith("argon2")


def test_login_in_chinese_and_success():
    c = Client()
    r = c.get(reverse("login"))
    assert "登录东西部协作管理系统" in r.content.decode()
    r = c.post(reverse("login"), {"username": "liuhe", "password": DEMO_PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("home")
    assert "南京市六合区—西宁市湟源县" in c.get(reverse("home")).content.decode()


def test_repeated_failures_lock_the_account():
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = c.post(reverse("login"), {"username": "lingdao", "password": "wrong-password"})
    # Even the right password is refused while locked.
    r = Client().post(reverse("login"), {"username": "lingdao", "password": DEMO_PASSWORD})
    assert r.status_code == 429
    assert "该账户已被暂时锁定" in r.content.decode()
    # Another account is not affected.
    r = Client().post(reverse("login"), {"username": "liuhe", "password": DEMO_PASSWORD})
    assert r.status_code == 302


def test_session_expires(settings):
    import time_machine

    c = Client()
    with time_machine.travel("2026-01-05 09:00 +0800", tick=False):
        c.post(reverse("login"), {"username": "liuhe", "password": DEMO_PASSWORD})
        assert c.get(reverse("home")).status_code == 200
    with time_machine.travel("2026-01-05 10:30 +0800", tick=False):
        assert c.get(reverse("home")).status_code == 200  # activity renews the session
    with time_machine.travel("2026-01-05 12:31 +0800", tick=False):
        r = c.get(reverse("home"))
        assert r.status_code == 302 and "/login/" in r["Location"]


def test_issue_token_prints_a_token_stored_hashed():
    out = StringIO()
    call_command("issue_token", "liuhe", stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("xz_")
    token = APIToken.objects.get(user__username="liuhe", prefix=raw[:10])
    assert token.digest == APIToken.digest_of(raw) and raw not in token.digest
    r = Client().get("/api/v1/pairings/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200 and r.json()
    assert Client().get("/api/v1/pairings/", HTTP_AUTHORIZATION="Bearer xz_forged").status_code == 401


def test_issue_token_unknown_user():
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        call_command("issue_token", "nobody")


def test_revoked_token_and_inactive_user_refused():
    user = User.objects.get(username="liuhe")
    raw = APIToken.issue(user)
    APIToken.objects.filter(user=user).update(revoked=True)
    assert Client().get("/api/v1/pairings/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    raw = APIToken.issue(user)
    user.is_active = False
    user.save()
    assert Client().get("/api/v1/pairings/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_scope_roles(county, foreign, users):
    sub = county.children.first()
    east, leader, unit = (scope_for(users[n]) for n in ("liuhe", "lingdao", "yiyuan"))
    assert east.has(sub, "write") and east.has(county, "east") and not east.has(county, "west")
    assert leader.has(sub, "read") and not leader.has(sub, "write")
    assert unit.has(county, "unit") and not unit.has(county, "write")
    assert unit.unit_orgs(county) == {users["yiyuan"].memberships.get().organisation_id}
    assert not east.has(foreign) and scope_for(users["admin"]).has(foreign, "admin")
    assert set(scope_for(users["outsider"]).pairing_ids()) == {foreign.pk}


def test_english_on_request():
    c = Client()
    c.force_login(User.objects.get(username="liuhe"))
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html
    assert "My pairings" in html
