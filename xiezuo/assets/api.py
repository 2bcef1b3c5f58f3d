"""JSON endpoints of the asset ledger: list, register (from a project),
read, change, take a disposal step, add a care record and an income with
its shares. Input goes through the page's forms and the steps through the
model's methods, so a rule holds whichever door a record comes in by."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.api_helpers import IF_MATCH, etag_of, loaded_version_from, save_or_409, state_change
from xiezuo.api_types import choices, year_query

from .forms import AssetForm, CareForm, IncomeForm
from .models import OPERATING, Asset, AssetCare, AssetIncome, AssetIncomeShare
from .views import filtered

router = Router(tags=["资产后续管理"])

Kind = choices(Asset, "kind")
KindFilter = choices(Asset, "kind", blank=True)
StatusFilter = choices(Asset, "status", blank=True)
ShareKind = choices(AssetIncomeShare, "kind")
Method = choices(Asset, "disposal_method", blank=True)


class AssetIn(Schema):
    name: str
    kind: Kind
    value: Decimal
    final_accounts_ref: str = ""
    owner: int
    location: str = ""
    handed_over_on: datetime.date
    handover_ref: str = ""
    custodian_unit: int | None = None
    custodian_person: str = ""
    note: str = ""


class StepIn(Schema):
    step: Literal["request", "approve", "reject"]
    reason: str = ""
    method: Method = ""
    value: Decimal | None = None


class CareIn(Schema):
    date: datetime.date
    unit: str
    person: str = ""
    content: str
    cost: Decimal = Decimal("0")


class ShareIn(Schema):
    kind: ShareKind
    description: str = ""
    amount: Decimal
    households: int = 0
    poor_households: int = 0


class IncomeIn(Schema):
    year: int
    date: datetime.date
    amount: Decimal
    note: str = ""
    shares: list[ShareIn]


class CareOut(Schema):
    id: int
    year: int
    date: datetime.date
    unit: str
    person: str
    content: str
    cost: Decimal


class ShareOut(Schema):
    kind: str
    kind_display: str
    description: str
    amount: Decimal
    households: int
    poor_households: int


class IncomeOut(Schema):
    id: int
    year: int
    date: datetime.date
    amount: Decimal
    note: str
    shares: list[ShareOut]


class AssetOut(Schema):
    id: int
    pairing: int
    project: int
    project_code: str
    name: str
    kind: str
    kind_display: str
    value: Decimal
    final_accounts_ref: str
    owner: int
    owner_name: str
    location: str
    handed_over_on: datetime.date
    year: int
    handover_ref: str
    custodian_unit: int | None
    custodian_person: str
    note: str
    status: str
    status_display: str
    disposal_method: str
    disposal_value: Decimal | None
    disposal_reason: str
    disposal_requested_by: str
    disposal_approved_by: str
    disposed_on: datetime.date | None
    reject_reason: str
    allowed_steps: list[str]
    care: list[CareOut]
    incomes: list[IncomeOut]
    is_demo: bool
    version: int


def income_out(i):
    return {"id": i.pk, "year": i.year, "date": i.date, "amount": i.amount, "note": i.note,
            "shares": [{"kind": s.kind, "kind_display": str(s.get_kind_display()), "description": s.description,
                        "amount": s.amount, "households": s.households, "poor_households": s.poor_households}
                       for s in i.shares.all()]}


def asset_out(a, user):
    return {"id": a.pk, "pairing": a.pairing_id, "project": a.project_id, "project_code": a.project.code,
            "name": a.name, "kind": a.kind, "kind_display": str(a.get_kind_display()), "value": a.value,
            "final_accounts_ref": a.final_accounts_ref, "owner": a.owner_id, "owner_name": str(a.owner),
            "location": a.location, "handed_over_on": a.handed_over_on, "year": a.year,
            "handover_ref": a.handover_ref, "custodian_unit": a.custodian_unit_id,
            "custodian_person": a.custodian_person, "note": a.note, "status": a.status,
            "status_display": str(a.get_status_display()), "disposal_method": a.disposal_method,
            "disposal_value": a.disposal_value, "disposal_reason": a.disposal_reason,
            "disposal_requested_by": str(a.disposal_requested_by or ""),
            "disposal_approved_by": str(a.disposal_approved_by or ""), "disposed_on": a.disposed_on,
            "reject_reason": a.reject_reason, "allowed_steps": a.allowed_steps(user),
            "care": [{"id": c.pk, "year": c.year, "date": c.date, "unit": c.unit, "person": c.person,
                      "content": c.content, "cost": c.cost} for c in a.care.all()],
            "incomes": [income_out(i) for i in a.incomes.prefetch_related("shares")],
            "is_demo": a.is_demo, "version": a.version}


def _assets():
    return Asset.objects.select_related("project", "owner", "disposal_requested_by", "disposal_approved_by")


def _errors(form):
    return ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})


def _save(request, asset, data, loaded=None):
    values = {k: v for k, v in data.dict().items() if v is not None}
    if loaded is not None:
        values["loaded_version"] = loaded
    form = AssetForm(values, instance=asset, user=request.user)
    if not form.is_valid():
        raise _errors(form)
    return save_or_409(form.save)


@router.get("/pairings/{pairing_id}/assets", response=list[AssetOut])
def list_assets(request, pairing_id: int, year: int | None = year_query(), status: StatusFilter = "",
                kind: KindFilter = ""):
    pairing = get_pairing(request.user, pairing_id)
    qs = scope_for(request.user).filter(_assets().within(pairing))
    qs = filtered(qs, {"status": status, "kind": kind}, year)
    return [asset_out(a, request.user) for a in qs[:1000]]


@router.post("/projects/{project_id}/assets", response={201: AssetOut},
             description="登记项目形成的资产（项目须已验收）。项目移交（资产移交）前须至少登记一项资产。")
def create_asset(request, project_id: int, data: AssetIn):
    from xiezuo.funds.models import Project

    project = scope_for(request.user).get(Project.objects.select_related("pairing"), project_id, "write")
    asset = _save(request, Asset(pairing=project.pairing, project=project), data)
    return Status(201, asset_out(asset, request.user))


@router.get("/assets/{asset_id}", response=AssetOut)
def get_asset(request, asset_id: int, response: HttpResponse):
    asset = scope_for(request.user).get(_assets(), asset_id)
    response["ETag"] = etag_of(asset)
    return asset_out(asset, request.user)


@router.put("/assets/{asset_id}", response=AssetOut)
def update_asset(request, asset_id: int, data: AssetIn, response: HttpResponse):
    asset = scope_for(request.user).get(_assets(), asset_id, "write")
    loaded = loaded_version_from(request, asset)
    if not asset.may_edit(request.user):
        raise ValidationError(gettext("申请处置或已处置的资产不能修改"))
    saved = _save(request, asset, data, loaded)
    response["ETag"] = etag_of(saved)
    return asset_out(saved, request.user)


@router.post("/assets/{asset_id}/steps", response=AssetOut, openapi_extra=IF_MATCH,
             description="申请处置（request，须填 reason、method，可填 value）、批准处置（approve）或退回（reject，须填 "
                         "reason）。须带 If-Match；批准与退回须由申请人以外的另一人办理。")
def take_step(request, asset_id: int, data: StepIn, response: HttpResponse):
    asset = scope_for(request.user).get(_assets(), asset_id, "write")
    if data.step == "request":
        state_change(request, asset, lambda loaded: asset.request_disposal(
            request.user, data.reason, data.method, data.value, loaded_version=loaded))
    elif data.step == "approve":
        state_change(request, asset, lambda loaded: asset.approve_disposal(request.user, loaded_version=loaded))
    else:
        state_change(request, asset, lambda loaded: asset.reject_disposal(request.user, data.reason,
                                                                          loaded_version=loaded))
    asset = scope_for(request.user).get(_assets(), asset_id)
    response["ETag"] = etag_of(asset)
    return asset_out(asset, request.user)


@router.post("/assets/{asset_id}/care", response={201: CareOut})
def add_care(request, asset_id: int, data: CareIn):
    asset = scope_for(request.user).get(_assets(), asset_id, "write")
    form = CareForm(data.dict(), instance=AssetCare(asset=asset))
    if not form.is_valid():
        raise _errors(form)
    care = form.save()
    return Status(201, {"id": care.pk, "year": care.year, "date": care.date, "unit": care.unit,
                        "person": care.person, "content": care.content, "cost": care.cost})


@router.post("/assets/{asset_id}/incomes", response={201: IncomeOut},
             description="登记经营性资产的收益及其分配；分配合计不得超过收益金额，收益与分配一并保存或都不保存。")
def add_income(request, asset_id: int, data: IncomeIn):
    asset = scope_for(request.user).get(_assets(), asset_id, "write")
    if asset.kind != OPERATING:
        raise ValidationError({"asset": gettext("只有经营性资产登记收益及其分配；“%(asset)s”为%(kind)s资产") % {
            "asset": asset, "kind": asset.get_kind_display()}})
    values = {k: v for k, v in data.dict().items() if k != "shares"}
    prefix = "shares"
    values.update({f"{prefix}-TOTAL_FORMS": len(data.shares), f"{prefix}-INITIAL_FORMS": 0,
                   f"{prefix}-MIN_NUM_FORMS": 1, f"{prefix}-MAX_NUM_FORMS": 1000})
    for n, share in enumerate(data.shares):
        values.update({f"{prefix}-{n}-{k}": v for k, v in share.dict().items()})
    form = IncomeForm(values, instance=AssetIncome(asset=asset))
    if not form.is_valid():
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        for n, f in enumerate(form.shares.forms):
            for k, v in f.errors.items():
                errors[f"shares.{n}.{k}"] = [str(m) for m in v]
        if form.shares.non_form_errors():
            errors["shares"] = [str(m) for m in form.shares.non_form_errors()]
        raise ValidationError(errors)
    income = form.save()
    return Status(201, income_out(income))
