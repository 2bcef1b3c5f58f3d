"""IATI 2.03 activity XML of a pairing-year's projects.

One <iati-activity> per project: the east office funds, the west office
accounts for it, the implementing unit implements; the category maps to a
DAC 5-digit sector; the place is a location named in words (the region's
division code is given in its description: IATI's GeographicVocabulary has
no entry for China's division codes, so no administrative or location-id
element claims one); the cooperation funds are the budget; fund receipts are
incoming funds (1) and confirmed disbursements are disbursements (3);
outputs and beneficiaries are results, each indicator titled with its unit
(所 for schools, 户 for households, 人 for people …).

Identifiers. The reporting organisation is the deployment's publisher, set
by XIEZUO_REPORTING_ORG_REF and XIEZUO_REPORTING_ORG_NAME (an office's
统一社会信用代码 makes its ref CN-USCI-{code}, the org-id.guide scheme);
without them there is no valid IATI file to give, and the export says so
(MissingReportingOrg) instead of inventing one. Other organisations carry
ref="CN-USCI-{code}" when their code is known, and only their name
otherwise, which IATI allows.
"""

import datetime
import re
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from lxml import etree

from lib.ids import normalize_uscc
from lib.money import yuan_str

# org-id.guide: China, Unified Social Credit Identifier (统一社会信用代码).
USCI = "CN-USCI"

# Project category code → DAC 5 sector code (https://iatistandard.org/en/iati-standard/203/codelists/sector/)
SECTORS = {
    "industry": ("32161", "Agro-industries"), "产业发展": ("32161", "Agro-industries"),
    "employment": ("16020", "Employment creation"), "就业帮扶": ("16020", "Employment creation"),
    "education": ("11220", "Primary education"), "教育": ("11220", "Primary education"),
    "health": ("12220", "Basic health care"), "医疗卫生": ("12220", "Basic health care"),
    "rural": ("43040", "Rural development"), "乡村建设": ("43040", "Rural development"),
    "consumption": ("33130", "Regional trade agreements (RTAs)"), "消费帮扶": ("25030", "Business development services"),
    "talent": ("15110", "Public sector policy and administrative management"),
    "人才交流": ("15110", "Public sector policy and administrative management"),
}
DEFAULT_SECTOR = ("43010", "Multisector aid")
# Project status → IATI ActivityStatus: 1 pipeline, 2 implementation, 3 finalisation, 4 closed, 5 cancelled
STATUS = {"reserve": "1", "approved": "1", "procurement": "2", "implementing": "2", "completed": "3",
          "accepted": "3", "handed_over": "4", "terminated": "5"}
BENEFICIARY_TITLES = {"poverty": "脱贫人口", "monitored": "监测对象", "students": "在校学生", "children": "在园幼儿",
                      "schools": "受益学校", "kindergartens": "受益幼儿园", "patients": "就诊群众", "farmers": "农户",
                      "other": "其他受益对象"}
# Organisation kind → IATI OrganisationType: 11 local government, 15 other
# public sector, 22 national NGO, 70 private sector, 90 other.
ORG_TYPES = {"gov": "11", "public": "15", "school": "15", "hospital": "15", "soe": "15", "enterprise": "70",
             "coop": "70", "farm": "70", "social": "22", "association": "22", "union": "90", "other": "90"}
LOCAL_GOVERNMENT = "11"
# IATI 2.03 OrganisationType codes, for the configured reporting organisation.
ORGANISATION_TYPES = {"10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"}
# An organisation identifier: {agency}-{number}, agency from org-id.guide (XM-DAC, GB-COH, CN-USCI …).
ORG_REF = re.compile(r"^[A-Z]{2}-[A-Z0-9]+-[^\s/&|?]+$")


class MissingReportingOrg(Exception):
    """No valid reporting-organisation identifier is configured."""


def reporting_org():
    """Return (ref, name, type) of the reporting organisation, or raise MissingReportingOrg."""
    ref = (settings.XIEZUO_REPORTING_ORG_REF or "").strip()
    name = (settings.XIEZUO_REPORTING_ORG_NAME or "").strip()
    how = ("请在部署配置中设置 XIEZUO_REPORTING_ORG_REF（报送机构标识，如 CN-USCI-本单位统一社会信用代码）"
           "和 XIEZUO_REPORTING_ORG_NAME（报送机构名称），见部署说明")
    if not ref or not name:
        raise MissingReportingOrg(f"未配置IATI报送机构：{how}")
    if ref.startswith(f"{USCI}-"):
        try:
            ref = f"{USCI}-{normalize_uscc(ref[len(USCI) + 1:])}"
        except ValueError as e:
            raise MissingReportingOrg(f"IATI报送机构标识 {ref} 无效：{e}") from None
    elif not ORG_REF.match(ref):
        raise MissingReportingOrg(f"IATI报送机构标识 {ref} 不是“登记机构代码-登记号”格式：{how}")
    kind = (settings.XIEZUO_REPORTING_ORG_TYPE or LOCAL_GOVERNMENT).strip()
    if kind not in ORGANISATION_TYPES:
        raise MissingReportingOrg(f"XIEZUO_REPORTING_ORG_TYPE={kind} 不是IATI机构类型代码（如 10 中央政府、11 地方政府）")
    return ref, name, kind


