"""403 and 404 pages speak Chinese in the site's layout, with a way back;
the menu offers only what the role can open; languages are named in their
own language; the API docs sit in a developer corner, not the main menu."""

import re

import pytest
from django.urls import reverse

from xiezuo.labour.models import Person

from .checklist import login

pytestmark = pytest.mark.django_db


def test_a_refusal_is_a_chinese_page_in_the_layout(county):
    r = login("liuhe").get(reverse("audit_list"))
    html = r.content.decode()
    assert r.status_code == 403
    assert "只有审计/纪检和管理员可以查看审计日志" in html  # the view's own reason
    assert 'id="main-menu"' in html and 'href="/"' in html and "返回首页" in html
    assert "Forbidden" not in html


def test_not_found_pages_are_chinese_whatever_raised_them(county):
    person = Person.objects.filter(pairing=county).first()
    for url in ("/no/such/page/", reverse("labour_person_detail", args=[person.pk])):
        r = login("outsider").get(url)
        html = r.content.decode()
        assert r.status_code == 404, url
        assert "返回首页" in html and 'id="error-page"' in html, url
        assert "Not Found" not in html and "matches the given query" not in html, url
    assert "没有找到该页面或记录" in login("outsider").get("/no/such/page/").content.decode()
    # The API answers JSON, in Chinese too.
    r = login("outsider").get("/api/v1/no/such/route")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")


def test_the_menu_offers_the_audit_log_only_to_those_it_opens_for(county):
    for user, offered in (("liuhe", False), ("huangyuan", False), ("lingdao", False), ("shenji", True),
                          ("admin", True)):
        html = login(user).get("/").content.decode()
        assert (reverse("audit_list") in html) is offered, user
        if offered:
            assert login(user).get(reverse("audit_list")).status_code == 200, user


def test_languages_are_named_in_their_own_language_and_docs_sit_apart(county):
    html = login("liuhe").get("/").content.decode()
    options = re.findall(r'<option value="(zh-hans|en)"[^>]*>([^<]+)</option>', html)
    assert options == [("zh-hans", "简体中文"), ("en", "English")]
    assert "英语" not in html
    menu = html[html.index('id="main-menu"'):html.index("</nav>")]
    assert "/api/v1/docs" not in menu
    corner = html[html.index('id="developer-corner"'):]
    assert "/api/v1/docs" in corner and "开发者" in corner
