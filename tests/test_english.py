"""English on request, complete: nothing a reader sees stays Chinese.

Three checks (docs/modules/front.md, "Translation"):

1. the source: every Chinese string constant in the Python under xiezuo/
   and lib/ is inside a gettext call, except in the modules and places
   listed below whose Chinese is data (official documents, stored records,
   vocabulary the importers and the checker match);
2. the catalogue: every message has its English (tests/test_project.py);
3. the pages: an eastern office user who chose English sees no Chinese
   character on a representative set of pages, apart from data values
   (names of regions, organisations, projects: marked lang="zh" or held in
   the database).
"""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from xiezuo.funds.models import Project
from xiezuo.notices.models import Notice

from .checklist import login

ROOT = Path(__file__).resolve().parent.parent
IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy",
           "npgettext", "npgettext_lazy", "gettext_noop"}

# Modules whose Chinese is data, with the reason. Keep it narrow: a module
# that shows its own words on a page does not belong here.
DATA_MODULES = {
    # Demo data: names of people, places, projects written as the offices write them.
    "xiezuo/demo.py": "demo data",
    "xiezuo/funds/demo.py": "demo data",
    "xiezuo/industry/demo.py": "demo data",
    "xiezuo/labour/demo.py": "demo data",
    "xiezuo/pairings/demo.py": "demo data",
    "xiezuo/procurement/demo.py": "demo data",
    "xiezuo/consumption/demo.py": "demo data",
    "xiezuo/rectification/demo.py": "demo data",
    "xiezuo/assets/demo.py": "demo data",
    "xiezuo/notices/demo.py": "demo data",
    # Official Chinese ledger files: column headers, the header and value
    # aliases matched in uploaded files, and the cell messages that quote them.
    "xiezuo/ledgers/specs/": "ledger headers and import aliases",
    "xiezuo/ledgers/columns.py": "ledger cell parsing: Chinese values and units",
    "xiezuo/ledgers/importer.py": "header aliases and messages quoting Chinese headers",
    "xiezuo/ledgers/legacy.py": "header aliases of old ledger layouts",
    "xiezuo/ledgers/legacy_child.py": "header aliases of old ledger layouts",
    "xiezuo/ledgers/safety.py": "messages quoting Chinese headers of uploaded files",
    "xiezuo/ledgers/chunks.py": "messages quoting Chinese headers of uploaded files",
    "xiezuo/ledgers/writing.py": "messages quoting Chinese headers of uploaded files",
    "xiezuo/ledgers/bulk.py": "messages quoting Chinese headers of uploaded files",
    "xiezuo/ledgers/spec.py": "messages quoting Chinese headers of uploaded files",
    "xiezuo/ledgers/services.py": "messages quoting Chinese headers of uploaded files",
    "xiezuo/consumption/listing.py": "ledger headers of the sales list export",
    # Official documents (.docx reports and briefings) and published data.
    "xiezuo/assessment/reports.py": ".docx report body",
    "xiezuo/assessment/narrative.py": ".docx report body",
    "xiezuo/assessment/iati.py": "published IATI data, Chinese narratives",
    "xiezuo/procurement/ocds.py": "published OCDS data",
    # Stored records: audit events and red-flag findings keep the words they were written with.
    "xiezuo/audit/management/": "command line (chain verification)",
    "xiezuo/audit/models.py": "audit events: stored text and the chain check's report",
    "xiezuo/procurement/rules.py": "red-flag findings: stored explanations",
    # Vocabulary the text checker matches in Chinese documents.
    "xiezuo/crosscheck/services.py": "vocabulary of Chinese texts",
    # The 信息简报 is an official Chinese document (like the 自评报告): its
    # sentences and the sources its closing note names are written in Chinese.
    "xiezuo/crosscheck/briefing.py": ".docx briefing body",
    "xiezuo/crosscheck/periods.py": "sources named in the briefing's closing note",
    # Region names and the shapes of Chinese numbers, dates and IDs.
    "xiezuo/pairings/management/commands/load_regions.py": "region names",
    "lib/money.py": "Chinese numerals and money units",
    "lib/dates.py": "Chinese date forms",
    "lib/ids.py": "ID number forms",
    "lib/pii.py": "names of personal-data columns in Chinese files",
    # Command-line output for operators on the server (not the web pages).
    "xiezuo/accounts/management/": "command line",
    "xiezuo/assessment/management/": "command line",
    "xiezuo/consumption/management/": "command line",
    "xiezuo/crosscheck/management/": "command line",
    "xiezuo/front/management/": "command line",
    "xiezuo/ledgers/management/": "command line",
    "xiezuo/front/backup.py": "command line (backup and restore)",
}

