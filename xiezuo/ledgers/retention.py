"""How long an uploaded ledger file is kept.

An uploaded workbook holds the office's rows as typed: names, 身份证号 and
phone numbers in the clear. What the system keeps of it is the rows it
imported (numbers encrypted) and the job's result (counts, masked preview,
error messages), never the file. So:

- The file is deleted as soon as its job ends: confirmed and imported
  (已导入), failed (失败), or abandoned (已放弃: the user pressed 放弃, or
  nobody confirmed it in time).
- A job that is still unfinished `RETENTION` after it was uploaded (24 hours
  by default, `XIEZUO_UPLOAD_RETENTION_HOURS`) is abandoned and its file
  deleted: a preview nobody confirmed, or an import a crash of the web
  process left "导入中".
- Files under MEDIA_ROOT/ledger-imports/ that no job names (a crash between
  saving the upload and recording the job, a job removed with its pairing)
  are deleted once they are older than the same period; a younger one may be
  an upload being saved right now.

The clean-up runs before every new upload is stored (`purge`, so a server
that is used cleans itself) and from `manage.py purge_uploads` (for cron).
"""

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import ImportJob

FOLDER = "ledger-imports"


def retention():
    return datetime.timedelta(hours=float(getattr(settings, "XIEZUO_UPLOAD_RETENTION_HOURS", 24)))


def purge(now=None):
    """Abandon stale jobs and delete files no unfinished job needs.
    Return (jobs abandoned, orphan files deleted)."""
    now = now or timezone.now()
    cutoff = now - retention()
    stale = list(ImportJob.objects.stale(cutoff))
    for job in stale:
        job.abandon()
    # A job that ended but whose file survived (a crash right after the end).
    for job in ImportJob.objects.filter(status__in=ImportJob.ENDED).exclude(file=""):
        job.discard_upload()
    return len(stale), _purge_orphans(cutoff)


def _purge_orphans(cutoff):
    media = Path(settings.MEDIA_ROOT)
    root = media / FOLDER
    if not root.exists():
        return 0
    needed = set(ImportJob.objects.unfinished().exclude(file="").values_list("file", flat=True))
    needed |= {f"{FOLDER}/job-{pk}.progress" for pk in ImportJob.objects.unfinished().values_list("pk", flat=True)}
    oldest = cutoff.timestamp()
    deleted = 0
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        name = path.relative_to(media).as_posix()
        if name in needed or path.stat().st_mtime >= oldest:
            continue
        path.unlink(missing_ok=True)
        deleted += 1
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            os.rmdir(folder)
    return deleted
