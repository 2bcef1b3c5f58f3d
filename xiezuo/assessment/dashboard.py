"""The JSON behind the dashboards: charts as tables, drill-down links.

Every chart is built from the figures (one cached dict per pairing-year)
as a table — columns and rows — that the page draws with ECharts and also
prints as an HTML table. Sections of modules not installed yet give empty
tables, never errors.
"""

import functools
import json
import re
from decimal import Decimal, InvalidOperation
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.translation import get_language, gettext, gettext_noop, pgettext

from lib.chinese import in_chinese
from lib.money import yuan_str

from . import services
from .computations import lookup

# chart key, title, figures path, first column label, value label, list pages to link, row filter parameter
CHARTS = [
    ("funds_by_category", gettext_noop("项目资金按类别"), "funds.funds_by_category", gettext_noop("类别"), gettext_noop("协作资金（元）"),
     ["funds:project_list", "project_list", "funds_project_list"], "category"),
    ("projects_by_status", gettext_noop("项目按状态"), "funds.projects_by_status", gettext_noop("状态"), gettext_noop("项目数"),
     ["funds:project_list", "project_list", "funds_project_list"], "status"),
    ("consumption_by_channel", gettext_noop("消费帮扶按渠道"), "consumption.by_channel", gettext_noop("渠道"), gettext_noop("金额（元）"),
     ["consumption_sales", "consumption:sale_list", "sale_list"], "channel"),
    ("consumption_by_month", gettext_noop("消费帮扶按月份"), "consumption.by_month", gettext_noop("月份"), gettext_noop("金额（元）"),
     ["consumption_sales", "consumption:sale_list", "sale_list"], None),
    ("top_buyers", gettext_noop("采购金额前列的单位"), "consumption.top_buyers", gettext_noop("采购单位"), gettext_noop("金额（元）"),
     ["consumption_sales", "consumption:sale_list", "sale_list"], "buyer"),
    ("top_products", gettext_noop("销售金额前列的产品"), "consumption.top_products", gettext_noop("产品"), gettext_noop("金额（元）"),
     ["consumption_sales", "consumption:sale_list", "sale_list"], "product"),
    ("labour_by_destination", gettext_noop("就业按去向"), "labour.by_destination", gettext_noop("就业去向"), gettext_noop("人数"),
     ["labour_employment_list", "labour:employment_list", "employment_list"], "destination"),
    ("labour_by_form", gettext_noop("就业按形式"), "labour.by_form", gettext_noop("就业形式"), gettext_noop("人数"),
     ["labour_employment_list", "labour:employment_list", "employment_list"], "form"),
    ("talent_by_kind", gettext_noop("人才交流按类别"), "talent.by_kind", gettext_noop("类别"), gettext_noop("人次"),
     ["labour_talent_list", "labour:talent_list", "talent_list"], "kind"),
    ("talent_by_direction", gettext_noop("人才交流按方向"), "talent.by_direction", gettext_noop("方向"), gettext_noop("人次"),
     ["labour_talent_list", "labour:talent_list", "talent_list"], "direction"),
    ("procurement_findings", gettext_noop("招投标监督预警（按严重程度）"), "procurement.findings", gettext_noop("严重程度"), gettext_noop("条数"),
     ["procurement_findings", "procurement:finding_list", "finding_list"], "severity"),
    ("procurement_by_method", gettext_noop("招标采购按方式"), "procurement.by_method", gettext_noop("采购方式"), gettext_noop("项目数"),
     ["procurement_tenders", "procurement:tender_list", "tender_list"], "method"),
    ("beneficiaries", gettext_noop("项目受益对象"), "funds.beneficiaries", gettext_noop("受益对象"), gettext_noop("数量"),
     ["funds:project_list", "project_list", "funds_project_list"], None),
]

