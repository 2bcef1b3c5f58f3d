"""Tasks of the job queue for the assessment figures (djhuey finds this
module in the worker)."""

from django.db import close_old_connections, connection
from huey.contrib.djhuey import task


@task()
def warm_figures(pairing_id):
    from .services import warm

    own = not connection.in_atomic_block  # see ledgers.jobs.run_queued
    if own:
        close_old_connections()
    try:
        warm(pairing_id)
    finally:
        if own:
            connection.close()
