"""Uploaded ledger files (names and 身份证号 in the clear) are deleted when
their job ends — confirmed, failed or abandoned — and what a crash left
behind is removed by `purge_uploads` and before the next upload."""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from xiezuo.ledgers import jobs
from xiezuo.ledgers.models import ImportJob

from .test_views import upload

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def stored(job):
    """The path of the job's upload on disk (kept before the job ends)."""
    return Path(settings.MEDIA_ROOT) / job.file.name


def previewed(client_for, county, samples):
    c = client_for("huangyuan")
    upload(c, county, samples, "funds/valid.xlsx")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.PREVIEWED
    path = stored(job)
    assert path.is_file() and path.stat().st_size > 0
    return c, job, path


def test_confirmed_import_deletes_the_file(county, client_for, samples):
    c, job, path = previewed(client_for, county, samples)
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.DONE and job.result["added"] == 3
    assert not path.exists() and job.file.name == "" and not job.progress_path.exists()
    # The job's page still shows the result without the file.
    assert "已导入" in c.get(reverse("ledger_job", args=[job.pk])).content.decode()


def test_failed_job_deletes_the_file(county, users):
    # A ledger the system does not know makes the importer fail inside the job.
    job = ImportJob(pairing=county, user=users["huangyuan"], ledger="no-such-ledger", filename="x.xlsx")
    job.file.save("x.xlsx", ContentFile(b"PK\x03\x04 rows with names"), save=False)
    job.save()
    path = stored(job)
    assert path.is_file()
    jobs.execute(job, commit=True)
    job.refresh_from_db()
    assert job.status == ImportJob.FAILED and job.result["crashed"]
    assert not path.exists() and job.file.name == ""


def test_abandon_button_deletes_the_file_and_needs_the_import_right(county, client_for, samples):
    c, job, path = previewed(client_for, county, samples)
    url = reverse("ledger_job_abandon", args=[job.pk])
    assert client_for("outsider").post(url).status_code == 404
    assert client_for("lingdao").post(url).status_code == 403
    assert path.exists()
    page = c.get(reverse("ledger_job", args=[job.pk])).content.decode()
    assert f'action="{url}"' in page
    r = c.post(url)
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.ABANDONED and job.finished_at and not path.exists()
    # An abandoned job cannot be confirmed any more.
    c.post(reverse("ledger_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.ABANDONED


def test_purge_uploads_abandons_stale_jobs_and_removes_orphans(county, client_for, samples, users):
    _, job, path = previewed(client_for, county, samples)
    # An import a crash left "导入中" two days ago, with its file.
    crashed = ImportJob(pairing=county, user=users["huangyuan"], ledger="funds", filename="old.xlsx",
                        status=ImportJob.IMPORTING)
    crashed.file.save("old.xlsx", ContentFile(b"PK\x03\x04 old rows"), save=False)
    crashed.save()
    ImportJob.objects.filter(pk=crashed.pk).update(created_at=timezone.now() - 2 * DAY)
    crashed_path = stored(crashed)
    # Files no job names: an old one (a crash before the job was recorded) and a fresh one.
    folder = Path(settings.MEDIA_ROOT) / "ledger-imports" / "2020" / "01"
    folder.mkdir(parents=True)
    orphan, fresh = folder / "orphan.xlsx", Path(settings.MEDIA_ROOT) / "ledger-imports" / "fresh.xlsx"
    orphan.write_bytes(b"PK\x03\x04 names")
    fresh.write_bytes(b"PK\x03\x04 being saved")
    old = (timezone.now() - 2 * DAY).timestamp()
    os.utime(orphan, (old, old))

    call_command("purge_uploads", stdout=open(os.devnull, "w"))
    crashed.refresh_from_db()
    assert crashed.status == ImportJob.ABANDONED and not crashed_path.exists()
    assert not orphan.exists() and not folder.exists()
    # The recent preview and the fresh file are kept: they may still be needed.
    job.refresh_from_db()
    assert job.status == ImportJob.PREVIEWED and path.exists() and fresh.exists()


def test_the_next_upload_clears_stale_jobs(county, client_for, samples, settings):
    _, job, path = previewed(client_for, county, samples)
    settings.XIEZUO_UPLOAD_RETENTION_HOURS = 1
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    upload(client_for("huangyuan"), county, samples, "funds/valid.xlsx", name="second.xlsx")
    job.refresh_from_db()
    assert job.status == ImportJob.ABANDONED and not path.exists()
    newest = ImportJob.objects.order_by("-pk").first()
    assert newest.status == ImportJob.PREVIEWED and stored(newest).exists()