# Figures sections and the list page behind each, for indicator cards.
SECTION_PAGES = {
    "funds": ["funds_overview", "funds:project_list", "project_list"],
    "procurement": ["procurement_tenders", "procurement:tender_list", "tender_list"],
    "consumption": ["consumption_sales", "consumption:sale_list", "sale_list"],
    "labour": ["labour_employment_list", "labour:employment_list", "employment_list"],
    "talent": ["labour_talent_list", "labour:talent_list", "talent_list"],
    "industry": ["industry_investments_list", "industry:enterprise_list", "enterprise_list"],
    "exchanges": ["industry_visits_list", "industry:visit_list", "visit_list"],
}

# The ledger page behind an indicator card, by the card's computation: (list
# pages to try, filters that make the number). The card opens the ledger
# filtered to the card's year, and the page states the same figure
# (templatetags/dashboard_figures.py). Computations not named here fall
# back to their section's page (SECTION_PAGES).
CARD_PAGES = {
    "funds.fiscal_received": (["receipt_list"], {"kind": "fiscal_received"}),
    "funds.social_received": (["receipt_list"], {"kind": "social_received"}),
    "funds.execution_rate": (["disbursement_list"], {"status": "confirmed"}),
    "funds.projects": (["project_list"], {"counted": "1"}),
    "talent.cadres": (["labour_talent_list"], {"count": "in_post", "kind": "cadre"}),
    "talent.cadres_e2w": (["labour_talent_list"], {"count": "in_post", "kind": "cadre", "direction": "e2w"}),
    "talent.cadres_w2e": (["labour_talent_list"], {"count": "in_post", "kind": "cadre", "direction": "w2e"}),
    "talent.professionals": (["labour_talent_list"], {"count": "in_post", "kind": "professional"}),
    "talent.professionals_e2w": (["labour_talent_list"], {"count": "in_post", "kind": "professional",
                                                           "direction": "e2w"}),
    "talent.professionals_w2e": (["labour_talent_list"], {"count": "in_post", "kind": "professional",
                                                           "direction": "w2e"}),
    "industry.parks": (["industry_parks_list"], {"counted": "industry.parks"}),
    "industry.enterprises_invested": (["industry_investments_list"], {"counted": "industry.enterprises_invested"}),
    "industry.paired_villages": (["pairing_detail"], {}),
    "industry.workshops": (["industry_workshops_list"], {"counted": "industry.workshops"}),
    "industry.park_enterprises": (["industry_investments_list"], {"counted": "industry.park_enterprises"}),
    "industry.demo_villages": (["industry_villages_list"], {"counted": "industry.demo_villages"}),
    "labour.cadre_trainees": (["labour_class_list"], {"audience": "cadre"}),
    "labour.professional_trainees": (["labour_class_list"], {"audience": "professional"}),
    "pairing.coverage_total": (["pairing_detail"], {}),
    "funds.poverty_led": (["project_list"], {"counted": "started"}),
    "consumption.total": (["consumption_sales"], {}),
    "labour.employed": (["labour_employment_list"], {}),
    "labour.trainees": (["labour_class_list"], {"audience": "labour"}),
    "exchanges.leader_visits": (["industry_visits_list"],
                                {"kind": "leader_visit", "counted": "exchanges.leader_visits"}),
    "exchanges.joint_meetings": (["industry_visits_list"],
                                 {"kind": "joint_meeting", "counted": "exchanges.joint_meetings"}),
}


def card_link(computation, pairing_id, year):
    """Return the ledger page of an indicator card, filtered to the year."""
    pages, params = CARD_PAGES.get(computation) or (SECTION_PAGES.get(computation.split(".")[0], []), {})
    return link(pages, pairing_id, year=year, **params)


