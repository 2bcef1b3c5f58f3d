import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.checklist import page_checklist
from xiezuo.accounts.models import User
from xiezuo.audit.models import AuditEvent
from xiezuo.consumption.models import Buyer
from xiezuo.funds.models import FundReceipt
from xiezuo.ledgers import jobs
from xiezuo.ledgers.models import HeaderMapping, ImportJob
from xiezuo.ledgers.spec import Context, get_spec


def upload(client, county, samples, relative, ledger="funds", mode="append", name=None):
    path = samples / relative
    f = SimpleUploadedFile(name or path.name, path.read_bytes())
    return client.post(reverse("ledger_upload", args=[county.pk, ledger]), {"file": f, "mode": mode})


def test_index_checklist(county):
    r = page_checklist(reverse("ledger_index", args=[county.pk]))
    text = r.content.decode()
    assert "资金到位台账" in text and "项目台账" in text and "上传并预览" in text


def test_read_only_sees_no_upload_form(county, client_for):
    text = client_for("lingdao").get(reverse("ledger_index", args=[county.pk])).content.decode()
    assert "资金到位台账" in text and "上传并预览" not in text


def test_template_and_export_checklist(county):
    for name in ("ledger_template", "ledger_export"):
        r = page_checklist(reverse(name, args=[county.pk, "projects"]))
        body = b"".join(r.streaming_content)
        assert body[:4] == b"PK\x03\x04"
        assert r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_upload_checklist(county):
    url = reverse("ledger_upload", args=[county.pk, "funds"])
    r = page_checklist(url, write=True, data={"mode": "append"})
    assert r.status_code == 302 and not ImportJob.objects.exists()


