import datetime
from decimal import Decimal

from ninja import Schema

from xiezuo.api_types import Year, choices

from .models import FundReceipt, Project

# Declared with the model's choices, so the OpenAPI schema lists them.
ProjectStatus = choices(Project, "status")


class ReceiptOut(Schema):
    id: int
    pairing: int
    year: int
    kind: str
    kind_display: str
    payer: int | None
    payer_name: str
    payer_level: str
    payer_level_display: str
    doc_number: str
    date: datetime.date
    amount: str
    note: str
    is_demo: bool
    version: int


class ReceiptIn(Schema):
    pairing: int | None = None
    year: Year
    kind: choices(FundReceipt, "kind")
    payer: int | None = None
    # Left empty: the level of the payer's region, else of the pairing's eastern party.
    payer_level: choices(FundReceipt, "payer_level", blank=True) = ""
    doc_number: str = ""
    date: datetime.date
    amount: Decimal
    note: str = ""


class BeneficiaryIO(Schema):
    kind: str
    count: int


class OutputIO(Schema):
    name: str
    quantity: Decimal
    unit: str
    note: str = ""


class ProjectOut(Schema):
    id: int
    pairing: int
    code: str
    name: str
    year: int
    category: str
    category_name: str
    township: int | None
    township_name: str
    village: int | None
    implementing_unit: int | None
    implementing_unit_name: str
    sub_pairing: int | None
    coop_funds: str
    other_funds: str
    planned_start: datetime.date | None
    planned_finish: datetime.date | None
    actual_start: datetime.date | None
    actual_finish: datetime.date | None
    status: str
    status_display: str
    terminated_reason: str
    linkage: list[str]
    linkage_note: str
    description: str
    library_entry: int | None = None
    is_demo: bool
    version: int


class ProjectDetailOut(ProjectOut):
    disbursed: str
    beneficiaries: list[BeneficiaryIO]
    outputs: list[OutputIO]
    status_changes: list[dict]
    allowed_steps: list[str]
    alerts: list[dict]


class ProjectPage(Schema):
    count: int
    page: int
    pages: int
    results: list[ProjectOut]


class ProjectIn(Schema):
    code: str
    name: str
    year: Year
    category: str
    township: int | None = None
    village: int | None = None
    implementing_unit: int | None = None
    sub_pairing: int | None = None
    coop_funds: Decimal = Decimal("0")
    other_funds: Decimal = Decimal("0")
    planned_start: datetime.date | None = None
    planned_finish: datetime.date | None = None
    actual_start: datetime.date | None = None
    actual_finish: datetime.date | None = None
    linkage: list[str] = []
    linkage_note: str = ""
    description: str = ""
    library_entry: int | None = None


class TransitionIn(Schema):
    to: ProjectStatus
    date: datetime.date | None = None
    reason: str = ""


class DisbursementOut(Schema):
    id: int
    project: int
    project_name: str
    date: datetime.date
    amount: str
    voucher_number: str
    purpose: str
    status: str
    status_display: str
    submitted_by: str
    decided_by: str
    return_reason: str
    version: int


class DisbursementIn(Schema):
    date: datetime.date
    amount: Decimal
    voucher_number: str = ""
    purpose: str


class ReturnIn(Schema):
    reason: str