def org_ref(org):
    """Return the IATI identifier of an organisation (CN-USCI-{code}), or None when it has no code."""
    return f"{USCI}-{org.uscc}" if org is not None and org.uscc else None


def org_type(org):
    """Return the IATI OrganisationType of an organisation (a region stands for its government)."""
    return LOCAL_GOVERNMENT if org is None else ORG_TYPES.get(org.kind)


def activity_id(reporting_ref, project):
    """Return the iati-identifier: the reporting org's ref, the pairing and the project code.

    Project codes are unique within a pairing only; characters IATI forbids
    in an identifier (whitespace, / & | ?) become hyphens."""
    code = re.sub(r"[\s/&|?]+", "-", project.code.strip())
    return f"{reporting_ref}-{project.pairing_id}-{code}"


def _narr(parent, tag, text, lang=None):
    el = etree.SubElement(parent, tag)
    n = etree.SubElement(el, "narrative")
    if lang:
        n.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    n.text = text
    return el


def _org(parent, tag, name, ref=None, **attrs):
    el = etree.SubElement(parent, tag, **{k.replace("_", "-"): v for k, v in attrs.items() if v})
    if ref:
        el.set("ref", ref)
    etree.SubElement(el, "narrative").text = name
    return el


def _value(parent, amount, date):
    v = etree.SubElement(parent, "value", currency="CNY", **{"value-date": date.isoformat()})
    v.text = yuan_str(amount)
    return v


def _disbursements(project_ids):
    """Confirmed disbursements by project, when the funds ledger has them."""
    try:
        model = apps.get_model("funds", "Disbursement")
    except LookupError:
        return {}
    fields = {f.name for f in model._meta.get_fields()}
    qs = model.objects.filter(project_id__in=project_ids)
    if "status" in fields:
        qs = qs.filter(status="confirmed")
    out = {}
    for d in qs.order_by("date", "pk"):
        out.setdefault(d.project_id, []).append(d)
    return out


