"""OCDS 1.1.5 release and record packages of the tendering processes.

Each process is one contracting process (one ocid). It is published as a
series of releases, one per stage reached (planning, tender, award, contract,
implementation), each a snapshot of what was known at that stage, and the
record carries them with a compiled release. Bids follow the OCDS bids
extension (`bids.statistics`, `bids.details`).

Personal data stays out: no contact points, no phone numbers, no legal
representatives, project managers or bank accounts — only organisations,
their 统一社会信用代码 and the figures.

Amounts are JSON numbers as the schema requires. Yuan with two places are
exact in a double far beyond any contract value (2^53 fen), so converting
the Decimal to float for serialisation loses nothing.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from .models import CONSULTANCY, OPEN, SELECTIVE, SINGLE_SOURCE, DIRECT, METHODS

BID_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
OCDS_METHOD = {OPEN: "open", SELECTIVE: "selective", SINGLE_SOURCE: "direct", DIRECT: "direct"}
METHOD_NAMES = dict(METHODS)


def ocid(tender):
    return f"{settings.XIEZUO_OCID_PREFIX}-{tender.pk}"


def dt(date):
    """Return an OCDS date-time for a calendar date in China Standard Time."""
    return f"{date.isoformat()}T00:00:00+08:00" if date else None


def value(amount):
    return {"amount": float(amount), "currency": "CNY"} if amount is not None else None


def _org(party_id, name, uscc, roles):
    party = {"id": party_id, "name": name, "roles": roles}
    if uscc:
        party["identifier"] = {"scheme": "CN-USCC", "id": uscc, "legalName": name}
    return party


def _ref(party):
    return {"id": party["id"], "name": party["name"]}


class Builder:
    """Builds the releases of one process."""

    def __init__(self, t):
        self.t = t
        self.ocid = ocid(t)
        self.bids = list(t.bids.all())
        self.parties = {}
        b = t.buyer
        self.buyer = self._party(f"org-{b.pk}", b.name, b.uscc, "buyer")
        self.entity = self._party(f"agent-{t.pk}", t.agent, None, "procuringEntity") if t.agent else self.buyer
        if not t.agent:
            self.buyer["roles"].append("procuringEntity")
        self.tenderers = {bid.pk: self._party(self._bidder_id(bid), bid.supplier_name, bid.supplier_uscc, "tenderer")
                          for bid in self.bids}
        self.supplier = None
        if t.award_supplier:
            sid = f"supplier-{t.award_supplier_uscc}" if t.award_supplier_uscc else f"supplier-{t.pk}"
            if t.winning_bid_id in self.tenderers:
                sid = self.tenderers[t.winning_bid_id]["id"]
            self.supplier = self._party(sid, t.award_supplier, t.award_supplier_uscc, "supplier")

    def _bidder_id(self, bid):
        return f"supplier-{bid.supplier_uscc}" if bid.supplier_uscc else f"tenderer-{bid.pk}"

    def _party(self, pid, name, uscc, role):
        party = self.parties.get(pid)
        if party is None:
            party = self.parties[pid] = _org(pid, name, uscc, [])
        if role not in party["roles"]:
            party["roles"].append(role)
        return party

    # -- sections

    def planning(self):
        p = self.t.project
        return {"budget": {"id": p.code, "description": p.name, "amount": value(p.total_funds),
                           "project": p.name, "projectID": p.code},
                "rationale": f"{p.year}年东西部协作项目"}

    def tender(self, stage):
        t = self.t
        status = "complete" if stage in ("award", "contract", "implementation") else (
            "active" if t.notice_date or t.docs_issued else "planned")
        section = {
            "id": f"{self.ocid}-tender",
            "title": t.title,
            "status": status,
            "procuringEntity": _ref(self.entity),
            "value": value(t.estimated_value),
            "procurementMethod": OCDS_METHOD.get(t.method, "limited"),
            "procurementMethodDetails": METHOD_NAMES[t.method],
            "mainProcurementCategory": "services" if t.item_kind == CONSULTANCY else t.item_kind,
            "numberOfTenderers": len(self.bids),
            "tenderers": [_ref(p) for p in self.tenderers.values()],
            "documents": self.documents({"tenderNotice", "biddingDocuments", "evaluationReports", "other"}),
        }
        start = t.docs_issued or t.notice_date
        if start or t.bid_deadline:
            section["tenderPeriod"] = {k: v for k, v in (("startDate", dt(start)), ("endDate", dt(t.bid_deadline)))
                                       if v}
        if t.evaluation_report or t.award_date:
            section["awardPeriod"] = {k: v for k, v in (("startDate", dt(t.opening_date or t.evaluation_report)),
                                                        ("endDate", dt(t.award_date))) if v}
        return section

    def bid_section(self):
        valid = sum(1 for b in self.bids if b.valid)
        return {
            "statistics": [
                {"id": "1", "measure": "bids", "value": len(self.bids)},
                {"id": "2", "measure": "validBids", "value": valid},
                {"id": "3", "measure": "disqualifiedBids", "value": len(self.bids) - valid},
            ],
            "details": [
                {"id": str(b.pk), "date": dt(self.t.bid_deadline), "status": "valid" if b.valid else "disqualified",
                 "tenderers": [_ref(self.tenderers[b.pk])], "value": value(b.price)}
                for b in self.bids
            ],
        }

    def awards(self):
        t = self.t
        return [{"id": f"{self.ocid}-award", "title": t.title, "status": "active", "date": dt(t.award_date),
                 "value": value(t.award_value), "suppliers": [_ref(self.supplier)],
                 "documents": self.documents({"awardNotice"})}]

    def contracts(self, with_implementation):
        t = self.t
        ended = t.contract_end and t.contract_end < timezone.localdate()
        contract = {
            "id": f"{self.ocid}-contract", "awardID": f"{self.ocid}-award", "title": t.title,
            "status": "terminated" if ended else "active", "value": value(t.contract_value or t.award_value),
            "dateSigned": dt(t.contract_signed),
            "documents": self.documents({"contractSigned"}),
        }
        if t.contract_number:
            contract["description"] = f"合同编号：{t.contract_number}"
        if t.contract_start or t.contract_end:
            contract["period"] = {k: v for k, v in (("startDate", dt(t.contract_start)),
                                                    ("endDate", dt(t.contract_end))) if v}
        if with_implementation:
            amendments = list(t.amendments.all())
            if amendments:
                contract["amendments"] = [
                    {"id": str(a.pk), "date": dt(a.date), "rationale": a.description,
                     "description": f"合同金额{'增加' if a.value_change > 0 else '减少'}{abs(a.value_change)}元"}
                    for a in amendments
                ]
            implementation = {"documents": self.documents({"contractAnnexe"})}
            if t.contract_end:
                implementation["milestones"] = [{
                    "id": "completion", "title": "合同履行完成", "type": "delivery", "dueDate": dt(t.contract_end),
                    "status": "met" if ended else "scheduled"}]
            contract["implementation"] = implementation
        return [contract]

    def documents(self, kinds):
        return [{"id": str(d.pk), "documentType": d.kind, "title": d.title, "datePublished": dt(d.date),
                 "format": _mime(d.file.name), "language": "zh"}
                for d in self.t.documents.all() if d.kind in kinds]

    # -- releases

    def stages(self):
        """Return [(tag, date)] of the stages this process has reached."""
        t = self.t
        out = [("planning", t.process_date)]
        if t.notice_date or t.docs_issued or self.bids:
            out.append(("tender", t.notice_date or t.docs_issued or t.bid_deadline or t.process_date))
        if self.supplier:
            out.append(("award", t.award_date or t.bid_deadline or t.process_date))
        if self.supplier and (t.contract_signed or t.contract_value):
            out.append(("contract", t.contract_signed or t.award_date or t.process_date))
            amendments = list(t.amendments.all())
            if amendments or t.contract_end:
                last = max([a.date for a in amendments] + [t.contract_signed or t.process_date])
                out.append(("implementation", last))
        # Dates are clamped so the list is in date order even when a later
        # stage was recorded with an earlier date by mistake.
        clamped, latest = [], datetime.date.min
        for tag, date in out:
            latest = max(latest, date)
            clamped.append((tag, latest))
        return clamped

    def release(self, stage, date, tag=None):
        reached = [s for s, _ in self.stages()]
        upto = reached[: reached.index(stage) + 1]
        r = {
            "ocid": self.ocid,
            "id": f"{self.ocid}-{tag or stage}",
            "date": dt(date),
            "tag": [tag or stage],
            "initiationType": "tender",
            "language": "zh",
            "buyer": _ref(self.buyer),
            "planning": self.planning(),
        }
        # A direct award has no tender stage of its own, but its method and
        # value still belong in the tender section once it is awarded.
        if "tender" in upto or "award" in upto:
            r["tender"] = self.tender(stage)
            if self.bids:
                r["bids"] = self.bid_section()
        if "award" in upto:
            r["awards"] = self.awards()
        if "contract" in upto:
            r["contracts"] = self.contracts("implementation" in upto)
        # Parties last: every section above has registered the ones it names.
        used = {self.buyer["id"], self.entity["id"]}
        if "tender" in r:
            used |= {p["id"] for p in self.tenderers.values()}
        if "award" in upto and self.supplier:
            used.add(self.supplier["id"])
        r["parties"] = [p for pid, p in self.parties.items() if pid in used]
        return _prune(r)

    def releases(self):
        return [self.release(stage, date) for stage, date in self.stages()]

    def compiled(self):
        stage, date = self.stages()[-1]
        return self.release(stage, date, tag="compiled")


def _prune(data):
    """Drop empty values: OCDS omits what is unknown rather than writing null."""
    if isinstance(data, dict):
        return {k: _prune(v) for k, v in data.items() if v not in (None, [], {})}
    if isinstance(data, list):
        return [_prune(v) for v in data]
    return data


def _mime(name):
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"pdf": "application/pdf", "doc": "application/msword",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}.get(ext, "application/octet-stream")


def _header(uri, pairing):
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": [BID_EXTENSION],
        "publishedDate": timezone.now().replace(microsecond=0).isoformat(),
        "publisher": {"name": f"Xiezuo 东西部协作 · {pairing}"},
    }


def release_package(tenders, uri, pairing):
    pkg = _header(uri, pairing)
    pkg["releases"] = [r for t in tenders for r in Builder(t).releases()]
    return pkg


def record_package(tenders, uri, pairing):
    pkg = _header(uri, pairing)
    records = []
    for t in tenders:
        b = Builder(t)
        records.append({"ocid": b.ocid, "releases": b.releases(), "compiledRelease": b.compiled()})
    pkg["records"] = records
    return pkg


def tenders_for(pairing, year):
    """Return the processes of a pairing's subtree for one year, loaded for export."""
    from .models import Tender

    return (Tender.objects.filter(pairing__path__startswith=pairing.path, year=year)
            .select_related("buyer", "project").prefetch_related("bids", "amendments", "documents")
            .order_by("pk"))
