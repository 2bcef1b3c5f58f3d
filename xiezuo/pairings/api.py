from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import HttpError

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.api_helpers import etag_of, loaded_version_from
from xiezuo.api_types import year_query
from xiezuo.figures import cached
from xiezuo.front.forms import save_versioned

from .models import Agreement, AgreementTarget, Organisation, Region
from .schemas import AgreementIn, AgreementOut, OrganisationIn, OrganisationOut, PairingOut, RegionOut

router = Router(tags=["结对与单位"])


def pairing_out(p):
    return {
        "id": p.pk, "name": str(p), "east": p.east_name, "west": p.west_name,
        "level": p.level, "level_display": p.get_level_display(), "parent": p.parent_id,
        "east_region": p.east_region_id, "west_region": p.west_region_id, "since": p.since,
    }


def agreement_out(a):
    return {
        "id": a.pk, "pairing": a.pairing_id, "year": a.year, "title": a.title,
        "signed_on": a.signed_on, "doc_number": a.doc_number,
        "targets": [{"indicator": t.indicator, "value": t.value, "unit": t.unit} for t in a.targets.all()],
    }


@router.get("/regions/", response=list[RegionOut])
def list_regions(request, parent: int | None = None):
    # Regions are the public national code list: every signed-in user reads them.
    qs = Region.objects.all()
    if parent is not None:
        qs = qs.filter(parent_id=parent)
    return [
        {"id": r.pk, "code": r.code, "name": r.name, "full_name": r.full_name, "level": r.level, "parent": r.parent_id}
        for r in qs
    ]


def visible_organisations(user, perm="read"):
    return Organisation.objects.filter(scope_for(user).region_q(perm=perm))


@router.get("/organisations/", response=list[OrganisationOut])
def list_organisations(request, q: str = ""):
    qs = visible_organisations(request.user)
    if q:
        qs = qs.filter(name__icontains=q)
    return [{"id": o.pk, "name": o.name, "kind": o.kind, "region": o.region_id, "uscc": o.uscc} for o in qs[:500]]


def org_out(o):
    return {"id": o.pk, "name": o.name, "kind": o.kind, "region": o.region_id, "uscc": o.uscc}


@router.get("/organisations/{org_id}", response=OrganisationOut)
def get_organisation(request, org_id: int, response: HttpResponse):
    o = get_object_or_404(visible_organisations(request.user), pk=org_id)
    response["ETag"] = etag_of(o)
    return org_out(o)


@router.put("/organisations/{org_id}", response=OrganisationOut)
def update_organisation(request, org_id: int, data: OrganisationIn, response: HttpResponse):
    org = get_object_or_404(visible_organisations(request.user), pk=org_id)
    writable = Region.objects.filter(scope_for(request.user).region_q(field=None, perm="write"))
    if not writable.filter(pk=org.region_id).exists() or not writable.filter(pk=data.region).exists():
        raise HttpError(403, _("无权修改该单位"))
    loaded = loaded_version_from(request, org)
    org.name, org.kind, org.region_id, org.uscc, org.legal_rep = (
        data.name, data.kind, data.region, data.uscc, data.legal_rep)
    org.full_clean()
    try:
        save_versioned(org, loaded)
    except ValidationError as e:
        raise HttpError(409, e.messages[0]) from None
    response["ETag"] = etag_of(org)
    return org_out(org)


@router.post("/organisations/", response={201: OrganisationOut})
def create_organisation(request, data: OrganisationIn):
    # New units may be registered only inside the regions of pairings the
    # user may write to.
    region = Region.objects.filter(scope_for(request.user).region_q(field=None, perm="write")).filter(
        pk=data.region).first()
    if region is None:
        raise HttpError(403, _("无权在该区划下登记单位"))
    org = Organisation(name=data.name, kind=data.kind, region=region, uscc=data.uscc, legal_rep=data.legal_rep)
    org.full_clean()
    org.save()
    return Status(201, org_out(org))


@router.get("/pairings/", response=list[PairingOut])
def list_pairings(request):
    qs = scope_for(request.user).pairings().select_related("east_region", "west_region", "east_org", "west_org")
    return [pairing_out(p) for p in qs]


@router.get("/pairings/{pairing_id}", response=PairingOut)
def get_pairing_api(request, pairing_id: int):
    return pairing_out(get_pairing(request.user, pairing_id))


@router.get("/pairings/{pairing_id}/agreements", response=list[AgreementOut])
def list_agreements(request, pairing_id: int):
    pairing = get_pairing(request.user, pairing_id)
    return [agreement_out(a) for a in pairing.agreements.prefetch_related("targets")]


@router.post("/pairings/{pairing_id}/agreements", response={201: AgreementOut})
def create_agreement(request, pairing_id: int, data: AgreementIn):
    pairing = get_pairing(request.user, pairing_id, "write")
    with transaction.atomic():
        agreement = Agreement(pairing=pairing, year=data.year, title=data.title, signed_on=data.signed_on,
                              doc_number=data.doc_number, note=data.note)
        agreement.full_clean()
        agreement.save()
        for t in data.targets:
            target = AgreementTarget(agreement=agreement, indicator=t.indicator, value=t.value, unit=t.unit)
            target.full_clean()
            target.save()
    return Status(201, agreement_out(agreement))


@router.get("/agreements/{agreement_id}", response=AgreementOut)
def get_agreement(request, agreement_id: int):
    agreement = scope_for(request.user).get(Agreement.objects.prefetch_related("targets"), agreement_id)
    return agreement_out(agreement)


def years_from_params(year, from_year, to_year):
    """Return the list of years asked for, or raise a 422 with a Chinese message."""
    if year is not None:
        first = last = year
    elif from_year is not None and to_year is not None:
        first, last = from_year, to_year
    else:
        raise HttpError(422, _("请提供 year=YYYY，或同时提供 from=YYYY 与 to=YYYY"))
    if not (2000 <= first <= 2100 and 2000 <= last <= 2100):
        raise HttpError(422, _("年度应在2000至2100之间"))
    if first > last:
        raise HttpError(422, _("起始年度不能晚于结束年度"))
    return list(range(first, last + 1))


@router.get("/pairings/{pairing_id}/figures", response=dict)
def figures(request, pairing_id: int, year: int | None = year_query(),
            from_year: int | None = year_query(alias="from"), to: int | None = year_query()):
    pairing = get_pairing(request.user, pairing_id)
    return cached(pairing, years_from_params(year, from_year, to))
