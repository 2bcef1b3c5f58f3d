"""A confirm imports what its preview showed, or nothing: a row the preview
compared or skipped that someone changed, added or removed in between makes
the confirm refuse, whole (importer.Result.basis, jobs.execute)."""

from decimal import Decimal

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiezuo.funds.models import FundReceipt
from xiezuo.ledgers.importer import STALE_PREVIEW_MESSAGE, run_import
from xiezuo.ledgers.models import ImportJob
from xiezuo.ledgers.writing import write_ledger


def _upload(client, county, path, mode):
    f = SimpleUploadedFile(path.name, path.read_bytes())
    client.post(reverse("ledger_upload", args=[county.pk, "funds"]), {"file": f, "mode": mode})
    return ImportJob.objects.latest("pk")


def _edited_export(spec, ctx, tmp_path, pk, amount):
    out = tmp_path / "export.xlsx"
    write_ledger(spec, ctx, out)
    wb = openpyxl.load_workbook(out)
    ws = wb[spec.sheet]
    titles = [str(c.value).lstrip("*") for c in ws[1]]
    ids = list(spec.queryset(ctx).order_by("pk").values_list("pk", flat=True))
    ws.cell(row=2 + ids.index(pk), column=titles.index("金额（元）") + 1, value=amount)
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    return edited


def test_an_edit_between_preview_and_confirm_refuses_the_confirm(county, ctx_for, client_for, samples, tmp_path):
    spec, ctx = ctx_for("funds")
    seeded = run_import(spec, ctx, samples / "funds" / "valid.xlsx", commit=True)
    pk = seeded.created_ids[0]
    edited = _edited_export(spec, ctx, tmp_path, pk, 31000000)
    c = client_for("liuhe")
    job = _upload(c, county, edited, "update")
    assert (job.status, job.result["updated"]) == ("previewed", 1)
    # Meanwhile somebody corrects the note of that receipt on its form.
    receipt = FundReceipt.objects.get(pk=pk)
    receipt.note, receipt.version = "另一人刚改的备注", receipt.version + 1
    receipt.save()
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "failed"
    assert [e["message"] for e in job.result["errors"]] == [STALE_PREVIEW_MESSAGE]
    receipt.refresh_from_db()
    assert receipt.amount != Decimal("31000000.00") and receipt.note == "另一人刚改的备注"
    # A fresh preview shows that the file would also put the old note back,
    # and its confirm does exactly what it showed.
    job = _upload(c, county, edited, "update")
    changes = {c[0]: (c[1], c[2]) for c in job.result["sample_update"][0]["changes"]}
    assert changes["备注"] == ("另一人刚改的备注", "（示例）")
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    receipt.refresh_from_db()
    assert job.status == "done" and receipt.amount == Decimal("31000000.00") and receipt.note == "（示例）"


def test_rows_imported_by_another_between_preview_and_confirm_refuse_it(county, ctx_for, client_for, samples):
    # The preview promised three new receipts; somebody else imports them
    # first. Confirming would quietly add none: it says so instead.
    c = client_for("liuhe")
    job = _upload(c, county, samples / "funds" / "valid.xlsx", "append")
    assert job.result["added"] == 3
    spec, ctx = ctx_for("funds", "liuhe")
    assert run_import(spec, ctx, samples / "funds" / "valid.xlsx", commit=True).added == 3
    n = FundReceipt.objects.count()
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "failed" and job.result["errors"][0]["message"] == STALE_PREVIEW_MESSAGE
    assert FundReceipt.objects.count() == n


def test_an_unchanged_ledger_confirms_as_previewed(county, client_for, samples):
    c = client_for("liuhe")
    job = _upload(c, county, samples / "funds" / "valid.xlsx", "append")
    basis = job.result["basis"]
    assert len(basis) == 64
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.result["basis"] == basis and job.result["added"] == 3
