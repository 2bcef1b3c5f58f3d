"""Security checks across all pages: CSRF tokens on every form, CSRF
enforced, security headers and CSP on every response."""

import re

import pytest
from django.test import Client

from xiezuo.accounts.models import User
from xiezuo.pairings.models import Organisation

from .test_authz_walk import pages

pytestmark = pytest.mark.django_db
FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)


def test_every_page_posts_with_a_csrf_token_and_runs_no_inline_script(county):
    # One walk for both checks: each page as the administrator, who reaches them all.
    c = Client()
    c.force_login(User.objects.get(username="admin"))
    forms = 0
    for url, name, _ in pages(county):
        r = c.get(url)
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        html = r.content.decode()
        for body in FORM.findall(html):
            forms += 1
            assert 'name="csrfmiddlewaretoken"' in body, (url, body[:200])
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
    assert forms >= 10


def test_csrf_is_enforced():
    c = Client(enforce_csrf_checks=True)
    c.force_login(User.objects.get(username="huangyuan"))
    hospital = Organisation.objects.get(name="湟源县人民医院")
    r = c.post(f"/organisations/{hospital.pk}/edit/", {"name": "改名", "kind": "hospital", "region": hospital.region_id})
    assert r.status_code == 403
    hospital.refresh_from_db()
    assert hospital.name == "湟源县人民医院"


def test_security_headers_on_pages_and_api(county):
    c = Client()
    c.force_login(User.objects.get(username="liuhe"))
    for url in ("/", f"/pairings/{county.pk}/", "/api/v1/pairings/", "/login/"):
        r = c.get(url)
        csp = r["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["X-Frame-Options"] == "DENY"
        assert r["Referrer-Policy"] == "same-origin"
