"""The account pages: the permission checklist on every page, and each
action leaving exactly one audit event, by the right actor, with no secret."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xiezuo.accounts.models import APIToken, Membership
from xiezuo.demo import DEMO_PASSWORD

from ..checklist import login, page_checklist
from .conftest import GOOD_PASSWORD, assert_no_secret, one_event, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def township(county):
    return county.children.order_by("pk").first()


def unit_membership():
    return Membership.objects.get(user__username="yiyuan", role="unit")


# The checklist: allowed, read-only refused, outsider 404, anonymous to login.

def test_checklist_of_the_reading_pages(county):
    yiyuan = user("yiyuan")
    for url in (reverse("member_list", args=[county.pk]), reverse("member_add", args=[county.pk]),
                reverse("account_detail", args=[yiyuan.pk]), reverse("account_reset_password", args=[yiyuan.pk]),
                reverse("token_issue", args=[yiyuan.pk])):
        r = page_checklist(url, refuse_read_only=True)
        assert r.status_code == 200, url


def test_checklist_of_the_actions(county, township):
    yiyuan = user("yiyuan")
    token = APIToken.objects.get(prefix=APIToken.issue(yiyuan)[:10])
    add = {"username": "lingdao", "pairing": township.pk, "role": "leader"}
    reset = {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    tomorrow = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    for url, data in (
        (reverse("member_add", args=[county.pk]), add),
        (reverse("account_reset_password", args=[yiyuan.pk]), reset),
        (reverse("token_issue", args=[yiyuan.pk]), {"name": "x", "expires": tomorrow}),
        (reverse("token_revoke", args=[token.pk]), {}),
        (reverse("account_lock", args=[yiyuan.pk]), {}),
        (reverse("account_unlock", args=[yiyuan.pk]), {}),
        (reverse("membership_delete", args=[unit_membership().pk]), {}),
    ):
        r = page_checklist(url, write=True, data=data)
        assert r.status_code in (200, 302), url


def test_account_index(county):
    page_checklist(reverse("account_index"), outsider=None, refuse_read_only=True)
    html = login("liuhe").get(reverse("account_index")).content.decode()
    assert "yiyuan" in html and str(county) in html
    # The outsider manages its own pairing only: nothing of the county shows.
    html = login("outsider").get(reverse("account_index")).content.decode()
    assert "outsider" in html and "yiyuan" not in html and str(county) not in html
    assert login("yiyuan").get(reverse("account_index")).status_code == 403


def test_password_page_for_everyone():
    page_checklist(reverse("password_change"), outsider=None)
    for name in ("outsider", "yiyuan", "shenji", "admin"):
        assert login(name).get(reverse("password_change")).status_code == 200


def test_menu_links_only_for_those_who_may_open_them():
    for name, sees in (("admin", True), ("liuhe", True), ("huangyuan", True), ("lingdao", False), ("yiyuan", False)):
        html = login(name).get("/").content.decode()
        assert (f'href="{reverse("account_index")}"' in html) is sees, name
        assert reverse("password_change") in html


# Scope: what an office may grant and whom it may manage.

def test_office_grants_within_its_subtree_only(county, foreign, township, new_events):
    c = login("liuhe")
    url = reverse("member_add", args=[county.pk])
    r = c.post(url, {"username": "lingdao", "pairing": foreign.pk, "role": "leader"})
    assert r.status_code == 200 and "field-error" in r.content.decode()
    assert c.post(reverse("member_add", args=[foreign.pk]),
                  {"username": "lingdao", "pairing": foreign.pk, "role": "leader"}).status_code == 404
    assert new_events() == []


@pytest.mark.parametrize("role", ["admin", "west", "auditor"])
def test_east_office_never_grants_roles_it_does_not_hold(county, role, new_events):
    r = login("liuhe").post(reverse("member_add", args=[county.pk]),
                            {"username": "lingdao", "pairing": county.pk, "role": role})
    assert r.status_code == 200 and "field-error" in r.content.decode()
    assert not Membership.objects.filter(user__username="lingdao", role=role).exists()
    assert new_events() == []


def test_west_office_may_not_grant_admin(county, new_events):
    r = login("huangyuan").post(reverse("member_add", args=[county.pk]),
                                {"username": "lingdao", "pairing": county.pk, "role": "admin"})
    assert r.status_code == 200 and new_events() == []


def test_administrator_grants_admin(county, new_events):
    r = login("admin").post(reverse("member_add", args=[county.pk]),
                            {"username": "lingdao", "pairing": county.pk, "role": "admin"})
    assert r.status_code == 302
    one_event(new_events, "admin", action="create", model="accounts.Membership")


def test_office_may_not_manage_the_other_office(county, new_events):
    # Resetting the west office's password would hand the east office the
    # west half of every two-step approval.
    huangyuan = user("huangyuan")
    c = login("liuhe")
    assert c.get(reverse("account_detail", args=[huangyuan.pk])).status_code == 403
    r = c.post(reverse("account_reset_password", args=[huangyuan.pk]),
               {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert r.status_code == 403
    west = Membership.objects.get(user=huangyuan, role="west")
    assert c.post(reverse("membership_delete", args=[west.pk])).status_code == 403
    assert new_events() == []


def test_an_account_with_a_role_elsewhere_is_for_administrators(county, foreign, new_events):
    yiyuan = user("yiyuan")
    Membership.objects.create(user=yiyuan, pairing=foreign, role="leader")
    start = len(new_events())
    assert login("liuhe").post(reverse("account_lock", args=[yiyuan.pk])).status_code == 403
    assert login("outsider").post(reverse("account_lock", args=[yiyuan.pk])).status_code == 403
    assert len(new_events()) == start
    assert login("admin").post(reverse("account_lock", args=[yiyuan.pk])).status_code == 302


def test_superusers_are_not_managed_by_offices():
    assert login("liuhe").get(reverse("account_detail", args=[user("admin").pk])).status_code == 404


# Each action: one audit event, the right actor, no secret.

def test_add_an_existing_user(township, county, new_events):
    r = login("liuhe").post(reverse("member_add", args=[county.pk]),
                            {"username": "lingdao", "pairing": township.pk, "role": "leader"})
    assert r.status_code == 302
    event = one_event(new_events, "liuhe", action="create", model="accounts.Membership", pairing_id=township.pk)
    assert event.after["role"] == "leader"


def test_add_a_new_user_creates_the_account_and_the_role(county, new_events):
    data = {"username": "wangfang", "display_name": "王芳", "password": GOOD_PASSWORD,
            "pairing": county.pk, "role": "unit", "organisation": unit_membership().organisation_id}
    assert login("huangyuan").post(reverse("member_add", args=[county.pk]), data).status_code == 302
    new = user("wangfang")
    assert new.display_name == "王芳" and new.must_change_password and new.check_password(GOOD_PASSWORD)
    # Two changes, one event each: the account, then its role.
    events = new_events()
    assert [(e.action, e.model, e.actor_name) for e in events] == [
        ("create", "accounts.User", "huangyuan"), ("create", "accounts.Membership", "huangyuan")]
    for event in events:
        assert_no_secret(event, GOOD_PASSWORD, new.password)


def test_a_new_user_needs_a_policy_password_and_a_name(county, new_events):
    data = {"username": "wangfang", "password": "short", "pairing": county.pk, "role": "leader"}
    html = login("liuhe").post(reverse("member_add", args=[county.pk]), data).content.decode()
    assert "新建账户须填写姓名" in html and "密码太短" in html
    data = {"username": "lingdao", "password": GOOD_PASSWORD, "pairing": county.pk, "role": "unit"}
    html = login("liuhe").post(reverse("member_add", args=[county.pk]), data).content.decode()
    assert "该用户已存在" in html and "实施单位角色须指定所属单位" in html
    assert new_events() == []


def test_take_a_role_away(new_events):
    membership = unit_membership()
    assert login("liuhe").post(reverse("membership_delete", args=[membership.pk])).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    one_event(new_events, "liuhe", action="delete", model="accounts.Membership", object_id=str(membership.pk))


def test_an_office_cannot_take_its_own_role_away(new_events):
    own = Membership.objects.get(user__username="liuhe")
    assert login("liuhe").post(reverse("membership_delete", args=[own.pk])).status_code == 403
    assert new_events() == []


def test_reset_password(new_events):
    yiyuan = user("yiyuan")
    r = login("liuhe").post(reverse("account_reset_password", args=[yiyuan.pk]),
                            {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert r.status_code == 302
    yiyuan.refresh_from_db()
    assert yiyuan.check_password(GOOD_PASSWORD) and yiyuan.must_change_password
    event = one_event(new_events, "liuhe", action="admin", model="accounts.User", object_id=str(yiyuan.pk))
    assert_no_secret(event, GOOD_PASSWORD, yiyuan.password)


def test_reset_password_follows_the_policy(new_events):
    yiyuan = user("yiyuan")
    r = login("liuhe").post(reverse("account_reset_password", args=[yiyuan.pk]),
                            {"new_password1": "abcdefghijk", "new_password2": "abcdefghijk"})
    assert "至少3类" in r.content.decode()
    assert new_events() == []


def test_lock_and_unlock(new_events):
    yiyuan = user("yiyuan")
    c = login("liuhe")
    assert c.post(reverse("account_lock", args=[yiyuan.pk])).status_code == 302
    event = one_event(new_events, "liuhe", action="admin", model="accounts.User", object_id=str(yiyuan.pk))
    assert event.after == {"is_active": False}
    assert Client().post(reverse("login"), {"username": "yiyuan", "password": DEMO_PASSWORD}).status_code == 200
    n = len(new_events())
    assert c.post(reverse("account_unlock", args=[yiyuan.pk])).status_code == 302
    assert len(new_events()) == n + 1 and new_events()[-1].after["is_active"] is True
    assert Client().post(reverse("login"), {"username": "yiyuan", "password": DEMO_PASSWORD}).status_code == 302


def test_unlock_lifts_the_lockout_after_failed_logins(settings, new_events):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": "yiyuan", "password": "wrong-password"})
    assert Client().post(reverse("login"), {"username": "yiyuan", "password": DEMO_PASSWORD}).status_code == 429
    assert "登录失败" in login("liuhe").get(reverse("account_detail", args=[user("yiyuan").pk])).content.decode()
    assert login("liuhe").post(reverse("account_unlock", args=[user("yiyuan").pk])).status_code == 302
    event = one_event(new_events, "liuhe", action="admin", model="accounts.User")
    assert event.before["failed_logins"] >= settings.AXES_FAILURE_LIMIT
    assert Client().post(reverse("login"), {"username": "yiyuan", "password": DEMO_PASSWORD}).status_code == 302


def test_an_office_cannot_lock_itself(new_events):
    liuhe = user("liuhe")
    assert login("liuhe").post(reverse("account_lock", args=[liuhe.pk])).status_code == 403
    assert new_events() == []


def test_issue_a_token_shows_it_once(new_events):
    yiyuan = user("yiyuan")
    day = timezone.localdate() + datetime.timedelta(days=30)
    url = reverse("token_issue", args=[yiyuan.pk])
    form = login("liuhe").get(url).content.decode()
    default = (timezone.localdate() + datetime.timedelta(days=180)).isoformat()
    assert f'value="{default}"' in form
    r = login("liuhe").post(url, {"name": "省平台对接", "expires": day.isoformat()})
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    token = APIToken.objects.get(user=yiyuan, name="省平台对接")
    html = r.content.decode()
    raw = html.split('id="raw-token" readonly value="')[1].split('"')[0]
    assert APIToken.digest_of(raw) == token.digest
    assert timezone.localtime(token.expires).date() == day
    event = one_event(new_events, "liuhe", action="create", model="accounts.APIToken")
    assert_no_secret(event, raw, token.digest)
    # The account page lists prefix, dates and last use, never the token.
    Client().get("/api/v1/pairings/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    page = login("liuhe").get(reverse("account_detail", args=[yiyuan.pk])).content.decode()
    assert token.prefix in page and raw not in page and day.isoformat() in page and "从未使用" not in page


def test_token_expiry_must_be_within_a_year(new_events):
    url = reverse("token_issue", args=[user("yiyuan").pk])
    for days in (0, 366):
        day = timezone.localdate() + datetime.timedelta(days=days)
        r = login("liuhe").post(url, {"expires": day.isoformat()})
        assert r.status_code == 200 and "field-error" in r.content.decode()
    assert new_events() == []


def test_revoke_a_token(new_events):
    yiyuan = user("yiyuan")
    raw = APIToken.issue(yiyuan)
    token = APIToken.objects.get(digest=APIToken.digest_of(raw))
    n = len(new_events())
    assert login("liuhe").post(reverse("token_revoke", args=[token.pk])).status_code == 302
    events = new_events()[n:]
    assert len(events) == 1 and events[0].actor_name == "liuhe" and events[0].after["revoked"] is True
    assert_no_secret(events[0], raw, token.digest)
    assert Client().get("/api/v1/pairings/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_change_own_password(new_events):
    c = login("lingdao")
    r = c.post(reverse("password_change"), {"old_password": "wrong", "new_password1": GOOD_PASSWORD,
                                            "new_password2": GOOD_PASSWORD})
    assert r.status_code == 200 and new_events() == []
    r = c.post(reverse("password_change"), {"old_password": DEMO_PASSWORD, "new_password1": GOOD_PASSWORD,
                                            "new_password2": GOOD_PASSWORD})
    assert r.status_code == 302
    assert user("lingdao").check_password(GOOD_PASSWORD)
    event = one_event(new_events, "lingdao", model="accounts.User", action="update")
    assert_no_secret(event, GOOD_PASSWORD, DEMO_PASSWORD, user("lingdao").password)
    # The session that changed the password stays signed in.
    assert c.get("/").status_code == 200