# Headline figures of the multi-year trend: (label, path, kind). The trends
# endpoint computes every year of them at once, grouped by year
# (`xiezuo.figures.headline_by_year`); the roll-up's per-county headline
# reads them from each county's figures.
TREND = [
    (gettext_noop("到位资金（元）"), "funds.received", "amount"),
    (gettext_noop("已拨付（元）"), "funds.disbursed", "amount"),
    (gettext_noop("项目个数"), "funds.projects", "count"),
    (gettext_noop("消费帮扶（元）"), "consumption.total", "amount"),
    (gettext_noop("就业人数"), "labour.employed", "count"),
    (gettext_noop("培训人次"), "labour.trainees", "count"),
    (gettext_noop("人才交流人次"), "talent.person_times", "count"),
    (gettext_noop("引导企业投资（家）"), "industry.enterprises_invested", "count"),
]
TREND_PATHS = [path for _, path, _ in TREND]


PARTS = re.compile(r"^(.+)（(.+)）$")


def translated(data):
    """The stored payload in the reader's language.

    The payload is computed once for every reader and keeps its labels in
    Chinese (marked gettext_noop here, or choices read in Chinese); each
    label is translated when it is served. Names that are data (regions,
    organisations, products) have no translation and stay as they are; a
    "label（unit）" is translated part by part."""
    if isinstance(data, dict):
        return {k: v if k in ("source", "link", "href", "path", "key") else translated(v) for k, v in data.items()}
    if isinstance(data, list):
        return [translated(v) for v in data]
    if isinstance(data, str) and data:
        text = gettext(data)
        if text == data and (m := PARTS.match(data)):
            label, unit = gettext(m.group(1)), pgettext("unit of measure", m.group(2))
            if label != m.group(1):
                return f"{label} ({unit})"
        return text
    return data


def reader_text(pairing, year):
    """The payload as JSON text in the reader's language (the stored text
    itself when that is Chinese)."""
    text = payload_text(pairing, year)
    if get_language() == settings.LANGUAGE_CODE:
        return text
    payload = translated(json.loads(text))
    # The health alerts are sentences made of dates and figures: made again
    # in the reader's language (they are read live, like the stored ones).
    live = alert_rows(services.subtree_ids([pairing])[pairing.pk], year)
    payload["alerts"] = live + [a for a in payload.get("alerts", []) if "project" not in a]
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False)


# The asset classes of the `assets` section, as the chart labels them.
ASSET_KINDS = (("operating", gettext_noop("经营性")), ("public", gettext_noop("公益性")),
               ("household", gettext_noop("到户类")))


@functools.lru_cache(maxsize=4096)
def _first_url(names, pairing_id, language, prefix, urlconf):
    # A dashboard links some hundred list pages, each reversed from its name
    # (about a tenth of building it after an edit): the URLs only change
    # with the pairing, the language, the script prefix (a deployment under
    # a sub-path) and the URLconf, so each is reversed once.
    for name in names:
        try:
            return reverse(name, args=[pairing_id])
        except NoReverseMatch:
            continue
    return None


def link(names, pairing_id, **params):
    """Return the URL of the first list page that exists, with a query string."""
    url = _first_url(tuple(names), pairing_id, get_language(), get_script_prefix(), get_urlconf())
    if url is None:
        return None
    query = "&".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    return f"{url}?{query}" if query else url


def _scalar(value):
    if isinstance(value, dict):
        for key in ("amount", "total", "count", "value", "projects", "n"):
            if key in value:
                return value[key]
    return value


