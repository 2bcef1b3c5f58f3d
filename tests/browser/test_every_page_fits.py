"""Every page fits a phone (390 px) and a laptop (1366 px).

Each role of the demo county pair signs in, once, in its own browser
context, and opens every page it can reach: first every URL pattern filled
with the county's records (as the authorization walk fills them), then the
links on the pages it sees, one page per URL name (so an implementing unit,
which cannot open the county's records, reaches its own project through the
list). Every page is measured at 390×844 and then at 1366×768:

- the document is no wider than the window (a table must scroll inside its
  own box); the failure names the outermost elements that stick out;
- no table cell is squeezed to one character per line;
- at 390 px the collapsed header is at most 80 px high.

A full-page screenshot of every page at 390 px is kept under the test's
tmp path (the failure message says where).
"""

from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from xiezuo.accounts.models import User
from xiezuo.pairings.models import Pairing

from ..test_authz_walk import SKIP_PREFIXES, fill, walk

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
NAVBAR_MAX = 80
# Responses that are files, not pages (they would start a download).
FILES = {
    "ledger_template", "ledger_export", "report_docx", "report_xlsx", "download_file", "attachment_download",
    "pairing_document_file", "consumption_sale_voucher", "manual_actual_evidence", "procurement_document",
    "labour_roster_export", "industry_visit_minutes", "notice_docx", "notice_posting_photo", "asset_handover_file",
}
NOT_PAGES = FILES | {"logout", "set_language"}
PUBLIC = ["/login/", "/disclosure/"]
# The biggest number of pages one role may open: a crawl that runs away
# (a link with ever new ids) fails instead of running for an hour.
MAX_PAGES = 400

MEASURE = r"""() => {
  const vw = window.innerWidth, doc = document.documentElement;
  const label = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const where = el => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) parts.unshift(label(e));
    return parts.join(" > ");
  };
  const clipped = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const visible = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden";
  };
  const out = {scrollWidth: doc.scrollWidth, innerWidth: vw, wide: [], cells: [],
               navbar: null, page: !!document.querySelector("nav.navbar")};
  if (doc.scrollWidth > vw) {
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (!r.width || r.right <= vw + 0.5 || !visible(el)) continue;
      const p = el.parentElement;
      if (p !== document.body && p.getBoundingClientRect().right > vw + 0.5 && !clipped(p)) continue;
      if (clipped(el)) continue;
      out.wide.push(where(el) + " (" + Math.round(r.left) + "–" + Math.round(r.right) + " px) «"
                    + (el.innerText || "").trim().replace(/\s+/g, " ").slice(0, 40) + "»");
      if (out.wide.length >= 5) break;
    }
  }
  // A cell is squeezed when its text stands one character a line: two or
  // more lines, none wider than about one CJK character.
  for (const cell of document.querySelectorAll("td, th")) {
    if (!visible(cell)) continue;
    const text = cell.innerText.trim();
    if ((text.match(/[\u3400-\u9fff]/g) || []).length < 2) continue;
    const size = parseFloat(getComputedStyle(cell).fontSize);
    // Line boxes of its text: rects whose middles share a line (a badge
    // sits a little higher than the link beside it).
    const rects = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) if (r.width) rects.push(r);
    }
    rects.sort((a, b) => a.top - b.top);
    const lines = [];
    for (const r of rects) {
      const middle = (r.top + r.bottom) / 2;
      const line = lines.find(l => middle >= l.top && middle <= l.bottom);
      if (line) {
        line.left = Math.min(line.left, r.left);
        line.right = Math.max(line.right, r.right);
      } else {
        lines.push({top: r.top, bottom: r.bottom, left: r.left, right: r.right});
      }
    }
    const widest = Math.max(0, ...lines.map(l => l.right - l.left));
    if (lines.length >= 2 && widest < 1.6 * size) {
      out.cells.push(where(cell) + " «" + text.replace(/\s+/g, " ").slice(0, 20) + "» "
                     + lines.length + " lines, " + Math.round(cell.getBoundingClientRect().width) + " px wide");
    }
    if (out.cells.length >= 5) break;
  }
  const nav = document.querySelector("nav.navbar");
  if (nav) out.navbar = nav.getBoundingClientRect().height;
  return out;
}"""

LINKS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"


def url_name(path):
    if path.lstrip("/").startswith(SKIP_PREFIXES):
        return None
    try:
        return resolve(path).url_name
    except Resolver404:
        return None


def start_urls(county):
    """Every URL pattern filled with a record of the county's tree."""
    out = ["/"]
    for route, name in walk():
        if route.startswith(SKIP_PREFIXES) or name in NOT_PAGES:
            continue
        url = fill(route, county)
        if url is not None:
            out.append(url)
    return out