# Names (top-level assignments or functions) of a module whose Chinese is
# data, with the reason.
DATA_NAMES = {
    # The API reference (OpenAPI: tags, descriptions of errors and parameters)
    # is documentation for the offices' integrators, written in Chinese.
    "xiezuo/api.py": {"ERROR_RESPONSES": "API reference", "api": "API reference"},
    "xiezuo/api_helpers.py": {"IF_MATCH": "API reference"},
    "xiezuo/api_types.py": {"year_query": "API reference", "page_query": "API reference",
                            "limit_query": "API reference"},
    **{f"xiezuo/{app}/api.py": {"router": "API reference (tag)"}
       for app in ("assessment", "consumption", "crosscheck", "funds", "industry", "labour", "pairings", "procurement")},
    # Codes stored in the database that happen to be Chinese words.
    "xiezuo/assessment/models.py": {"SelfEvaluation.grade": "rating codes (the labels are translated)",
                                    "default_title": ".docx report title"},
    "xiezuo/labour/models.py": {"Person.GENDERS": "gender codes (the labels are translated)",
                                "paired_province_names": "region name suffixes"},
    # The shared sales channels are seeded rows: their names are data.
    "xiezuo/consumption/models.py": {"Channel.SHARED": "seeded channel names"},
    "xiezuo/industry/services.py": {"status_note": "progress note: a stored record"},
    "xiezuo/notices/document.py": {"draft_content": "a notice's stored text, copied from the project (data)"},
    "xiezuo/labour/services.py": {"reveal": "audit text of a personal-data view",
                                  "ROSTER_HEADER": "the roster file (a Chinese document)",
                                  "roster_rows": "the roster file (a Chinese document)",
                                  "roster_csv_response": "the roster file and its audit text"},
    "xiezuo/ledgers/jobs.py": {"execute": "the import job's stored error text"},
    "xiezuo/ledgers/views.py": {"_xlsx_response": "file name of the Chinese ledger template"},
    "xiezuo/procurement/views.py": {"ruleset_create": "stored note of a rule set version"},
    "xiezuo/procurement/models.py": {"_ACCOUNT_IN_TEXT": "matches the stored (Chinese) text of old findings"},
    "xiezuo/pairings/services.py": {"load_regions_csv": "region list files (Chinese), read by a command",
                                   "flag_832": "region list files (Chinese), read by a command", "YES": "region list files", "NO": "region list files"},
    "xiezuo/settings.py": {"LANGUAGES": "each language is named in itself"},
    "lib/exports.py": {"csv_cell": "cells of Chinese files"},
    # 元 and 万元 are the money units the offices write (the switch beside a
    # money box posts them as values).
    "xiezuo/front/forms.py": {"MONEY_UNITS": "money units", "MoneyInput": "money units",
                              "_without_unit": "money unit in a label", "MoneyField.to_python": "money units"},
    # Units matched in Chinese texts.
    "xiezuo/crosscheck/models.py": {"AMOUNT_UNIT": "unit matched in texts", "MONEY_UNITS": "units matched in texts"},
}
# Keyword arguments that are API reference text (see DATA_NAMES).
API_REFERENCE_KEYWORDS = {"description", "summary", "tags"}

# Calls whose text is stored as a record (audit events), and functions whose
# text names a record (__str__ is also written into audit events).
RECORD_CALLS = {"record", "record_for", "record_workflow", "admin_event", "audit", "tracked"}
RECORD_FUNCTIONS = {"__str__"}