def activities_xml(pairing, year):
    """Return the IATI activities document (bytes) of the pairing-year's projects.

    Raises MissingReportingOrg when no reporting organisation is configured."""
    reporting_ref, reporting_name, reporting_type = reporting_org()
    from xiezuo.funds.models import FundReceipt, Project

    ids = list(pairing.subtree().values_list("pk", flat=True))
    projects = list(
        Project.objects.filter(pairing_id__in=ids, year=year)
        .select_related("category", "township", "village", "implementing_unit", "pairing__east_region",
                        "pairing__west_region", "pairing__east_org", "pairing__west_org")
        .prefetch_related("beneficiaries", "outputs").order_by("code"))
    receipts = list(FundReceipt.objects.filter(pairing_id__in=ids, year=year).select_related("payer").order_by("date"))
    disbursements = _disbursements([p.pk for p in projects])
    total_coop = sum((p.coop_funds for p in projects), 0)

    now = timezone.now().replace(microsecond=0)
    root = etree.Element("iati-activities", version="2.03", **{"generated-datetime": now.isoformat()})
    for p in projects:
        act = etree.SubElement(root, "iati-activity", **{
            "last-updated-datetime": now.isoformat(), "{http://www.w3.org/XML/1998/namespace}lang": "zh",
            "default-currency": "CNY", "hierarchy": "1"})
        etree.SubElement(act, "iati-identifier").text = activity_id(reporting_ref, p)
        rep = etree.SubElement(act, "reporting-org", ref=reporting_ref, type=reporting_type)
        etree.SubElement(rep, "narrative").text = reporting_name
        _narr(act, "title", p.name)
        desc = _narr(act, "description", p.description or f"{p.year}年东西部协作项目：{p.name}")
        desc.set("type", "1")
        east, west = p.pairing.east_org, p.pairing.west_org
        _org(act, "participating-org", p.pairing.east_name, org_ref(east), role="1", type=org_type(east))
        _org(act, "participating-org", p.pairing.west_name, org_ref(west), role="2", type=org_type(west))
        if p.implementing_unit:
            unit = p.implementing_unit
            _org(act, "participating-org", unit.name, org_ref(unit), role="4", type=org_type(unit))
        etree.SubElement(act, "activity-status", code=STATUS.get(p.status, "2"))
        start = p.actual_start or p.planned_start or datetime.date(p.year, 1, 1)
        etree.SubElement(act, "activity-date", type="2" if p.actual_start else "1", **{"iso-date": start.isoformat()})
        finish = p.actual_finish or p.planned_finish
        if finish:
            etree.SubElement(act, "activity-date", type="4" if p.actual_finish else "3", **{"iso-date": finish.isoformat()})
        etree.SubElement(act, "recipient-country", code="CN", percentage="100")
        place = p.village or p.township or p.pairing.west_region
        _location(act, place)
        code, name = SECTORS.get(p.category.code, SECTORS.get(p.category.name, DEFAULT_SECTOR))
        sector = etree.SubElement(act, "sector", vocabulary="1", code=code, percentage="100")
        etree.SubElement(sector, "narrative").text = f"{p.category.name}（{name}）"
        etree.SubElement(act, "collaboration-type", code="1")
        etree.SubElement(act, "default-flow-type", code="10")
        etree.SubElement(act, "default-finance-type", code="110")
        budget = etree.SubElement(act, "budget", type="1", status="2")
        etree.SubElement(budget, "period-start", **{"iso-date": f"{p.year}-01-01"})
        etree.SubElement(budget, "period-end", **{"iso-date": f"{p.year}-12-31"})
        _value(budget, p.coop_funds, datetime.date(p.year, 1, 1))
        # Receipts fund the pairing-year as a whole; each project is credited
        # its share of them in proportion to its cooperation funds.
        for r in receipts:
            if not total_coop or not p.coop_funds:
                break
            share = (r.amount * p.coop_funds / total_coop).quantize(Decimal("0.01"))
            tx = etree.SubElement(act, "transaction", ref=f"receipt-{r.pk}")
            etree.SubElement(tx, "transaction-type", code="1")
            etree.SubElement(tx, "transaction-date", **{"iso-date": r.date.isoformat()})
            _value(tx, share, r.date)
            _narr(tx, "description", f"{r.get_kind_display()}{' ' + r.doc_number if r.doc_number else ''}（按项目协作资金比例分摊）")
            _org(tx, "provider-org", r.payer.name if r.payer else p.pairing.east_name,
                 org_ref(r.payer if r.payer else east), type=org_type(r.payer if r.payer else east))
        for d in disbursements.get(p.pk, []):
            tx = etree.SubElement(act, "transaction", ref=f"disbursement-{d.pk}")
            etree.SubElement(tx, "transaction-type", code="3")
            etree.SubElement(tx, "transaction-date", **{"iso-date": d.date.isoformat()})
            _value(tx, d.amount, d.date)
            _narr(tx, "description", getattr(d, "purpose", "") or "项目资金拨付")
            if p.implementing_unit:
                unit = p.implementing_unit
                _org(tx, "receiver-org", unit.name, org_ref(unit), type=org_type(unit))
        outputs, beneficiaries = list(p.outputs.all()), list(p.beneficiaries.all())
        if outputs:
            _result(act, "1", "项目产出", [(o.name, o.unit, o.quantity) for o in outputs], p.year)
        if beneficiaries:
            _result(act, "2", "项目受益对象", [(BENEFICIARY_TITLES.get(b.kind, b.kind), b.unit, b.count)
                                              for b in beneficiaries], p.year)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _location(act, place):
    """Add the project's place: its name, and its division code in words.

    The code is China's (GB/T 2260 and the statistical 12-digit extension),
    which no IATI GeographicVocabulary entry covers: it is not put in an
    administrative or location-id element, whose vocabulary would misname it."""
    loc = etree.SubElement(act, "location", ref=f"region-{place.pk}")
    etree.SubElement(loc, "location-reach", code="1")
    _narr(loc, "name", place.full_name or place.name)
    if place.code:
        _narr(loc, "description", f"行政区划代码：{place.code}")
    etree.SubElement(loc, "exactness", code="2")
    # GeographicLocationClass 1: an administrative region.
    etree.SubElement(loc, "location-class", code="1")


def _result(act, kind, title, indicators, year):
    """Add a result (type 1 output, 2 outcome) with one indicator per row."""
    result = etree.SubElement(act, "result", type=kind, **{"aggregation-status": "1"})
    _narr(result, "title", title)
    for name, unit, value in indicators:
        ind = etree.SubElement(result, "indicator", measure="1", ascending="1")
        _narr(ind, "title", f"{name}（{unit}）")
        period = etree.SubElement(ind, "period")
        etree.SubElement(period, "period-start", **{"iso-date": f"{year}-01-01"})
        etree.SubElement(period, "period-end", **{"iso-date": f"{year}-12-31"})
        etree.SubElement(period, "actual", value=format(value, "f") if not isinstance(value, int) else str(value))
