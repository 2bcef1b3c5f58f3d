"""Accounts, in a real browser: the west office adds a leader to its county
pair with a temporary password; the new user must choose a password of
their own before any page opens, then reaches the pairing. On a phone-sized
screen the members page still fits."""

import pytest

from xiezuo.accounts.models import Membership, User
from xiezuo.audit.models import AuditEvent
from xiezuo.pairings.models import Pairing

pytestmark = pytest.mark.browser

TEMPORARY = "Linshi-Mima-2026"
OWN = "Ziji-Xuan-De-7788"


def test_an_office_adds_a_member_who_must_change_the_password(journey):
    county = Pairing.objects.get(level="county", east_region__name="六合区")
    journey.login("huangyuan")
    page = journey.go(f"/pairings/{county.pk}/members/")
    assert "成员与角色" in page.content()
    journey.shot("members")
    page = journey.go(f"/pairings/{county.pk}/members/add/")
    page.fill("#id_username", "xinlingdao")
    page.fill("#id_display_name", "新领导（示例）")
    page.fill("#id_password", TEMPORARY)
    page.select_option("#id_role", "leader")
    journey.shot("add-form")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "已授予" in page.content()
    journey.shot("added")
    user = User.objects.get(username="xinlingdao")
    assert user.must_change_password and Membership.objects.filter(user=user, pairing=county, role="leader").exists()
    assert AuditEvent.objects.filter(actor_name="huangyuan", model="accounts.Membership", action="create").exists()

    journey.page.context.clear_cookies()
    journey.login("xinlingdao", TEMPORARY)
    page = journey.go(f"/pairings/{county.pk}/")
    assert "/accounts/password/?next=" in page.url  # every page leads to the password page first
    journey.shot("must-change")
    page.fill("#id_old_password", TEMPORARY)
    page.fill("#id_new_password1", "short")
    page.fill("#id_new_password2", "short")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "至少" in page.content() and "10" in page.content()
    journey.shot("too-short")
    page.fill("#id_old_password", TEMPORARY)
    page.fill("#id_new_password1", OWN)
    page.fill("#id_new_password2", OWN)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page = journey.go(f"/pairings/{county.pk}/")
    assert page.url.endswith(f"/pairings/{county.pk}/") and "湟源县" in page.content()
    journey.shot("pairing")
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(OWN)


def test_the_members_page_fits_a_phone(journey):
    county = Pairing.objects.get(level="county", east_region__name="六合区")
    journey.page.set_viewport_size({"width": 390, "height": 844})
    journey.login("huangyuan")
    page = journey.go(f"/pairings/{county.pk}/members/")
    journey.shot("members-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
