"""Assessment endpoints: indicators, dashboard data, trends, roll-ups, IATI."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.errors import HttpError

from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.api_types import year_query
from xiezuo.front.params import MAX_ID
from xiezuo.pairings.api import years_from_params
from xiezuo.pairings.models import Region

from . import dashboard as dash
from . import iati, services
from .models import Indicator

router = Router(tags=["考核与看板"])


def _year(year):
    return years_from_params(year, None, None)[0]


@router.get("/assessment/ping", response=dict)
def ping(request):
    """Answer with almost nothing: the yardstick of the dashboard benchmark."""
    return {"ok": True}


@router.get("/assessment/indicators", response=list[dict])
def catalogue(request):
    return [{"code": i.code, "name": i.name, "unit": i.unit, "side": i.side, "computation": i.computation,
             "disaggregations": [{"name": n, "computation": c} for n, c in i.disaggregation_list()],
             "basis": i.basis, "active": i.active} for i in Indicator.objects.all()]


@router.get("/pairings/{pairing_id}/indicators", response=dict)
def indicators(request, pairing_id: int, year: int = year_query(...)):
    pairing = get_pairing(request.user, pairing_id)
    year = _year(year)
    rows, evaluation = services.indicators_for(pairing, year)
    return {"pairing": pairing.pk, "year": year, "locked": bool(evaluation and evaluation.is_locked),
            "indicators": rows}


@router.get("/pairings/{pairing_id}/dashboard", response=dict)
def dashboard(request, pairing_id: int, year: int = year_query(...)):
    pairing = get_pairing(request.user, pairing_id)
    year = _year(year)
    ids = services.subtree_ids([pairing])
    entry = services.cache_entries(ids, [year])[(pairing.pk, year)]
    if not entry.dashboard:
        rows, evaluation = services.indicators_for_figures(pairing, year, entry.figures)
        # A confirmed year shows what was confirmed, charts included.
        figures = (evaluation.snapshot.get("figures") if evaluation and evaluation.is_locked else None) or entry.figures
        payload = dash.build(pairing, year, ids[pairing.pk], figures, rows, evaluation)
        entry.dashboard = json.dumps(payload, ensure_ascii=False, cls=DjangoJSONEncoder)
        services.store_dashboard(entry, entry.dashboard)
    # Served as stored: the JSON was built once for this state of the ledgers.
    return HttpResponse(entry.dashboard, content_type="application/json; charset=utf-8")


@router.get("/pairings/{pairing_id}/trends", response=dict)
def trends(request, pairing_id: int, from_year: int = year_query(..., alias="from"), to: int = year_query(...)):
    pairing = get_pairing(request.user, pairing_id)
    years = years_from_params(None, from_year, to)
    if len(years) > 15:
        raise HttpError(422, "趋势最多显示15个年度")
    by_year = services.figures_by_year(services.subtree_ids([pairing]), years)
    return dash.trends(pairing, years, by_year)


@router.get("/assessment/rollup", response=dict)
def rollup(request, year: int = year_query(...), region: int | None = Query(None, ge=1, le=MAX_ID)):
    """Add up the county pairs within a region (all of them without one)."""
    year = _year(year)
    area = get_object_or_404(Region, pk=region) if region else None
    counties = services.county_pairs_within(area, scope_for(request.user))
    if not counties:
        raise HttpError(404, "该区域内没有您可查看的县级结对")
    total, per_county, rows = services.rollup(counties, year)
    return {
        "region": {"id": area.pk, "name": str(area)} if area else {"id": None, "name": "全国"},
        "year": year, "county_pairs": len(counties), "figures": total, "indicators": rows,
        "by_county": [{"pairing": c.pk, "name": str(c), **dash.headline(f)} for c, f in per_county],
    }


@router.get("/pairings/{pairing_id}/iati", response=dict, openapi_extra={
    "responses": {200: {"description": "IATI 2.03 activities XML", "content": {"application/xml": {}}},
                  "409": {"description": "未配置IATI报送机构（XIEZUO_REPORTING_ORG_REF、XIEZUO_REPORTING_ORG_NAME）",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}})
def iati_export(request, pairing_id: int, year: int = year_query(...)):
    pairing = get_pairing(request.user, pairing_id)
    year = _year(year)
    try:
        document = iati.activities_xml(pairing, year)
    except iati.MissingReportingOrg as e:
        raise HttpError(409, str(e)) from None
    response = HttpResponse(document, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="iati-{pairing.pk}-{year}.xml"'
    return response
