"""Tasks of the job queue (huey; djhuey finds this module in the worker).

The task carries only the job's id and run number: the file, the user and
the pairing are read from the job when the worker takes it, so a task queued
before a re-run or an abandon does nothing (`jobs.run_queued`).
"""

from huey.contrib.djhuey import task


@task()
def run_job(job_id, attempt, commit, ip=None):
    from .jobs import run_queued

    run_queued(job_id, attempt, commit, ip)
