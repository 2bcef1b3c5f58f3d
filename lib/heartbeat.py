"""Background jobs that show they are alive: a progress file and a heartbeat.

A job run on the queue (an import, a download being made) writes its
progress to a small file beside its data every few seconds, from a thread of
the run (`Heartbeat`). A page in another process reads it: the progress bar,
and whether the run is still alive. A file, not the database: an import's
own transaction holds SQLite's write lock until it ends, and its writes are
invisible to others until then.

If the worker dies (killed, out of memory, the machine restarted) the beats
stop, and once they are older than the lease the job is shown as 已中断 and
offered again (`interrupted`).
"""

import contextlib
import json
import os
import tempfile
import threading
import time

from django.conf import settings


def lease_seconds():
    """How long a running job may go without a heartbeat before it is taken
    for dead (XIEZUO_JOB_LEASE_SECONDS, two minutes by default: a heartbeat
    comes every few seconds, so this is many missed beats, not a slow one)."""
    return float(getattr(settings, "XIEZUO_JOB_LEASE_SECONDS", 120))


class ProgressFile:
    """Mixin of a job model: `progress_path`, `running`, `status`, `attempt`
    and `created_at` come from the model."""

    def write_progress(self, done, total, phase):
        path = self.progress_path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Each write gets a temporary file of its own: two runs of one job (a
        # request and a worker, or a re-run beside a run presumed dead) once
        # shared "job-N.tmp", and one's rename found the other's file gone.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(json.dumps({"done": done, "total": total, "phase": phase, "beat": time.time(),
                                     "attempt": self.attempt}))
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def read_progress(self):
        try:
            return json.loads(self.progress_path.read_text())
        except (OSError, ValueError):
            return {"done": 0, "total": 0, "phase": self.status, "beat": None}

    @property
    def last_beat(self):
        """When the run last showed it was alive (Unix time): its heartbeat
        in the progress file, else the job's creation."""
        beat = self.read_progress().get("beat")
        return beat if beat is not None else self.created_at.timestamp()

    @property
    def interrupted(self):
        """A run whose worker stopped beating for longer than the lease."""
        return self.running and time.time() - self.last_beat > lease_seconds()


class Heartbeat:
    """Rewrite a job's progress file every few seconds while a run works."""

    def __init__(self, job):
        self.job, self.state, self.lock = job, (0, 0, job.status), threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{job.pk}")

    def progress(self, done, total):
        with self.lock:
            self.state = (done, total, self.job.status)
            self.job.write_progress(*self.state)

    def _beat(self):
        every = max(lease_seconds() / 8, 0.05)
        while not self.stopped.wait(every):
            with self.lock:
                self.job.write_progress(*self.state)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()