class Walker:
    def __init__(self, page, base_url, shots):
        self.page, self.base_url, self.shots = page, base_url, shots
        self.failures, self.seen, self.skipped = [], [], {}

    def login(self, username):
        self.page.goto(self.base_url + "/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "xiezuo-demo-2022")
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url, f"{username} could not sign in"

    def menu_opens(self):
        """At phone width the menu hides behind the toggler and opens on a tap."""
        page = self.page
        page.set_viewport_size(PHONE)
        page.goto(self.base_url + "/")
        link = page.locator("#main-menu a.nav-link").first
        assert not link.is_visible(), "the menu is open on a phone before any tap"
        page.click(".navbar-toggler")
        page.wait_for_selector("#main-menu.show:not(.collapsing)")  # opened, its animation over
        assert link.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.click(".navbar-toggler")
        link.wait_for(state="hidden")

    def open(self, path):
        """Open `path` at phone width; return False when it is no page of its own."""
        page = self.page
        # Asked first without the browser (same cookies): an error without a
        # body or a POST-only view would leave the browser on its own error
        # page, whose late navigation cuts into the next one.
        probe = page.request.get(self.base_url + path, max_redirects=0)
        kind = probe.headers.get("content-type", "")
        probe.dispose()
        if probe.status != 200 or "text/html" not in kind:
            self.skipped[path] = f"{probe.status} {kind}"
            return False
        page.set_viewport_size(PHONE)
        page.goto(self.base_url + path)
        if page.locator("[data-cards]").count():  # the dashboard draws from JSON: wait for it
            page.wait_for_selector("[data-cards] .indicator-card")
            page.wait_for_selector("[data-trend-table] table")
        return True

    def check(self, path, name):
        page = self.page
        phone = page.evaluate(MEASURE)
        if not phone["page"]:
            self.skipped[path] = "fragment"
            return False  # a fragment (htmx), not a page
        shot = self.shots / f"{len(self.seen):03d}-{name}.jpg"
        page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=70)
        self.seen.append(path)
        self.judge(path, 390, phone)
        if phone["navbar"] is not None and phone["navbar"] > NAVBAR_MAX:
            self.failures.append(f"{path} at 390 px: the header is {phone['navbar']:.0f} px high")
        page.set_viewport_size(LAPTOP)
        laptop = page.evaluate(MEASURE)
        self.judge(path, 1366, laptop)
        if laptop["navbar"] is not None and laptop["navbar"] > NAVBAR_MAX:
            self.failures.append(f"{path} at 1366 px: the header is {laptop['navbar']:.0f} px high")
        return True

    def judge(self, path, width, m):
        if m["scrollWidth"] > m["innerWidth"]:
            self.failures.append(f"{path} at {width} px: the page is {m['scrollWidth']} px wide; sticking out: "
                                 + "; ".join(m["wide"]))
        for cell in m["cells"]:
            self.failures.append(f"{path} at {width} px: a cell one character a line: {cell}")

    def links(self):
        out = []
        for href in self.page.evaluate(LINKS):
            parts = urlsplit(urljoin(self.page.url, href))
            if self.base_url.endswith(parts.netloc) and parts.scheme.startswith("http"):
                out.append(parts.path)
        return out

    def walk(self, urls):
        """Open `urls`, then the links found on them, one page per URL name."""
        done, tried, queue = set(), set(), list(urls)
        while queue:
            path = queue.pop(0)
            name = url_name(path)
            if name is None or name in NOT_PAGES or name in done or path in tried:
                continue
            tried.add(path)
            assert len(tried) <= MAX_PAGES, f"more than {MAX_PAGES} pages: the crawl ran away"
            if self.open(path) and self.check(path, name):
                done.add(name)
                queue.extend(self.links())
        return done


# What each walk must have reached: proof that it saw the role's pages and
# not only error pages.
MUST_REACH = {
    None: {"login", "disclosure_index", "disclosure"},
    "huangyuan": {"home", "pairing_detail", "project_list", "project_detail", "project_create", "dashboard",
                  "self_evaluation", "ledger_index", "account_index", "labour_person_detail"},
    "liuhe": {"home", "pairing_detail", "project_detail", "receipt_create", "dashboard", "self_evaluation",
              "ledger_index", "account_index", "consumption_sales"},
    "yiyuan": {"home", "pairing_detail", "project_list", "project_detail", "project_progress"},
    "lingdao": {"home", "pairing_detail", "project_detail", "dashboard", "self_evaluation", "rollup"},
    "shenji": {"home", "pairing_detail", "project_detail", "dashboard", "audit_list", "procurement_findings"},
}


@pytest.mark.parametrize("role", list(MUST_REACH), ids=lambda role: role or "anonymous")
def test_every_page_fits_a_phone_and_a_laptop(role, browser, live_server, transactional_demo, tmp_path):
    """Anonymous visitors, or one role of the county pair: a browser context
    of its own, every page at 390 and 1366 px. One test per role, so that
    the suite's workers share the walks."""
    county = Pairing.objects.get(level="county", east_region__name="六合区", west_region__name="湟源县")
    must, who = MUST_REACH[role], role or "anonymous"
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    walker = Walker(context.new_page(), live_server.url, tmp_path / who)
    walker.shots.mkdir()
    try:
        if role is None:
            names = walker.walk(PUBLIC)
        else:
            assert User.objects.get(username=role).memberships.filter(pairing=county).exists()
            walker.login(role)
            walker.menu_opens()
            names = walker.walk(start_urls(county))
    finally:
        context.close()
    print(f"{who}: {len(walker.seen)} pages, screenshots in {walker.shots}")
    assert must <= names, f"{who} never reached {sorted(must - names)}: {walker.skipped}"
    assert role is None or len(walker.seen) >= 40, (who, walker.seen)
    assert not walker.failures, f"{len(walker.failures)} problems (screenshots in {tmp_path}):\n" + "\n".join(
        f"{who}: {f}" for f in walker.failures)
