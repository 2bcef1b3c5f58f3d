"""Check OCDS packages with libcoveocds, the Open Contracting Partnership's
own checker (the library behind its Data Review Tool), offline.

libcoveocds reads the standard's schema and codelists from a ZIP of the
standard's repository; here that ZIP is made in memory from the offline copy
in ../shared/ocds/1.1.5 (`standard_zip` config), so nothing is downloaded.
Two things it would otherwise fetch:

- the record package's `versionedRelease` reference: OfflineSchema resolves
  it from the same offline copy (the only override, of one method, pinned by
  the libcoveocds version range in requirements-dev.txt);
- the bids extension, declared in the package by its public URL: it is left
  out of the copy given to libcoveocds (its fields then count as additional
  fields, not errors) and its two codelists are checked here instead, with the
  codes of the extension's v1.1.5 bidStatistics.csv and bidStatus.csv.

`problems(package)` returns everything found: schema errors, closed and open
codelist values not in the codelists, libcoveocds' additional checks (empty
fields and the like), and bids-extension codes outside their codelists.
"""

import copy
import functools
import io
import json
import tempfile
import zipfile

import jsonref
from libcoveocds.common_checks import common_checks_ocds
from libcoveocds.config import LibCoveOCDSConfig
from libcoveocds.lib.api import context_api_transform
from libcoveocds.schema import SchemaOCDS

from .ocds_schema import folder

TAG = "1__1__5"
# The bids extension v1.1.5: codelists/bidStatistics.csv (open) and bidStatus.csv (closed).
BID_STATISTICS = frozenset({"requests", "bids", "validBids", "bidders", "qualifiedBidders", "disqualifiedBidders",
                            "electronicBids", "smeBids", "foreignBids", "foreignBidsFromEU", "tendersAbnormallyLow"})
BID_STATUSES = frozenset({"invited", "pending", "valid", "disqualified", "withdrawn"})


@functools.cache
def standard_zip():
    """The offline schema folder laid out as libcoveocds expects the standard's repository ZIP."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"standard-{TAG}/", "")
        for path in sorted(folder().rglob("*")):
            if path.is_file() and path.suffix in (".json", ".csv"):
                z.write(path, f"standard-{TAG}/schema/{path.relative_to(folder()).as_posix()}")
    return buf.getvalue()


class OfflineSchema(SchemaOCDS):
    """libcoveocds' schema, with the record package's versioned release schema
    taken from the offline copy instead of its URL."""

    def _get_schema(self, name):
        schema = super()._get_schema(name)
        if name == "record-package-schema.json":
            versioned = json.loads(self.builder.get_standard_file_contents("versioned-release-validation-schema.json"))
            field = schema["definitions"]["record"]["properties"]["versionedRelease"]
            del field["$ref"]
            field.update(jsonref.replace_refs(versioned, merge_props=True, proxies=False))
        return schema


def review(package):
    """Return libcoveocds' API context for a release or record package."""
    data = copy.deepcopy(package)
    data.pop("extensions", None)
    config = LibCoveOCDSConfig({"context": "api", "standard_zip": standard_zip()})
    schema = OfflineSchema("1.1", data, config, record_pkg="records" in data)
    with tempfile.TemporaryDirectory() as tmp:
        context = context_api_transform(common_checks_ocds({"file_type": "json"}, tmp, data, schema, cache=False))
    assert not schema.invalid_extension and not schema.json_deref_error, "libcoveocds reached for the network"
    return context


def releases_of(package):
    if "records" in package:
        for record in package["records"]:
            yield from record["releases"]
            yield record["compiledRelease"]
    else:
        yield from package["releases"]


def bid_problems(package):
    found = []
    for r in releases_of(package):
        bids = r.get("bids", {})
        found += [f"{r['id']}: bids/statistics/measure {s['measure']} not in bidStatistics"
                  for s in bids.get("statistics", []) if s["measure"] not in BID_STATISTICS]
        found += [f"{r['id']}: bids/details/status {d.get('status')} not in bidStatus"
                  for d in bids.get("details", []) if d.get("status") not in BID_STATUSES]
    return found


def problems(package):
    """Everything libcoveocds and the bids-extension check find wrong (empty when right)."""
    context = review(package)
    found = [f"schema: {e}" for e in context["validation_errors"]]
    for kind in ("additional_closed_codelist_values", "additional_open_codelist_values"):
        found += [f"{kind}: {path} {entry.get('values')}" for path, entry in context[kind].items()]
    found += [f"additional check: {check} {entries}" for check, entries in context["additional_checks"].items()]
    return found + bid_problems(package)


def _day(value):
    return value[:10] if value else None


def facts_after_the_release(release):
    """Return the facts a release holds that are dated after the release itself.

    Facts are what happened: bids received, awards made, contracts signed,
    amendments, documents published, milestones met. Planned dates (a tender
    period's end, a contract period, a milestone's due date) are announced
    ahead and are not facts."""
    day = _day(release["date"])
    dated = []
    dated += [("bids/details", d.get("date")) for d in release.get("bids", {}).get("details", [])]
    dated += [("awards", a.get("date")) for a in release.get("awards", [])]
    dated += [("tender/awardPeriod/endDate", release.get("tender", {}).get("awardPeriod", {}).get("endDate"))]
    for c in release.get("contracts", []):
        dated.append(("contracts/dateSigned", c.get("dateSigned")))
        dated += [("contracts/amendments", a.get("date")) for a in c.get("amendments", [])]
        dated += [("contracts/implementation/milestones/dateMet", m.get("dateMet"))
                  for m in c.get("implementation", {}).get("milestones", [])]
        dated += [("contracts/documents", d.get("datePublished")) for d in c.get("documents", [])]
        dated += [("contracts/implementation/documents", d.get("datePublished"))
                  for d in c.get("implementation", {}).get("documents", [])]
    dated += [("tender/documents", d.get("datePublished")) for d in release.get("tender", {}).get("documents", [])]
    for a in release.get("awards", []):
        dated += [("awards/documents", d.get("datePublished")) for d in a.get("documents", [])]
    return [(path, value) for path, value in dated if value and _day(value) > day]
