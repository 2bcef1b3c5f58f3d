"""Tasks of the job queue for downloads (djhuey finds this module in the
worker). The task carries only the download's id and run number."""

from huey.contrib.djhuey import task


@task()
def make_download(download_id, attempt):
    from .services import run_queued

    run_queued(download_id, attempt)
