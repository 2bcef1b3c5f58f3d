from django.db.models import Count

from xiezuo.figures import section

from .models import METHODS, SEVERITIES, Finding, Tender


@section("procurement", reads=("procurement",))
def procurement_section(pairing_ids, years):
    """Count processes by method and active findings by severity (two queries)."""
    rows = (Tender.objects.filter(pairing_id__in=pairing_ids, year__in=years)
            .values("method").annotate(n=Count("pk")).order_by())
    by_method = {code: 0 for code, _ in METHODS}
    by_method.update({r["method"]: r["n"] for r in rows})
    findings = {code: 0 for code, _ in SEVERITIES}
    open_count = 0
    rows = (Finding.objects.filter(pairing_id__in=pairing_ids, tender__year__in=years, active=True)
            .values("severity", "review_status").annotate(n=Count("pk")).order_by())
    for r in rows:
        findings[r["severity"]] += r["n"]
        if r["review_status"] == Finding.OPEN:
            open_count += r["n"]
    return {"tenders": sum(by_method.values()), "by_method": by_method, "findings": findings,
            "findings_open": open_count}