def test_upload_preview_confirm(county, client_for, samples):
    c = client_for("huangyuan")
    r = upload(c, county, samples, "funds/valid.xlsx")
    job = ImportJob.objects.get()
    assert r["Location"] == reverse("ledger_job", args=[job.pk])
    assert (job.status, job.result["added"], job.user.username) == ("previewed", 3, "huangyuan")
    assert not FundReceipt.objects.filter(doc_number__startswith="样例").exists()
    page = c.get(r["Location"]).content.decode()
    assert "确认导入（新增3条，更新0条）" in page and "样例〔2022〕1号" in page
    # Another pairing's user cannot see or confirm it; a leader cannot confirm.
    assert client_for("outsider").get(r["Location"]).status_code == 404
    assert client_for("lingdao").post(reverse("ledger_job_confirm", args=[job.pk])).status_code == 403
    r = c.post(reverse("ledger_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and FundReceipt.objects.filter(doc_number__startswith="样例").count() == 3
    assert "已导入：新增3条，更新0条。" in c.get(r["Location"]).content.decode()
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    assert FundReceipt.objects.filter(doc_number__startswith="样例").count() == 3


def test_errors_shown_and_no_confirm(county, client_for, samples):
    c = client_for("liuhe")
    r = upload(c, county, samples, "funds/errors.xlsx")
    page = c.get(r["Location"]).content.decode()
    assert "不是有效的选项，应为：财政援助资金、社会帮扶资金、结对帮扶资金、捐物折款" in page
    assert "与第5行重复（到位日期、资金类型、文号相同）" in page and 'id="confirm"' not in page
    job = ImportJob.objects.get()
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "previewed" and not FundReceipt.objects.filter(doc_number__startswith="样例").exists()


def test_hostile_upload_refused(county, client_for, samples):
    c = client_for("liuhe")
    jobs = ImportJob.objects.count()
    r = upload(c, county, samples, "hostile/not_xlsx.xlsx", name="资金台账.xlsx")
    # The one upload check refuses it on the form: no job, nothing kept.
    page = c.get(r["Location"]).content.decode()
    assert "文件“资金台账.xlsx”的内容与扩展名.xlsx不符" in page
    assert ImportJob.objects.count() == jobs


def test_unknown_header_mapped_in_preview(county, client_for, tmp_path):
    import xlsxwriter

    path = tmp_path / "own.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["年度", "资金类型", "文号", "到位日期", "援助款（万元）"])
    ws.write_row(1, 0, [2022, "财政援助资金", "样例WEB1号", "2022-06-26", 12])
    wb.close()
    c = client_for("liuhe")
    r = c.post(reverse("ledger_upload", args=[county.pk, "funds"]),
               {"file": SimpleUploadedFile("own.xlsx", path.read_bytes()), "mode": "append"})
    job = ImportJob.objects.get()
    page = c.get(r["Location"]).content.decode()
    assert "缺少必填列“金额”" in page and 'id="mapping"' in page and "援助款（万元）" in page
    c.post(reverse("ledger_job_map", args=[job.pk]), {"h0": "amount"})
    job.refresh_from_db()
    assert job.result["added"] == 1 and job.result["error_count"] == 0
    assert HeaderMapping.objects.get(pairing=county, ledger="funds").header == "援助款"
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    assert FundReceipt.objects.get(doc_number="样例WEB1号").amount == 120000


def test_progress_fragment_and_refresh(county, client_for, users):
    job = ImportJob.objects.create(pairing=county, user=users["liuhe"], ledger="funds", filename="x.xlsx",
                                   file="ledger-imports/x.xlsx", status="importing")
    job.write_progress(2500, 10000, "importing")
    c = client_for("liuhe")
    url = reverse("ledger_job_progress", args=[job.pk])
    text = c.get(url).content.decode()
    assert "2500 / 10000" in text and 'hx-trigger="every 1s"' in text and "width: 25%" in text
    assert client_for("outsider").get(url).status_code == 404
    job.status = "done"
    job.save()
    r = c.get(url)
    assert r["HX-Refresh"] == "true"


def test_big_upload_runs_on_the_queue_with_progress(transactional_demo, county, client_for, samples, settings,
                                                   monkeypatch, queue_worker):
    """Files over XIEZUO_LEDGER_BACKGROUND_BYTES are previewed and imported
    by a worker of the job queue, not in the request; the page polls the
    progress file."""
    settings.XIEZUO_LEDGER_BACKGROUND_BYTES = 1
    threads = []
    runs_ended = threading.Semaphore(0)
    original = jobs.execute
    original_run = jobs.run_queued

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return original(*args, **kwargs)

    def counted_run(*args, **kwargs):
        try:
            return original_run(*args, **kwargs)
        finally:
            runs_ended.release()

    monkeypatch.setattr(jobs, "execute", spy)
    monkeypatch.setattr(jobs, "run_queued", counted_run)

    def wait_for_the_worker():
        # The test reads the database only once the worker's run has ended:
        # on SQLite's shared in-memory test database, a read while the
        # worker writes fails with "database table is locked" (on either
        # side), which made this test fail now and then.
        assert runs_ended.acquire(timeout=120), "the queue's worker did not finish the run in 120 s"

    c = client_for("huangyuan")
    r = upload(c, county, samples, "funds/valid.xlsx")
    wait_for_the_worker()
    job = ImportJob.objects.get()
    assert r["Location"] == reverse("ledger_job", args=[job.pk])
    assert not job.running
    assert (job.status, job.result["added"], job.result["errors"]) == ("previewed", 3, [])
    progress = job.read_progress()
    assert (progress["done"], progress["total"], progress["phase"]) == (3, 3, "previewing")
    assert c.get(reverse("ledger_job_progress", args=[job.pk]))["HX-Refresh"] == "true"
    assert not FundReceipt.objects.filter(doc_number__startswith="样例").exists()

    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    wait_for_the_worker()
    job.refresh_from_db()
    assert job.status == "done" and job.finished_at is not None and job.attempt == 2
    assert FundReceipt.objects.filter(doc_number__startswith="样例").count() == 3
    event = AuditEvent.objects.filter(action="import").first()
    assert event.actor_name == "huangyuan" and event.after["file"] == "valid.xlsx"
    # Both ran in the queue's worker, not in the request's thread.
    assert len(threads) == 2 and all(t is not threading.main_thread() for t in threads)
    assert all(t.name != threading.main_thread().name for t in threads)


def test_each_import_prepares_its_own_spec(county, foreign):
    """Lookups loaded for one pairing's import are not seen by another's
    running at the same time (two background threads of one process)."""
    mine, theirs = get_spec("sales"), get_spec("sales")
    assert mine is not theirs and mine.column("buyer") is not theirs.column("buyer")
    mine.prepare(Context(pairing=county, user=User.objects.get(username="admin")))
    theirs.prepare(Context(pairing=foreign, user=User.objects.get(username="admin")))
    parse = mine.column("buyer").fast()
    assert parse("六合区示例中学（示例）") == Buyer.objects.get(name="六合区示例中学（示例）").pk
    with pytest.raises(ValueError, match="找不到采购单位“六合区示例中学（示例）”"):
        theirs.column("buyer").fast()("六合区示例中学（示例）")
