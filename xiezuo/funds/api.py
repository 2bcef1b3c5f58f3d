"""JSON endpoints of the funds ledger. They reach data through the same
scope helpers as the pages and validate input with the pages' forms, so a
rule holds the same way whichever door a record comes in by."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from lib.money import yuan_str
from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.api_helpers import IF_MATCH, etag_of, loaded_version_from, state_change
from xiezuo.api_types import choices, page_query, year_query
from xiezuo.front.params import MAX_ID

from . import health
from .forms import ProjectForm, ReceiptForm
from .models import Disbursement, FundReceipt, Project, ProjectCategory
from .schemas import (DisbursementIn, DisbursementOut, ProjectDetailOut, ProjectIn, ProjectPage, ReceiptIn,
                      ReceiptOut, ReturnIn, TransitionIn)
from .views import PER_PAGE

router = Router(tags=["资金与项目"])


# Filters declared with their choices, so the schema lists them.
ReceiptKind = choices(FundReceipt, "kind", blank=True)
ProjectStatus = choices(Project, "status", blank=True)


def form_errors(form):
    raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})


def save_or_409(save):
    """Run a save; a version conflict (someone saved in between) answers 409."""
    try:
        return save()
    except ValidationError as e:
        if getattr(e, "code", None) == "conflict":
            raise HttpError(409, e.messages[0]) from None
        raise


def receipt_out(r):
    return {"id": r.pk, "pairing": r.pairing_id, "year": r.year, "kind": r.kind, "kind_display": r.get_kind_display(),
            "payer": r.payer_id, "payer_name": str(r.payer or ""), "payer_level": r.payer_level,
            "payer_level_display": r.get_payer_level_display(), "doc_number": r.doc_number, "date": r.date,
            "amount": yuan_str(r.amount), "note": r.note, "is_demo": r.is_demo, "version": r.version}


def project_out(p):
    return {"id": p.pk, "pairing": p.pairing_id, "code": p.code, "name": p.name, "year": p.year,
            "category": p.category.code, "category_name": p.category.name, "township": p.township_id,
            "township_name": p.township.name if p.township else "", "village": p.village_id,
            "implementing_unit": p.implementing_unit_id, "implementing_unit_name": str(p.implementing_unit or ""),
            "sub_pairing": p.sub_pairing_id, "coop_funds": yuan_str(p.coop_funds),
            "other_funds": yuan_str(p.other_funds), "planned_start": p.planned_start,
            "planned_finish": p.planned_finish, "actual_start": p.actual_start, "actual_finish": p.actual_finish,
            "status": p.status, "status_display": p.get_status_display(), "terminated_reason": p.terminated_reason,
            "linkage": p.linkage_codes(), "linkage_note": p.linkage_note, "description": p.description,
            "library_entry": p.library_entry_id, "is_demo": p.is_demo, "version": p.version}


def project_detail_out(p, user):
    data = project_out(p)
    data.update(
        disbursed=yuan_str(p.confirmed_disbursed()),
        beneficiaries=[{"kind": b.kind, "count": b.count} for b in p.beneficiaries.all()],
        outputs=[{"name": o.name, "quantity": o.quantity, "unit": o.unit, "note": o.note} for o in p.outputs.all()],
        status_changes=[{"from": c.from_status, "to": c.to_status, "date": c.date.isoformat(),
                         "user": str(c.user or ""), "reason": c.reason}
                        for c in p.status_changes.select_related("user")],
        allowed_steps=p.allowed_steps(scope_for(user)),
        alerts=[a.as_dict() for a in health.alerts(Project.objects.filter(pk=p.pk))],
    )
    return data


def disbursement_out(d):
    return {"id": d.pk, "project": d.project_id, "project_name": d.project.name, "date": d.date,
            "amount": yuan_str(d.amount), "voucher_number": d.voucher_number, "purpose": d.purpose,
            "status": d.status, "status_display": d.get_status_display(),
            "submitted_by": str(d.submitted_by or ""), "decided_by": str(d.decided_by or ""),
            "return_reason": d.return_reason, "version": d.version}


def form_data(data, loaded=None, **extra):
    values = {k: v for k, v in data.dict().items() if v is not None}
    values.update(extra)
    if loaded is not None:
        values["loaded_version"] = loaded
    return values


# -- receipts ----------------------------------------------------------------

@router.get("/pairings/{pairing_id}/fund-receipts", response=list[ReceiptOut])
def list_receipts(request, pairing_id: int, year: int | None = year_query(),
                  kind: ReceiptKind = ""):
    pairing = get_pairing(request.user, pairing_id)
    qs = scope_for(request.user).filter(FundReceipt.objects.filter(pairing__path__startswith=pairing.path))
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return [receipt_out(r) for r in qs.select_related("payer")]


def _save_receipt(request, pairing, receipt, data, loaded=None):
    form = ReceiptForm(form_data(data, loaded, pairing=data.pairing or receipt.pairing_id), instance=receipt,
                       pairing=pairing, scope=scope_for(request.user))
    if not form.is_valid():
        form_errors(form)
    return save_or_409(form.save)


@router.post("/pairings/{pairing_id}/fund-receipts", response={201: ReceiptOut})
def create_receipt(request, pairing_id: int, data: ReceiptIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    return Status(201, receipt_out(_save_receipt(request, pairing, FundReceipt(pairing=pairing), data)))


@router.get("/fund-receipts/{fund_receipt_id}", response=ReceiptOut)
def get_receipt(request, fund_receipt_id: int, response: HttpResponse):
    receipt = scope_for(request.user).get(FundReceipt.objects.select_related("payer"), fund_receipt_id)
    response["ETag"] = etag_of(receipt)
    return receipt_out(receipt)


@router.put("/fund-receipts/{fund_receipt_id}", response=ReceiptOut)
def update_receipt(request, fund_receipt_id: int, data: ReceiptIn, response: HttpResponse):
    receipt = scope_for(request.user).get(FundReceipt.objects.select_related("pairing"), fund_receipt_id, "write")
    saved = _save_receipt(request, receipt.pairing, receipt, data, loaded_version_from(request, receipt))
    response["ETag"] = etag_of(saved)
    return receipt_out(saved)


# -- projects ----------------------------------------------------------------

@router.get("/pairings/{pairing_id}/projects", response=ProjectPage)
def list_projects(request, pairing_id: int, year: int | None = year_query(), category: str = "",
                  status: ProjectStatus = "",
                  township: int | None = Query(None, ge=1, le=MAX_ID), q: str = "", sort: str = "",
                  page: int = page_query()):
    pairing = get_pairing(request.user, pairing_id)
    qs = (scope_for(request.user).filter(Project.objects.in_subtree(pairing))
          .filter_by(year, category, status, township, q).sorted_by(sort)
          .select_related("category", "township", "implementing_unit"))
    count = qs.count()
    pages = max(1, -(-count // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = qs[(page - 1) * PER_PAGE: page * PER_PAGE]
    return {"count": count, "page": page, "pages": pages, "results": [project_out(p) for p in rows]}


def _save_project(request, pairing, project, data, loaded=None):
    values = form_data(data, loaded)
    category = ProjectCategory.objects.filter(code=data.category).first()
    if category is None:
        raise ValidationError({"category": [_("项目类别“%(category)s”不存在") % {"category": data.category}]})
    values["category"] = category.pk
    form = ProjectForm(values, instance=project, pairing=pairing, scope=scope_for(request.user))
    if not form.is_valid():
        form_errors(form)
    return save_or_409(form.save)


@router.post("/pairings/{pairing_id}/projects", response={201: ProjectDetailOut})
def create_project(request, pairing_id: int, data: ProjectIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    project = _save_project(request, pairing, Project(pairing=pairing), data)
    return Status(201, project_detail_out(scope_for(request.user).get(Project.objects.for_detail(), project.pk), request.user))


@router.get("/projects/{project_id}", response=ProjectDetailOut)
def get_project_api(request, project_id: int, response: HttpResponse):
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id)
    response["ETag"] = etag_of(project)
    return project_detail_out(project, request.user)


@router.put("/projects/{project_id}", response=ProjectDetailOut)
def update_project(request, project_id: int, data: ProjectIn, response: HttpResponse):
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id, "write")
    _save_project(request, project.pairing, project, data, loaded_version_from(request, project))
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id)
    response["ETag"] = etag_of(project)
    return project_detail_out(project, request.user)


@router.post("/projects/{project_id}/transitions", response=ProjectDetailOut, openapi_extra=IF_MATCH,
             description="须带 If-Match（读取项目时的 ETag）；项目已被他人修改则 412。")
def transition(request, project_id: int, data: TransitionIn):
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id)
    state_change(request, project,
                 lambda loaded: project.transition(request.user, data.to, data.date, data.reason, loaded_version=loaded))
    return project_detail_out(scope_for(request.user).get(Project.objects.for_detail(), project_id), request.user)


# -- disbursements -----------------------------------------------------------

@router.get("/projects/{project_id}/disbursements", response=list[DisbursementOut])
def list_disbursements(request, project_id: int):
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id)
    return [disbursement_out(d) for d in project.disbursements.select_related("project", "submitted_by", "decided_by")]


@router.post("/projects/{project_id}/disbursements", response={201: DisbursementOut})
def submit_disbursement(request, project_id: int, data: DisbursementIn):
    project = scope_for(request.user).get(Project.objects.for_detail(), project_id, "west")
    d = Disbursement(project=project, date=data.date, amount=data.amount, voucher_number=data.voucher_number,
                     purpose=data.purpose)
    d.submit(request.user)
    return Status(201, disbursement_out(d))


@router.get("/disbursements/{disbursement_id}", response=DisbursementOut)
def get_disbursement(request, disbursement_id: int, response: HttpResponse):
    d = scope_for(request.user).get(Disbursement.objects.for_detail(), disbursement_id, "read")
    response["ETag"] = etag_of(d)
    return disbursement_out(d)


@router.put("/disbursements/{disbursement_id}", response=DisbursementOut)
def resubmit_disbursement(request, disbursement_id: int, data: DisbursementIn, response: HttpResponse):
    """Change a submitted or returned disbursement and submit it again."""
    d = scope_for(request.user).get(Disbursement.objects.for_detail(), disbursement_id, "west")
    d.version = loaded_version_from(request, d)
    d.date, d.amount, d.voucher_number, d.purpose = data.date, data.amount, data.voucher_number, data.purpose
    save_or_409(lambda: d.submit(request.user))
    response["ETag"] = etag_of(d)
    return disbursement_out(d)


@router.post("/disbursements/{disbursement_id}/confirm", response=DisbursementOut, openapi_extra=IF_MATCH,
             description="须带 If-Match（读取拨付时的 ETag）：确认的是读取时的金额；其后被修改则 412。")
def confirm_disbursement(request, disbursement_id: int):
    d = scope_for(request.user).get(Disbursement.objects.for_detail(), disbursement_id, "east")
    with transaction.atomic():
        state_change(request, d, lambda loaded: d.confirm(request.user, loaded_version=loaded))
    return disbursement_out(scope_for(request.user).get(Disbursement.objects.for_detail(), disbursement_id, "read"))


@router.post("/disbursements/{disbursement_id}/return", response=DisbursementOut, openapi_extra=IF_MATCH,
             description="须带 If-Match（读取拨付时的 ETag）；其后被修改则 412。")
def return_disbursement(request, disbursement_id: int, data: ReturnIn):
    d = scope_for(request.user).get(Disbursement.objects.for_detail(), disbursement_id, "east")
    state_change(request, d, lambda loaded: d.send_back(request.user, data.reason, loaded_version=loaded))
    return disbursement_out(scope_for(request.user).get(Disbursement.objects.for_detail(), disbursement_id, "read"))


# -- health ------------------------------------------------------------------

@router.get("/pairings/{pairing_id}/health", response=list[dict])
def pairing_health(request, pairing_id: int):
    pairing = get_pairing(request.user, pairing_id)
    projects = scope_for(request.user).filter(Project.objects.in_subtree(pairing))
    return [a.as_dict() for a in health.alerts(projects)]
