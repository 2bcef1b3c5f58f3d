"""Figures are recomputed on the job queue after a committed import: the
dashboards of the pairing and of every pairing above it are cached again
for the years being looked at (assessment.services.warm)."""

import json

import pytest
from django.urls import reverse

from tests.ledgers.conftest import SAMPLES
from xiezuo.assessment.models import FiguresCache
from xiezuo.audit.models import AuditHead

pytestmark = pytest.mark.django_db


def test_a_committed_import_recomputes_the_figures_above_it(county, client_for):
    from xiezuo.ledgers.models import ImportJob

    ids = [county.pk, *[p.pk for p in county.ancestors()]]
    FiguresCache.objects.all().delete()
    c = client_for("huangyuan")
    with open(SAMPLES / "funds" / "valid.xlsx", "rb") as fh:
        c.post(reverse("ledger_upload", args=[county.pk, "funds"]), {"file": fh, "mode": "append"})
    job = ImportJob.objects.get()
    assert not FiguresCache.objects.exists()  # a preview changes nothing
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    head = AuditHead.objects.get(pk=1).seq
    cached = FiguresCache.objects.filter(pairing_id__in=ids)
    assert {e.pairing_id for e in cached} == set(ids)
    assert all(e.audit_seq == head for e in cached)
    # The cached figures count the new receipts.
    entry = cached.get(pairing_id=county.pk)
    assert entry.figures == services_figures(county, entry.year)


def services_figures(pairing, year):
    from xiezuo.assessment.services import _compute, subtree_ids

    return json.loads(json.dumps(_compute(subtree_ids([pairing])[pairing.pk], year), default=str))