def to_table(value, first_label, value_label):
    """Turn a figures breakdown (a dict by key, a dict of dicts or a list of
    dicts) into {"columns": [...], "rows": [[...]]}."""
    if isinstance(value, dict):
        if value and all(isinstance(v, dict) for v in value.values()):
            inner = []
            for v in value.values():
                inner += [k for k in v if k not in inner]
            return {"columns": [first_label, *inner],
                    "rows": [[k, *[v.get(c) for c in inner]] for k, v in value.items()]}
        return {"columns": [first_label, value_label], "rows": [[k, _scalar(v)] for k, v in value.items()]}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        # A list of records: the label is the name (or month), the values
        # are the amounts and counts; ids and codes only feed the links.
        keys = []
        for row in value:
            keys += [k for k in row if k not in keys]
        label = next((k for k in LABEL_KEYS if k in keys), keys[0])
        values = [k for k in keys if k != label and k not in HIDDEN_KEYS and _numeric(value, k)]
        return {"columns": [first_label, *[VALUE_NAMES.get(k, k) for k in values]],
                "rows": [[row.get(label), *[row.get(k) for k in values]] for row in value],
                "keys": [row.get("id", row.get(label)) for row in value]}
    if isinstance(value, list):
        return {"columns": [first_label, value_label], "rows": [list(r) for r in value if isinstance(r, (list, tuple))]}
    return {"columns": [first_label, value_label], "rows": []}


LABEL_KEYS = ("name", "label", "title", "month")
HIDDEN_KEYS = {"id", "pk", "code", "kind"}
VALUE_NAMES = {"amount": gettext_noop("金额（元）"), "count": gettext_noop("笔数"), "n": gettext_noop("数量"), "total": gettext_noop("合计")}


def _numeric(rows, key):
    return all(isinstance(r.get(key), (int, float)) or _number(r.get(key)) is not None
               for r in rows if r.get(key) is not None)