def _name(func):
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def untranslated(source, names=()):
    """Return (line, text) of the Chinese string constants of a module that
    reach readers untranslated: not in a gettext call, not a docstring, not a
    dict key or a value compared with (data), not a record's stored text."""
    tree = ast.parse(source)
    found = []

    def visit(node, skip, prefix=""):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # the docstring
            name = getattr(node, "name", None)
            skip = skip or name in RECORD_FUNCTIONS or f"{prefix}{name}" in names
            inner = f"{prefix}{name}." if isinstance(node, ast.ClassDef) else prefix
            for child in body:
                visit(child, skip, inner)
            for child in getattr(node, "decorator_list", []):
                visit(child, skip, prefix)
            return
        if isinstance(node, ast.Call) and (_name(node.func) in GETTEXT or _name(node.func) in RECORD_CALLS):
            return
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and f"{prefix}{t.id}" in names
                                                for t in node.targets):
            return
        if isinstance(node, ast.keyword) and node.arg in API_REFERENCE_KEYWORDS:
            return
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            if IDEOGRAPH.search(text):
                if not skip:
                    found.append((node.lineno, text))
                return
        if isinstance(node, ast.Compare):
            return
        if isinstance(node, ast.Dict):
            for value in node.values:
                visit(value, skip, prefix)
            return
        if isinstance(node, ast.Subscript):
            visit(node.value, skip, prefix)
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and IDEOGRAPH.search(node.value):
            if not skip:
                found.append((node.lineno, node.value))
            return
        for child in ast.iter_child_nodes(node):
            visit(child, skip, prefix)

    visit(tree, False)
    return found


def _modules():
    for base in ("xiezuo", "lib"):
        for path in sorted((ROOT / base).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or any(rel.startswith(m) for m in DATA_MODULES):
                continue
            yield rel, path


def test_the_scan_finds_untranslated_strings_and_leaves_data_alone():
    source = '''
"""模块说明"""
from django.utils.translation import gettext as _
LABEL = "未翻译"
OK = _("已翻译")
def f(x):
    """函数说明"""
    if x == "比较值":
        return {"键": _("值")}["键"]
    record("update", summary=f"修改{x}")
    return f"共{x}人"
class A:
    def __str__(self):
        return f"{self}年"
'''
    assert [text for _, text in untranslated(source)] == ["未翻译", "共{}人"]
    assert [text for _, text in untranslated(source, {"LABEL"})] == ["共{}人"]


def test_every_chinese_string_shown_to_readers_is_translated():
    missing = [f"{rel}:{line}: {text!r}" for rel, path in _modules()
               for line, text in untranslated(path.read_text(), DATA_NAMES.get(rel, {}))]
    assert missing == []


def test_the_data_modules_exist():
    """An allowlist entry for a module that is gone would hide a new one."""
    for module in [*DATA_MODULES, *DATA_NAMES]:
        assert (ROOT / module).exists(), module
    for module, names in DATA_NAMES.items():
        tree = ast.parse((ROOT / module).read_text())
        defined = set()
        for node in tree.body:
            inner = node.body if isinstance(node, ast.ClassDef) else []
            prefix = f"{node.name}." if isinstance(node, ast.ClassDef) else ""
            for n in [node, *inner]:
                p = "" if n is node else prefix
                if isinstance(n, ast.Assign):
                    defined |= {p + t.id for t in n.targets if isinstance(t, ast.Name)}
                elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                    defined.add(p + n.name)
        assert set(names) <= defined, (module, set(names) - defined)


# --- 3. the pages -------------------------------------------------------------

# Money and dates are written the offices' way in both languages (lib.money,
# lib.dates): 4,300万元, 12.50元, 2022年6月26日.
NOTATION = re.compile(r"[\d,.]+\s*(?:亿元|万元|元|万)|\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日")
# Data the pages show as stored: names of regions, organisations, projects,
# products, people (audit summaries are stored text too: the audit page marks
# them lang="zh").
RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


class Visible(HTMLParser):
    """The text a reader sees, less code and elements marked lang="zh" (data)."""

    HIDDEN = {"script", "style", "code", "pre", "template", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        hidden = tag in self.HIDDEN or dict(attrs).get("lang", "").startswith("zh")
        self.stack.append((tag, hidden or bool(self.stack and self.stack[-1][1])))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)


def visible_text(html):
    parser = Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def data_runs():
    """Every run of Chinese characters held in the database's text (stored
    report texts included), as shown and with money and dates taken out."""
    runs = set()
    kinds = (models.CharField, models.TextField, models.JSONField)
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "admin", "contenttypes", "auth") or model._meta.label == "assessment.FiguresCache":
            continue
        fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]
        if model._meta.label == "audit.AuditEvent":
            fields = ["actor_name", "before", "after"]  # records' values; the summary is marked lang="zh"
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for text in _strings(list(row)):
                runs.update(RUN.findall(text))
                runs.update(RUN.findall(NOTATION.sub(" ", text)))
    return runs


