"""Assessment endpoints: indicators, dashboard data, trends, roll-ups, IATI."""


from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError

from xiezuo import figures as registry
from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.api_types import year_query
from xiezuo.front.params import MAX_ID
from xiezuo.pairings.api import years_from_params
from xiezuo.pairings.models import Region

from . import dashboard as dash
from . import iati, services, workflow
from .models import Indicator, SelfEvaluation

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
    rows, evaluations = services.indicators_for(pairing, year)
    return {"pairing": pairing.pk, "year": year, "locked": services.year_locked(evaluations),
            "self_evaluations": services.evaluation_states(evaluations), "indicators": rows}


@router.get("/pairings/{pairing_id}/dashboard", response=dict)
def dashboard(request, pairing_id: int, year: int = year_query(...)):
    pairing = get_pairing(request.user, pairing_id)
    year = _year(year)
    return HttpResponse(dash.reader_text(pairing, year), content_type="application/json; charset=utf-8")


def _opinion(o):
    return {"side": o["side"], "by": o["by_name"], "at": o["at"], "text": o["text"]}


def _report(e):
    return {"id": e.pk, "side": e.side, "title": str(e), "status": e.status, "locked": e.is_locked,
            "version": e.version, "grade": e.grade or None, "snapshot_at": e.snapshot_at,
            "submitted_at": e.submitted_at, "finalised_at": e.confirmed_at,
            "opinions": [_opinion(o) for o in e.opinions],
            "indicators": (e.snapshot or {}).get("indicators") or []}


@router.get("/pairings/{pairing_id}/self-evaluations", response=dict)
def self_evaluations(request, pairing_id: int, year: int = year_query(...)):
    """Both sides' self-evaluation reports of a year (东部、西部自评报告), each
    with its side, status, the other side's views and its indicator rows."""
    pairing = get_pairing(request.user, pairing_id)
    year = _year(year)
    found = SelfEvaluation.objects.of_year(pairing, year)
    return {"pairing": pairing.pk, "year": year,
            "reports": [_report(found[side]) for side in ("east", "west") if side in found]}


@router.get("/pairings/{pairing_id}/cross-check", response=dict)
def cross_check(request, pairing_id: int, year: int = year_query(...)):
    """The 互评 comparison: both sides' figures per indicator, differences flagged."""
    pairing = get_pairing(request.user, pairing_id)
    year = _year(year)
    found = workflow.cross_check(pairing, year)
    keep = ("target", "actual", "completion", "target_display", "actual_display")

    def figures(row):
        return {k: row.get(k) for k in keep} if row else None

    return {"pairing": pairing.pk, "year": year, "differences": found["differences"],
            "sources": {side: ({"status": e.status, "snapshot_at": e.snapshot_at} if e else None)
                        for side, e in found["sources"].items()},
            "indicators": [{"code": r["code"], "name": r["name"], "unit": r["unit"], "side": r["side"],
                            "east": figures(r["east"]), "west": figures(r["west"]), "differs": r["differs"],
                            "flags": r["flags"]} for r in found["rows"]]}


@router.get("/pairings/{pairing_id}/trends", response=dict)
def trends(request, pairing_id: int, from_year: int = year_query(..., alias="from"), to: int = year_query(...)):
    pairing = get_pairing(request.user, pairing_id)
    years = years_from_params(None, from_year, to)
    if len(years) > 15:
        raise HttpError(422, _("趋势最多显示15个年度"))
    ids = services.subtree_ids([pairing])[pairing.pk]
    # Years whose cached figures are fresh for the trend's sections come from
    # the cache; the others are computed together in grouped queries.
    sections = {path.split(".", 1)[0] for path in dash.TREND_PATHS}
    by_year = services.fresh_cached(pairing.pk, ids, years, sections)
    missing = [y for y in years if y not in by_year]
    if missing:
        by_year.update(registry.headline_by_year(ids, missing, dash.TREND_PATHS))
    return dash.translated(dash.trends(years, by_year))


@router.get("/assessment/rollup", response=dict)
def rollup(request, year: int = year_query(...), region: int | None = Query(None, ge=1, le=MAX_ID)):
    """Add up the county pairs within a region (all of them without one)."""
    year = _year(year)
    area = get_object_or_404(Region, pk=region) if region else None
    counties = services.county_pairs_within(area, scope_for(request.user))
    if not counties:
        raise HttpError(404, _("该区域内没有您可查看的县级结对"))
    total, per_county, rows = services.rollup(counties, year)
    return {
        "region": {"id": area.pk, "name": str(area)} if area else {"id": None, "name": _("全国")},
        "year": year, "county_pairs": len(counties), "figures": total, "indicators": rows,
        "by_county": [{"pairing": c.pk, "name": str(c), **dash.headline(f)} for c, f in per_county],
    }


@router.get("/pairings/{pairing_id}/iati", response=dict, openapi_extra={
    "responses": {200: {"description": "IATI 2.03 activities XML", "content": {"application/xml": {}}},
                  "409": {"description": _("未配置IATI报送机构（XIEZUO_REPORTING_ORG_REF、XIEZUO_REPORTING_ORG_NAME）"),
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
