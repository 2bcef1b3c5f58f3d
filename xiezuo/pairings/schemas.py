from datetime import date
from decimal import Decimal

from ninja import Schema

from xiezuo.api_types import Year, choices

from .models import Organisation


class RegionOut(Schema):
    id: int
    code: str | None
    name: str
    full_name: str
    level: str
    parent: int | None


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    region: int
    uscc: str | None


class OrganisationIn(Schema):
    name: str
    kind: choices(Organisation, "kind")
    region: int
    uscc: str | None = None
    legal_rep: str = ""


class PairingOut(Schema):
    id: int
    name: str
    east: str
    west: str
    level: str
    level_display: str
    parent: int | None
    east_region: int
    west_region: int
    since: date | None


class TargetOut(Schema):
    indicator: str
    value: Decimal
    unit: str


class TargetIn(Schema):
    indicator: str
    value: Decimal
    unit: str = ""


class AgreementOut(Schema):
    id: int
    pairing: int
    year: int
    title: str
    signed_on: date | None
    doc_number: str
    targets: list[TargetOut]


class AgreementIn(Schema):
    year: Year
    title: str
    signed_on: date | None = None
    doc_number: str = ""
    note: str = ""
    targets: list[TargetIn] = []
