"""Chinese everywhere: what people read on a page names things, never codes.

Every role of the demo opens every page it can (the URLs of the
authorization walk) in the default language, and the visible text — not
attributes, not <code>, <script> or <style> — must hold no snake_case
identifier (fiscal_funds, lh_hy_hall), no dotted model label
(labour.Person) and no English word outside a short list of names that are
written in Latin letters in Chinese offices too (units, standards, file
formats, brands).

It is also the walk in which every role opens every page (with the token,
download and briefing records the authorization walk adds, so their pages
are filled too): no page may answer any role with a server error.
"""

import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest

from xiezuo.accounts.models import User

from .checklist import login
from .test_authz_walk import ROLES, add_walked_records, pages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def walked_records(county, settings, tmp_path):
    """The token, download and briefing pages are read too."""
    add_walked_records(county, settings, tmp_path)


SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b")
LABEL = re.compile(r"\b[a-z]+\.[A-Z][A-Za-z]+\b")
# A run of Latin letters and digits; one holding a digit is a record number
# or a credit code (HY-2019-01, 91630123MA…), not a word.
TOKEN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
# Written in Latin letters in Chinese offices too: units, standards and open
# data formats, file types, product and platform names.
ALLOWED = {w.lower() for w in """
    kg km mm cm ml mu kWh ICU OCDS IATI API JSON XML CSV Excel xlsx xls docx pdf PDF PNG JPG JPEG Word
    ETag GB GBT ID RMB CNY Bearer Token OpenAPI Cardinal Open Contracting Partnership HTTP HTTPS URL
    Xiezuo SQLite PostgreSQL Chromium Microsoft WPS Office LibreOffice App QR PM AM English
""".split()}


class Visible(HTMLParser):
    """Collect the text a reader sees: skip tags whose text is code or not shown."""

    HIDDEN = {"script", "style", "code", "pre", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html):
    parser = Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def offending(text, names=()):
    """Return the codes, model labels and English words of a text; `names`
    are words that are data here (user names people log in with)."""
    found = set(SNAKE.findall(text)) | set(LABEL.findall(text))
    clean = LABEL.sub(" ", SNAKE.sub(" ", text))
    allowed = ALLOWED | {n.lower() for n in names}
    found |= {w for w in TOKEN.findall(clean)
              if len(w) > 1 and not any(c.isdigit() for c in w) and w.lower() not in allowed}
    return found


def test_offending_finds_codes_labels_and_english():
    assert offending("指标 fiscal_funds 与 labour.Person #10、R028_IDENTICAL_PRICES，Organisations") == {
        "fiscal_funds", "labour.Person", "R028_IDENTICAL_PRICES", "Organisations"}
    assert offending("重量 12 kg，导出 Excel、OCDS 与 IATI；2022年6月26日 4,300万元 HY-2019-01 91630123MA7") == set()
    assert offending("用户 liuhe", names=["liuhe"]) == set()
    assert visible_text('<p title="fiscal_funds">财政<code>fiscal_funds</code><script>var a_b;</script></p>') == "财政"


@pytest.mark.parametrize("role", ROLES)
def test_pages_speak_chinese(county, role):
    client = login(role)
    names = set(User.objects.values_list("username", flat=True))
    seen, found = 0, defaultdict(set)
    for url, _name, _record in pages(county):
        r = client.get(url)
        assert r.status_code < 500, (url, role, r.status_code)
        if r.status_code != 200 or not r.get("Content-Type", "").startswith("text/html"):
            continue
        seen += 1
        for word in offending(visible_text(r.content.decode()), names):
            found[word].add(url)
    assert seen >= 10
    assert not found, "\n".join(f"{w}: {sorted(urls)[:3]}" for w, urls in sorted(found.items()))