def _number(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def disbursement_progress(figures, pairing_ids, year, parts=None):
    """Return the 资金支出进度 table: month, disbursed in the month,
    cumulative, cumulative share of the cash received (捐物折款 funds no
    project: the same base as the execution rate)."""
    from xiezuo.funds.figures import execution_base

    received = _number(lookup(figures, f"funds.{execution_base()}"))
    monthly = lookup(figures, "funds.disbursed_by_month")
    by_month = {}
    if isinstance(monthly, dict):
        for k, v in monthly.items():
            try:
                by_month[int(str(k)[-2:])] = _number(_scalar(v)) or Decimal(0)
            except ValueError:
                continue
    else:
        rows = part(parts, "disbursed_by_month", pairing_ids, year)
        by_month = None if rows is None else {month: Decimal(amount) for month, amount in rows}
    if by_month is None:
        return {"columns": [gettext_noop("月份"), gettext_noop("当月拨付（元）"), gettext_noop("累计拨付（元）"), gettext_noop("支出进度（%）")], "rows": [], "available": False}
    rows, running = [], Decimal(0)
    # The months of the year, and later months while the year's projects
    # are still paying out.
    for n in range(1, max([12, *by_month]) + 1):
        amount = by_month.get(n, Decimal(0))
        running += amount
        rate = services.completion(running, received) if received else None
        label = f"{year + (n - 1) // 12}-{(n - 1) % 12 + 1:02d}"
        rows.append([label, yuan_str(amount), yuan_str(running), services.serialise(rate, "rate")])
    return {"columns": [gettext_noop("月份"), gettext_noop("当月拨付（元）"), gettext_noop("累计拨付（元）"), gettext_noop("支出进度（%）")], "rows": rows, "available": True}


def _disbursements_by_month(pairing_ids, year):
    """Sum the confirmed disbursements of the year's projects by month of
    payment, straight from the funds ledger (one query), or None while the
    ledger has no disbursements. Like the funds figures, a year's
    disbursements are those of its projects, so the last month's cumulative
    share equals the year's execution rate."""
    try:
        model = apps.get_model("funds", "Disbursement")
    except LookupError:
        return None
    fields = {f.name for f in model._meta.get_fields()}
    qs = model.objects.filter(project__pairing_id__in=pairing_ids, project__year=year)
    if "status" in fields:
        qs = qs.filter(status="confirmed")
    qs = qs.annotate(y=ExtractYear("date"), m=ExtractMonth("date")).values("y", "m").annotate(s=Sum("amount"))
    return {(row["y"] - year) * 12 + row["m"]: row["s"] or Decimal(0) for row in qs.order_by("y", "m")}


def alert_rows(pairing_ids, year):
    """Return the health alerts of the year's projects (funds health rules),
    a fixed number of queries; [] while the funds module has none."""
    try:
        from xiezuo.funds import health
        from xiezuo.funds.models import Project
    except ImportError:
        return []
    projects = Project.objects.filter(pairing_id__in=pairing_ids, year=year)
    return [a.as_dict() for a in health.alerts(projects)]


def _monthly_disbursed(pairing_ids, year):
    found = _disbursements_by_month(pairing_ids, year)
    return None if found is None else [[month, str(amount)] for month, amount in found.items()]


# Parts of the dashboard read from the ledgers, not from the figures: name ->
# (the sections whose reads cover every table the part reads, its maker).
# Kept in the cache entry while none of those sections is recomputed
# (services.kept_parts): after an edit of a sale the funds rules do not run
# again. tests/assessment/test_precise_cache.py checks the declarations.
LEDGER_PARTS = {
    "alerts": (("funds", "assets"), alert_rows),
    "disbursed_by_month": (("funds",), _monthly_disbursed),
}


def part(parts, name, pairing_ids, year):
    """Return a dashboard part: from `parts` (a cache entry's, filled in when
    made) or made now. Always as JSON gives it back, so a kept part and a new
    one build the same dashboard."""
    if parts is not None and name in parts:
        return parts[name]["value"]
    sections, make = LEDGER_PARTS[name]
    value = json.loads(json.dumps(make(pairing_ids, year), cls=DjangoJSONEncoder))
    if parts is not None:
        parts[name] = {"sections": list(sections), "value": value}
    return value


def health_alerts(figures, pairing_ids=None, year=None, parts=None):
    """Collect health alerts: the funds module's rules over the year's
    projects, and any `alerts`/`health` list a section publishes."""
    found = list(part(parts, "alerts", pairing_ids, year)) if pairing_ids else []
    for name, section in figures.items():
        if not isinstance(section, dict):
            continue
        for key in ("alerts", "health", "health_alerts"):
            value = section.get(key)
            if isinstance(value, list):
                found += [a if isinstance(a, dict) else {"message": str(a)} for a in value]
            elif isinstance(value, dict):
                found += [{"rule": k, "count": v} for k, v in value.items()]
    return found


def rectification_alerts(figures, href, year):
    """One warning when tasks were past their deadline and not closed on
    the year's reading day (the `rectification` section)."""
    overdue = lookup(figures, "rectification.overdue")
    if not overdue:
        return []
    return [{"rule": "rectification_overdue", "severity": "warning", "severity_display": gettext_noop("警告"),
             "href": f"{href.split('?')[0]}?year=&open_in={year}&overdue=1" if href else "", "project_name": gettext_noop("问题整改"),
             "message": gettext("%(n)s项整改任务逾期未销号") % {"n": overdue}}]


def _choices(module, path):
    """Return dict(choices) found at `path` ("Model.ATTR" or "ATTR") in a
    module, or {} while that module is not installed."""
    try:
        target = import_module(module)
        for part in path.split("."):
            target = getattr(target, part)
        # The stored dashboard is shared by every reader: its labels are
        # kept in Chinese (the labels themselves are lazy translations).
        return {code: in_chinese(label) for code, label in dict(target).items()}
    except (ImportError, AttributeError, TypeError, ValueError):
        return {}


def labellers():
    """Return {chart key: function(keys) -> {key: (label, filter value)}}:
    figures are keyed by codes, screens show names and lists filter by the
    values their filters take."""

    def categories(keys):
        try:
            model = apps.get_model("funds", "ProjectCategory")
        except LookupError:
            return {}
        return {code: (name, pk) for code, name, pk in model.objects.filter(code__in=keys).values_list("code", "name", "pk")}

    def static(module, path):
        return lambda keys: {k: (v, k) for k, v in _choices(module, path).items()}

    def beneficiaries(keys):
        # Counts of different kinds are in different units: 人, 所, 户, 人次.
        units = _choices("xiezuo.funds.models", "ProjectBeneficiary.UNITS")
        return {k: (f"{v}（{units.get(k, gettext_noop('个'))}）", k)
                for k, v in _choices("xiezuo.funds.models", "ProjectBeneficiary.KINDS").items()}

    return {
        "funds_by_category": categories,
        "projects_by_status": static("xiezuo.funds.models", "Project.STATUSES"),
        "beneficiaries": beneficiaries,
        "labour_by_destination": static("xiezuo.labour.models", "Employment.DESTINATIONS"),
        "labour_by_form": static("xiezuo.labour.models", "Employment.FORMS"),
        "talent_by_kind": static("xiezuo.labour.models", "TalentExchange.KINDS"),
        "talent_by_direction": static("xiezuo.labour.models", "TalentExchange.DIRECTIONS"),
        "procurement_findings": static("xiezuo.procurement.models", "SEVERITIES"),
        "procurement_by_method": static("xiezuo.procurement.models", "METHODS"),
    }


def build(pairing, year, pairing_ids, figures, indicator_rows, evaluations, parts=None):
    charts = {}
    label_of = labellers()
    for key, title, dotted, first, value_label, pages, param in CHARTS:
        value = lookup(figures, dotted)
        table = to_table(value, first, value_label)
        labels = label_of[key]([row[0] for row in table["rows"]]) if key in label_of and table["rows"] else {}
        if isinstance(value, dict):
            # A breakdown by code comes in the order of its labels (the
            # choices', the categories'): a dict read back from PostgreSQL's
            # jsonb (the cache, a finalised report's snapshot) has lost the
            # order the section made, and a chart must not change with it.
            place = {code: n for n, code in enumerate(labels)}
            table["rows"].sort(key=lambda row: (place.get(row[0], len(place)), str(row[0])))
        keys = table.pop("keys", None) or [row[0] for row in table["rows"]]
        for row in table["rows"]:
            row[0] = labels.get(row[0], (row[0],))[0]
        base = link(pages, pairing.pk, year=year)
        if param and base:
            table["row_links"] = [link(pages, pairing.pk, year=year, **{param: labels.get(k, (k, k))[1]})
                                  for k in keys]
        charts[key] = {"title": title, "source": dotted, "link": base, **table}
    items = [(label, lookup(figures, f"exchanges.{key}")) for label, key in (
        (gettext_noop("商定合作事项"), "agreed_items"), (gettext_noop("已完成"), "agreed_items_done"), (gettext_noop("逾期未完成"), "agreed_items_overdue"))]
    charts["agreed_items"] = {
        "title": gettext_noop("合作事项推进"), "source": "exchanges.agreed_items",
        "link": link(["industry_items_list", "industry:item_list"], pairing.pk, year=year),
        "columns": [gettext_noop("合作事项"), gettext_noop("项数")], "rows": [[label, n] for label, n in items if n is not None]}
    # Each row opens the list filtered as the figure counts (every year
    # found: the open tasks include those found in earlier years).
    tasks = [(label, lookup(figures, f"rectification.{key}"), params) for label, key, params in (
        (gettext_noop("未销号"), "open", {"open_in": year}),
        (gettext_noop("其中逾期"), "overdue", {"open_in": year, "overdue": 1}),
        (gettext_noop("上年结转未销号"), "carried_over", {"open_in": year, "carried": 1}),
        (gettext_noop("本年销号"), "closed_in_year", {"closed_in": year}))]
    tasks_link = link(["rectification_list"], pairing.pk)
    tasks_link = f"{tasks_link}?year=" if tasks_link else None
    tasks = [t for t in tasks if t[1] is not None]
    charts["rectification"] = {
        "title": gettext_noop("问题整改"), "source": "rectification.open", "link": tasks_link,
        "columns": [gettext_noop("整改任务"), gettext_noop("项数")], "rows": [[label, n] for label, n, _params in tasks],
        "row_links": [f"{tasks_link}&" + "&".join(f"{k}={v}" for k, v in params.items()) if tasks_link else None
                      for _label, _n, params in tasks]}
    # Assets held at the year's end by class (the `assets` section).
    held = lookup(figures, "assets.by_kind") or {}
    assets_link = link(["asset_list"], pairing.pk)
    charts["assets"] = {
        "title": gettext_noop("资产后续管理"), "source": "assets.value",
        "link": f"{assets_link}?year=" if assets_link else None,
        "columns": [gettext_noop("资产类别"), gettext_noop("项数"), gettext_noop("资产价值（元）")],
        "rows": [[label, held[code]["count"], held[code]["value"]] for code, label in ASSET_KINDS if code in held],
        # Each class opens the assets the figure counts: held at the year's end.
        "row_links": [f"{assets_link}?year=&held_in={year}&kind={code}" if assets_link else None
                      for code, _label in ASSET_KINDS if code in held]}
    progress = disbursement_progress(figures, pairing_ids, year, parts)
    charts["disbursement_progress"] = {"title": gettext_noop("资金支出进度"), "source": "funds.disbursed",
                                       "link": link(SECTION_PAGES["funds"], pairing.pk, year=year), **progress}
    for row in indicator_rows:
        row["link"] = card_link(row["computation"], pairing.pk, year)
    return {
        "v": VERSION,
        "pairing": {"id": pairing.pk, "name": str(pairing)},
        "year": year,
        # The west report's status (the single report's before each side had its own).
        "status": services.evaluation_states(evaluations)["west"],
        "self_evaluations": services.evaluation_states(evaluations),
        "locked": services.year_locked(evaluations),
        "sections": sorted(k for k in figures if k not in ("pairing_id", "years")),
        "indicators": indicator_rows,
        "charts": charts,
        "alerts": health_alerts(figures, pairing_ids, year, parts) + rectification_alerts(figures, tasks_link, year),
        "figures": figures,
    }


# The shape of the stored dashboard JSON: raised when links or charts change,
# so JSON stored by an older release is built again instead of served.
VERSION = 6
STORED_PREFIX = '{"v": %d,' % VERSION


def payload_text(pairing, year):
    """Return the dashboard JSON of a pairing-year as text, built once per
    state of the ledgers and kept beside the cached figures."""
    # Built in Chinese whoever asks first: every reader shares it (reader_text translates).
    with translation.override(settings.LANGUAGE_CODE):
        ids = services.subtree_ids([pairing])
        entry = services.cache_entries(ids, [year], save=False)[(pairing.pk, year)]
        if not entry.dashboard.startswith(STORED_PREFIX):
            rows, evaluations = services.indicators_for_figures(pairing, year, entry.figures)
            # A finalised report shows what was finalised, charts included.
            figures = services.reported_figures(entry.figures, evaluations)
            payload = build(pairing, year, ids[pairing.pk], figures, rows, evaluations, entry.parts)
            services.store_dashboard(entry, json.dumps(payload, ensure_ascii=False, cls=DjangoJSONEncoder))
    return entry.dashboard


def trends(years, by_year):
    """Return the headline figures per year as a table; `by_year` is
    {year: figures}, each holding at least the TREND paths."""
    columns = [gettext_noop("年度"), *[label for label, _, _ in TREND]]
    rows = []
    for year in years:
        f = by_year[year]
        rows.append([str(year), *[services.serialise(_number(lookup(f, p)) if lookup(f, p) is not None else None, k)
                                  for _, p, k in TREND]])
    return {"title": gettext_noop("历年趋势"), "columns": columns, "rows": rows}


def headline(figures):
    """Return the trend's headline figures of one figures dict."""
    return {path: services.serialise(_number(lookup(figures, path)) if lookup(figures, path) is not None else None, kind)
            for _, path, kind in TREND}
