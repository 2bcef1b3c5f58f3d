"""The naive dashboard of the assessment benchmark: the same figures computed
at request time with GROUP BY over the raw ledger rows, no maintained totals
and no cache. Mounted only by bench/assessment_settings.py."""

from django.apps import apps
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path

from xiezuo.accounts.models import APIToken
from xiezuo.accounts.scope import get_pairing, scope_for
from xiezuo.pairings.models import Pairing


def _user(request):
    header = request.headers.get("Authorization", "")
    user = APIToken.objects.authenticate(header.removeprefix("Bearer ").strip())
    if user is None:
        return None
    request.user = user
    return user


def _table(app, model):
    try:
        return apps.get_model(app, model)._meta.db_table
    except LookupError:
        return None


def naive_figures(ids, year):
    """Aggregate every installed ledger's raw rows for the pairings and year."""
    marks = ",".join(["%s"] * len(ids)) if ids is not None else None
    where = f"pairing_id IN ({marks}) AND " if ids is not None else ""
    params = list(ids or [])
    out = {}
    with connection.cursor() as cur:
        def q(name, sql, extra):
            cur.execute(sql, [*params, *extra])
            out[name] = [[str(v) for v in row] for row in cur.fetchall()]

        q("receipts", f'SELECT kind, SUM(amount) FROM "{_table("funds", "FundReceipt")}" '
                      f"WHERE {where}year = %s GROUP BY kind", [year])
        project = _table("funds", "Project")
        q("projects", f'SELECT status, category_id, COUNT(*), SUM(coop_funds) FROM "{project}" '
                      f"WHERE {where}year = %s GROUP BY status, category_id", [year])
        pwhere = where.replace("pairing_id", "p.pairing_id")
        q("beneficiaries", f'SELECT b.kind, SUM(b.count) FROM "{_table("funds", "ProjectBeneficiary")}" b '
                           f'JOIN "{project}" p ON p.id = b.project_id WHERE {pwhere}p.year = %s GROUP BY b.kind', [year])
        q("disbursed_by_month", f"SELECT strftime('%%Y-%%m', d.date), SUM(d.amount) "
                                f'FROM "{_table("funds", "Disbursement")}" d JOIN "{project}" p ON p.id = d.project_id '
                                f"WHERE {pwhere}p.year = %s AND d.status = 'confirmed' GROUP BY 1", [year])
        sale = _table("consumption", "Sale")
        if sale and "year" in {f.name for f in apps.get_model("consumption", "Sale")._meta.fields}:
            q("sales_by_channel", f'SELECT channel_id, kind, SUM(amount), COUNT(*) FROM "{sale}" '
                                  f"WHERE {where}year = %s GROUP BY channel_id, kind", [year])
            q("sales_by_month", f'SELECT month, SUM(amount) FROM "{sale}" WHERE {where}year = %s GROUP BY month', [year])
            q("top_buyers", f'SELECT buyer_id, SUM(amount) s FROM "{sale}" WHERE {where}year = %s '
                            f"GROUP BY buyer_id ORDER BY s DESC LIMIT 10", [year])
            q("top_products", f'SELECT product_id, SUM(amount) s FROM "{sale}" WHERE {where}year = %s '
                              f"GROUP BY product_id ORDER BY s DESC LIMIT 10", [year])
            q("suppliers", f'SELECT COUNT(DISTINCT supplier_id) FROM "{sale}" WHERE {where}year = %s', [year])
        job = _table("labour", "Employment")
        if job:
            person = _table("labour", "Person")
            span = [f"{year}-12-31", f"{year}-01-01"]
            jwhere = where.replace("pairing_id", "e.pairing_id")
            q("employed_by_destination", f'SELECT e.destination, COUNT(DISTINCT e.person_id) FROM "{job}" e '
                                         f'WHERE {jwhere}e.start <= %s AND (e."end" IS NULL OR e."end" >= %s) '
                                         f"GROUP BY e.destination", span)
            q("employed_by_form", f'SELECT e.form, COUNT(DISTINCT e.person_id) FROM "{job}" e '
                                  f'WHERE {jwhere}e.start <= %s AND (e."end" IS NULL OR e."end" >= %s) GROUP BY e.form',
              span)
            q("employed_poverty", f'SELECT COUNT(DISTINCT e.person_id) FROM "{job}" e JOIN "{person}" p '
                                  f"ON p.id = e.person_id WHERE {jwhere}e.start <= %s "
                                  f"AND (e.\"end\" IS NULL OR e.\"end\" >= %s) AND p.household_type = 'poverty'", span)
    return out


def naive_pairing(request, pairing_id):
    if _user(request) is None:
        return JsonResponse({"detail": "未登录"}, status=401)
    pairing = get_pairing(request.user, pairing_id)
    year = int(request.GET["year"])
    ids = list(Pairing.objects.filter(path__startswith=pairing.path).values_list("pk", flat=True))
    return JsonResponse({"pairing": pairing.pk, "year": year, "figures": naive_figures(ids, year)})


def naive_national(request):
    if _user(request) is None or not scope_for(request.user).is_global:
        return JsonResponse({"detail": "未登录"}, status=401)
    year = int(request.GET["year"])
    return JsonResponse({"year": year, "figures": naive_figures(None, year)})


urlpatterns = [
    path("bench/naive/<int:pairing_id>/", naive_pairing),
    path("bench/naive-national/", naive_national),
    path("", include("xiezuo.urls")),
]
