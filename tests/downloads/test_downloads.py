"""Downloads: a small file is made in the request, a big one by a worker of
the job queue while the page polls; a download whose worker died is offered
again; the file is its requester's alone and goes after the retention."""

import datetime
import io
import json
import threading
import time

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.checklist import login
from xiezuo.downloads import services
from xiezuo.downloads.models import Download
from xiezuo.funds.models import FundReceipt
from xiezuo.ledgers.spec import Context, get_spec

pytestmark = pytest.mark.django_db


def start(client, county, kind, **data):
    return client.post(reverse("download_start", args=[county.pk, kind]), data)


def body(response):
    return b"".join(response.streaming_content)


def receipts_in(xlsx_bytes):
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes), read_only=True)["资金到位"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    return [r for r in rows if any(v not in (None, "") for v in r)]


@pytest.fixture
def funds_rows(county, users):
    spec = get_spec("funds")
    return spec.queryset(Context(pairing=county, user=users["liuhe"])).count()


def test_a_small_ledger_is_made_in_the_request_and_sent(county, funds_rows):
    c = login("liuhe")
    r = start(c, county, "ledger", ledger="funds")
    download = Download.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("download_file", args=[download.pk])
    assert (download.status, download.kind, download.ledger, download.user.username) == ("ready", "ledger", "funds",
                                                                                        "liuhe")
    assert download.filename == f"资金到位台账-{county.pk}.xlsx"
    rows = receipts_in(body(c.get(r["Location"])))
    assert len(rows) == funds_rows == FundReceipt.objects.filter(pairing=county).count()
    # The file is its requester's: not another user's of the same pairing,
    # not a stranger's, and not a sibling pairing's user's.
    for other in ("lingdao", "outsider", "sibling"):
        assert login(other).get(r["Location"]).status_code == 404, other
    assert login("outsider").post(reverse("download_start", args=[county.pk, "ledger"]),
                                  {"ledger": "funds"}).status_code == 404
    assert Download.objects.count() == 1


def test_unknown_kinds_ledgers_and_years_are_refused_before_anything_is_stored(county):
    c = login("liuhe")
    assert start(c, county, "bogus").status_code == 404
    assert start(c, county, "ledger", ledger="nope").status_code == 404
    assert start(c, county, "report_docx", year="2099").status_code == 404  # no self-evaluation drafted
    assert c.get(reverse("download_start", args=[county.pk, "ledger"])).status_code == 405
    assert not Download.objects.exists()


def test_a_big_ledger_goes_to_the_queue_and_the_direct_link_says_so(county, settings, funds_rows):
    settings.XIEZUO_DOWNLOAD_INLINE_ROWS = funds_rows - 1
    c = login("liuhe")
    r = c.get(reverse("ledger_export", args=[county.pk, "funds"]))
    assert r.status_code == 302 and r["Location"] == reverse("ledger_index", args=[county.pk])
    assert f"资金到位台账共{funds_rows}行，文件较大" in c.get(r["Location"]).content.decode()
    # The queue runs in the caller here (immediate mode): made, but the
    # person lands on the download's page, not on the file.
    r = start(c, county, "ledger", ledger="funds")
    download = Download.objects.get()
    assert r["Location"] == reverse("download_detail", args=[download.pk])
    page = c.get(r["Location"]).content.decode()
    assert download.status == "ready" and 'id="download-link"' in page and "已生成" in page


def test_a_big_download_is_made_by_a_worker(transactional_demo, county, settings, queue_worker):
    settings.XIEZUO_DOWNLOAD_INLINE_ROWS = 0
    made_in = []
    original = services.make

    def spy(*args):
        made_in.append(threading.current_thread())
        return original(*args)

    services.make = spy
    try:
        c = login("liuhe")
        r = start(c, county, "ledger", ledger="funds")
        download = Download.objects.get()
        deadline = time.monotonic() + 30
        while download.status != "ready" and time.monotonic() < deadline:
            time.sleep(0.1)
            download.refresh_from_db()
    finally:
        services.make = original
    assert r["Location"] == reverse("download_detail", args=[download.pk])
    assert download.status == "ready" and made_in and made_in[0] is not threading.main_thread()
    assert len(receipts_in(body(c.get(reverse("download_file", args=[download.pk]))))) == \
        FundReceipt.objects.filter(pairing=county).count()
    assert c.get(reverse("download_progress", args=[download.pk]))["HX-Refresh"] == "true"


def test_a_download_whose_worker_died_is_made_again_once(county, settings):
    settings.XIEZUO_DOWNLOAD_INLINE_ROWS = 0
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False  # a queue with no worker: the task waits, as if its worker died
    try:
        HUEY.storage_kwargs["filename"] = ":memory:"
        c = login("liuhe")
        start(c, county, "ledger", ledger="funds")
    finally:
        HUEY.immediate = True
    download = Download.objects.get()
    assert download.status == "queued" and not download.interrupted
    page = c.get(reverse("download_detail", args=[download.pk])).content.decode()
    assert "排队中" in page and 'id="retry"' not in page
    progress = json.loads(download.progress_path.read_text())
    progress["beat"] = time.time() - 3600
    download.progress_path.write_text(json.dumps(progress))
    page = c.get(reverse("download_detail", args=[download.pk])).content.decode()
    assert "已中断" in page and 'id="retry"' in page
    assert login("lingdao").post(reverse("download_retry", args=[download.pk])).status_code == 404
    c.post(reverse("download_retry", args=[download.pk]))
    download.refresh_from_db()
    assert (download.status, download.attempt) == ("ready", 2)
    # The first run, taken late by a worker, finds its number gone.
    assert services.run_queued(download.pk, 1) is False
    assert c.post(reverse("download_retry", args=[download.pk])).status_code == 302
    download.refresh_from_db()
    assert download.attempt == 2


def test_reports_over_many_pairings_go_to_the_queue(county, settings):
    c = login("liuhe")
    r = start(c, county, "report_xlsx", year="2022")
    download = Download.objects.get()
    assert r["Location"] == reverse("download_file", args=[download.pk])
    wb = openpyxl.load_workbook(io.BytesIO(body(c.get(r["Location"]))))
    assert len(wb.sheetnames) >= 2
    settings.XIEZUO_DOWNLOAD_INLINE_PAIRINGS = county.subtree().count() - 1
    r = c.get(reverse("assessment:report_xlsx", args=[county.pk, 2022]))
    assert r.status_code == 302 and "下级结对较多" in c.get(r["Location"]).content.decode()
    r = start(c, county, "report_docx", year="2022")
    download = Download.objects.filter(kind="report_docx").get()
    assert r["Location"] == reverse("download_detail", args=[download.pk])
    data = body(c.get(reverse("download_file", args=[download.pk])))
    assert data[:2] == b"PK" and b"word/document.xml" in data


def test_downloads_go_after_the_retention(county, settings):
    c = login("liuhe")
    start(c, county, "ledger", ledger="funds")
    old = Download.objects.get()
    path = old.file.path
    Download.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    start(c, county, "ledger", ledger="funds")  # each new download first clears the expired ones
    assert list(Download.objects.values_list("pk", flat=True)) != [old.pk]
    assert not Download.objects.filter(pk=old.pk).exists()
    import os

    assert not os.path.exists(path)


def test_the_same_file_asked_twice_is_sent_under_its_own_name_both_times(county, funds_rows):
    """Storage keeps the second file under a suffixed name (…_AbC123x.xlsx);
    the person receives the name the file was made under, each time."""
    from urllib.parse import unquote

    c = login("liuhe")
    names = []
    for _ in range(2):
        r = start(c, county, "ledger", ledger="funds")
        names.append(unquote(c.get(r["Location"])["Content-Disposition"]))
    stored = [d.file.name.rsplit("/", 1)[-1] for d in Download.objects.order_by("pk")]
    assert stored[0] != stored[1]  # the storage told the two files apart
    assert all(f"资金到位台账-{county.pk}.xlsx" in name for name in names), names