def chinese_left(text, data):
    """The runs of Chinese characters of a page that are not data."""
    return {run for run in RUN.findall(NOTATION.sub(" ", text)) if run not in data}


def test_chinese_left_skips_data_notation_and_marked_elements():
    text = visible_text('<p>Project 六合区 4,300万元 2022年6月26日 <span lang="zh">标记</span> 状态</p>')
    assert chinese_left(text, {"六合区"}) == {"状态"}


def english(role):
    client = login(role)
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert r.status_code == 302 and client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    return client


@pytest.mark.django_db
def test_an_office_that_chose_english_reads_english(county):
    client = english("liuhe")
    project = Project.objects.filter(pairing=county).first()
    pages = [
        "/",
        reverse("assessment:dashboard", args=[county.pk]),
        reverse("assessment:self_evaluations", args=[county.pk]),
        reverse("project_list", args=[county.pk]),
        reverse("project_create", args=[county.pk]),
        reverse("project_detail", args=[project.pk]),
        reverse("receipt_list", args=[county.pk]),
        reverse("receipt_create", args=[county.pk]),
        reverse("consumption_sales", args=[county.pk]),
        reverse("labour_employment_list", args=[county.pk]),
        reverse("ledger_index", args=[county.pk]),
        reverse("procurement_rules", args=[county.pk]),
        reverse("procurement_findings", args=[county.pk]),
        reverse("notice_list", args=[county.pk]),
        reverse("notice_detail", args=[Notice.objects.filter(pairing=county, feedback__isnull=False).first().pk]),
    ]
    year = Project.objects.filter(pairing=county).values_list("year", flat=True).first()
    pages.append(reverse("assessment:self_evaluation_year", args=[county.pk, year]))
    data = data_runs()
    found = {}
    admin = english("admin")
    for url in [*pages, reverse("audit_list")]:
        r = (admin if url == reverse("audit_list") else client).get(url, follow=True)
        assert r.status_code == 200, url
        assert r.headers["Content-Language"] == "en", url
        left = chinese_left(visible_text(r.content.decode()), data)
        if left:
            found[url] = sorted(left)
    assert found == {}, "\n".join(f"{url}: {runs}" for url, runs in found.items())


def headings(html):
    return [h.strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]


@pytest.mark.django_db
def test_units_of_measure_read_unit_not_organisations(county):
    """Issue 20: 单位 as a unit of measure read "Organisations" in English."""
    client = english("liuhe")
    year = Project.objects.filter(pairing=county).values_list("year", flat=True).first()
    project = Project.objects.filter(pairing=county).first()
    pages = [reverse("project_progress", args=[project.pk]),
             reverse("assessment:cross_check", args=[county.pk, year]),
             reverse("consumption_products", args=[county.pk])]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        shown = headings(r.content.decode())
        assert "Unit" in shown and "Organisations" not in shown, (url, shown)
    # The same words in Chinese: 单位 (unit) and 计量单位 both.
    r = login("liuhe").get(pages[0])
    assert "单位" in headings(r.content.decode())
    # A form label read from the model: the beneficiaries' unit and the indicator's.
    from xiezuo.assessment.models import Indicator
    from xiezuo.funds.models import ProjectBeneficiary, ProjectOutput
    from django.utils import translation
    with translation.override("en"):
        assert str(ProjectOutput._meta.get_field("unit").verbose_name) == "Unit"
        assert str(Indicator._meta.get_field("unit").verbose_name) == "Unit"
        assert str(ProjectBeneficiary.UNITS["farmers"]) == "households"
