"""The `procurement` section of the figures endpoint."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezuo.procurement.figures import procurement_section
from xiezuo.procurement.models import Finding

from ..checklist import api_checklist
from .conftest import bid, wan

pytestmark = pytest.mark.django_db


def test_procurement_figures_count_processes_methods_and_findings(county, make_tender):
    make_tender(method="open")  # clean apart from nothing: 300万 open tender, no bids yet
    few = make_tender(method="open", title="两家投标")
    bid(few, wan(280))
    bid(few, wan(290))
    make_tender(method="single_source", item_kind="goods", estimated_value=wan(250), title="单一来源")
    reviewed = Finding.objects.get(tender=few, rule_code="FEW_BIDDERS")
    reviewed.review_status, reviewed.review_note = "confirmed", "确认"
    reviewed.save()

    r = api_checklist(f"/api/v1/pairings/{county.pk}/figures?year=2023", outsider="outsider")
    section = r.json()["procurement"]
    assert section["tenders"] == 3
    assert section["by_method"]["open"] == 2 and section["by_method"]["single_source"] == 1
    assert section["by_method"]["rfq"] == 0
    active = Finding.objects.filter(tender__pairing=county, tender__year=2023, active=True)
    assert section["findings"] == {s: active.filter(severity=s).count() for s in ("high", "medium", "low")}
    assert section["findings"]["high"] >= 2  # FEW_BIDDERS and MANDATORY_TENDER (goods 250万, single source)
    assert section["findings"]["medium"] >= 1  # SINGLE_SOURCE_ABOVE
    assert section["findings_open"] == active.count() - 1


def test_procurement_figures_use_two_queries_and_respect_years(county, make_tender):
    make_tender()
    ids = [county.pk, *county.subtree().exclude(pk=county.pk).values_list("pk", flat=True)]
    with CaptureQueriesContext(connection) as ctx:
        section = procurement_section(ids, [2023])
    assert len(ctx.captured_queries) == 2
    assert section["tenders"] >= 1
    assert procurement_section(ids, [2031]) == {
        "tenders": 0, "by_method": {m: 0 for m in section["by_method"]},
        "findings": {"high": 0, "medium": 0, "low": 0}, "findings_open": 0}
