"""OCDS 1.1.5 release and record packages of the tendering processes.

Each process is one contracting process (one ocid). It is published as a
series of releases, one per stage reached (planning, tender, tender update
with the bids, award, contract, implementation, contract termination). A
release dated D is a snapshot of what was known on D and holds nothing dated
after it: the bids appear in the tender update dated when they were
evaluated (or opened, then as pending), never in the tender release of the
notice; an award, contract, amendment or document appears only in releases
dated on or after its own date; a contract is terminated and its completion
milestone met only from the release dated at the end of the contract. The
record carries the releases with a compiled release (the last snapshot).
Bids follow the OCDS bids extension (`bids.statistics`, `bids.details`).

Organisations with a 统一社会信用代码 are identified by the org-id.guide
scheme `CN-USCI` (identifier {"scheme": "CN-USCI", "id": code}) and their
party id is built as OCDS recommends, `CN-USCI-{code}`. Organisations without
one carry no identifier; their party id is a local id, unique within the
process (`buyer-7`, `tenderer-31`, `agent`, `supplier`).

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

from lib.chinese import ChineseLabels
from lib.money import money

from .models import CONSULTANCY, DIRECT, METHODS, OPEN, SELECTIVE, SINGLE_SOURCE

BID_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
OCDS_METHOD = {OPEN: "open", SELECTIVE: "selective", SINGLE_SOURCE: "direct", DIRECT: "direct"}
METHOD_NAMES = ChineseLabels(METHODS)  # the published data names methods in Chinese
# org-id.guide: China, Unified Social Credit Identifier (统一社会信用代码).
USCI_SCHEME = "CN-USCI"


def ocid(tender):
    return f"{settings.XIEZUO_OCID_PREFIX}-{tender.pk}"


def dt(date):
    """Return an OCDS date-time for a calendar date in China Standard Time."""
    return f"{date.isoformat()}T00:00:00+08:00" if date else None


def value(amount):
    return {"amount": float(amount), "currency": "CNY"} if amount is not None else None


def known(date, as_of):
    """Whether a fact dated `date` was known on `as_of` (undated facts are)."""
    return date is None or date <= as_of


def _org(party_id, name, uscc, roles):
    party = {"id": party_id, "name": name, "roles": roles}
    if uscc:
        party["identifier"] = {"scheme": USCI_SCHEME, "id": uscc, "legalName": name}
    return party


def _ref(party):
    return {"id": party["id"], "name": party["name"]}


def _party_id(uscc, local):
    return f"{USCI_SCHEME}-{uscc}" if uscc else local


class Builder:
    """Builds the releases of one process."""

    def __init__(self, t):
        self.t = t
        self.ocid = ocid(t)
        self.bids = list(t.bids.all())
        self.amendments = list(t.amendments.all())
        self.parties = {}
        b = t.buyer
        self.buyer = self._party(_party_id(b.uscc, f"buyer-{b.pk}"), b.name, b.uscc, "buyer")
        self.entity = self._party("agent", t.agent, None, "procuringEntity") if t.agent else self.buyer
        if not t.agent:
            self.buyer["roles"].append("procuringEntity")
        self.tenderers = {bid.pk: self._party(_party_id(bid.supplier_uscc, f"tenderer-{bid.pk}"), bid.supplier_name,
                                              bid.supplier_uscc, "tenderer")
                          for bid in self.bids}
        self.supplier = None
        if t.award_supplier:
            if t.winning_bid_id in self.tenderers:
                sid = self.tenderers[t.winning_bid_id]["id"]
            else:
                sid = _party_id(t.award_supplier_uscc, "supplier")
            self.supplier = self._party(sid, t.award_supplier, t.award_supplier_uscc, "supplier")

    def _party(self, pid, name, uscc, role):
        party = self.parties.get(pid)
        if party is None:
            party = self.parties[pid] = _org(pid, name, uscc, [])
        if role not in party["roles"]:
            party["roles"].append(role)
        return party

    # -- when things became known

    def evaluated(self):
        """The date the bids' statuses were settled: the evaluation report, else the award."""
        return self.t.evaluation_report or self.t.award_date

    def bids_date(self):
        """The date the bids are published: when evaluated, else when opened (then pending).

        Never before the deadline, so no bid is dated after the release that holds it."""
        t = self.t
        dates = [d for d in (t.bid_deadline, t.opening_date, self.evaluated()) if d]
        return max(dates) if dates else None

    def ended(self, as_of):
        """Whether the contract had come to its end by `as_of` (and by today)."""
        end = self.t.contract_end
        return bool(end and end < timezone.localdate() and end <= as_of)

    # -- sections

    def planning(self):
        p = self.t.project
        return {"budget": {"id": p.code, "description": p.name, "amount": value(p.total_funds),
                           "project": p.name, "projectID": p.code},
                "rationale": f"{p.year}年东西部协作项目"}

    def tender(self, stage, as_of):
        t = self.t
        awarded = stage in ("award", "contract", "implementation", "contractTermination")
        started = t.notice_date or t.docs_issued
        status = "complete" if awarded else ("active" if started and started <= as_of else "planned")
        section = {
            "id": f"{self.ocid}-tender",
            "title": t.title,
            "status": status,
            "procuringEntity": _ref(self.entity),
            "value": value(t.estimated_value),
            "procurementMethod": OCDS_METHOD.get(t.method, "limited"),
            "procurementMethodDetails": METHOD_NAMES[t.method],
            "mainProcurementCategory": "services" if t.item_kind == CONSULTANCY else t.item_kind,
            "documents": self.documents({"tenderNotice", "biddingDocuments", "evaluationReports", "other"}, as_of),
        }
        if self.bids_known(as_of):
            section["numberOfTenderers"] = len({p["id"] for p in self.tenderers.values()})
            section["tenderers"] = self.tenderer_refs()
        # The tender period is announced with the notice: its end is a plan, known from the start.
        start = t.docs_issued or t.notice_date
        if start or t.bid_deadline:
            section["tenderPeriod"] = {k: v for k, v in (("startDate", dt(start)), ("endDate", dt(t.bid_deadline)))
                                       if v}
        award_start = t.opening_date or t.evaluation_report
        period = {k: dt(v) for k, v in (("startDate", award_start), ("endDate", t.award_date))
                  if v and v <= as_of}
        if period:
            section["awardPeriod"] = period
        return section

    def tenderer_refs(self):
        refs = {}
        for p in self.tenderers.values():
            refs.setdefault(p["id"], _ref(p))
        return list(refs.values())

    def bids_known(self, as_of):
        date = self.bids_date()
        return bool(self.bids) and (date is None or date <= as_of)

    def bid_section(self, as_of):
        evaluated = self.evaluated()
        settled = evaluated is not None and evaluated <= as_of
        bidders = {self.tenderers[b.pk]["id"] for b in self.bids}
        statistics = [{"id": "1", "measure": "bids", "value": len(self.bids)},
                      {"id": "2", "measure": "bidders", "value": len(bidders)}]
        if settled:
            disqualified = {self.tenderers[b.pk]["id"] for b in self.bids if not b.valid}
            statistics += [
                {"id": "3", "measure": "validBids", "value": sum(1 for b in self.bids if b.valid)},
                # bidStatistics.csv of the bids extension counts organisations, not bids.
                {"id": "4", "measure": "disqualifiedBidders", "value": len(disqualified)},
            ]
        return {
            "statistics": statistics,
            "details": [
                {"id": str(b.pk), "date": dt(self.t.bid_deadline),
                 "status": ("valid" if b.valid else "disqualified") if settled else "pending",
                 "tenderers": [_ref(self.tenderers[b.pk])], "value": value(b.price)}
                for b in self.bids
            ],
        }

    def awards(self, as_of):
        t = self.t
        return [{"id": f"{self.ocid}-award", "title": t.title, "status": "active", "date": dt(t.award_date),
                 "value": value(t.award_value), "suppliers": [_ref(self.supplier)],
                 "documents": self.documents({"awardNotice"}, as_of)}]

    def contracts(self, as_of, with_implementation):
        t = self.t
        ended = self.ended(as_of)
        contract = {
            "id": f"{self.ocid}-contract", "awardID": f"{self.ocid}-award", "title": t.title,
            "status": "terminated" if ended else "active", "value": value(t.contract_value or t.award_value),
            "dateSigned": dt(t.contract_signed),
            "documents": self.documents({"contractSigned"}, as_of),
        }
        if t.contract_number:
            contract["description"] = f"合同编号：{t.contract_number}"
        if t.contract_start or t.contract_end:
            contract["period"] = {k: v for k, v in (("startDate", dt(t.contract_start)),
                                                    ("endDate", dt(t.contract_end))) if v}
        if with_implementation:
            amendments = [a for a in self.amendments if known(a.date, as_of)]
            if amendments:
                contract["amendments"] = [
                    {"id": str(a.pk), "date": dt(a.date), "rationale": a.description,
                     "description": f"合同金额{'增加' if a.value_change > 0 else '减少'}{money(abs(a.value_change))}"}
                    for a in amendments
                ]
            implementation = {"documents": self.documents({"contractAnnexe"}, as_of)}
            if t.contract_end:
                milestone = {"id": "completion", "title": "合同履行完成", "type": "delivery",
                             "dueDate": dt(t.contract_end), "status": "met" if ended else "scheduled"}
                if ended:
                    milestone["dateMet"] = dt(t.contract_end)
                implementation["milestones"] = [milestone]
            contract["implementation"] = implementation
        return [contract]

    def documents(self, kinds, as_of):
        return [{"id": str(d.pk), "documentType": d.kind, "title": d.title, "datePublished": dt(d.date),
                 "format": _mime(d.file.name), "language": "zh"}
                for d in self.t.documents.all() if d.kind in kinds and known(d.date, as_of)]

    # -- releases

    def stages(self):
        """Return [(tag, date)] of the stages this process has reached, in date order."""
        t = self.t
        out = [("planning", t.process_date)]
        if t.notice_date or t.docs_issued or self.bids:
            out.append(("tender", t.notice_date or t.docs_issued or t.bid_deadline or t.process_date))
        if self.bids:
            out.append(("tenderUpdate", self.bids_date() or t.process_date))
        if self.supplier:
            out.append(("award", t.award_date or t.bid_deadline or t.process_date))
        if self.supplier and (t.contract_signed or t.contract_value):
            out.append(("contract", t.contract_signed or t.award_date or t.process_date))
            if self.amendments or t.contract_end:
                last = max([a.date for a in self.amendments] + [t.contract_signed or t.process_date])
                out.append(("implementation", last))
            if t.contract_end and t.contract_end < timezone.localdate():
                out.append(("contractTermination", t.contract_end))
        # Dates are clamped so the list is in date order even when a later
        # stage was recorded with an earlier date by mistake.
        clamped, latest = [], datetime.date.min
        for tag, date in out:
            latest = max(latest, date)
            clamped.append((tag, latest))
        return clamped

    def release(self, stage, as_of, tag=None):
        """Return the release of `stage`: what was known on `as_of`, dated `as_of`."""
        reached = [s for s, _ in self.stages()]
        upto = reached[: reached.index(stage) + 1]
        r = {
            "ocid": self.ocid,
            "id": f"{self.ocid}-{tag or stage}",
            "date": dt(as_of),
            "tag": [tag or stage],
            "initiationType": "tender",
            "language": "zh",
            "buyer": _ref(self.buyer),
            "planning": self.planning(),
        }
        # A direct award has no tender stage of its own, but its method and
        # value still belong in the tender section once it is awarded.
        if "tender" in upto or "award" in upto:
            r["tender"] = self.tender(stage, as_of)
            if self.bids_known(as_of):
                r["bids"] = self.bid_section(as_of)
        if "award" in upto:
            r["awards"] = self.awards(as_of)
        if "contract" in upto:
            r["contracts"] = self.contracts(as_of, "implementation" in upto or "contractTermination" in upto)
        # Parties last: only those the sections above name.
        used = {self.buyer["id"], self.entity["id"]}
        if self.bids_known(as_of):
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
