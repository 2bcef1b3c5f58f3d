"""Run a script in a child process on a SQLite file database of its own, and
read the bytes the database left on disk: what someone who copies the file
(or its WAL) would read."""

import os
import subprocess
import sys
import textwrap

from django.conf import settings

PRELUDE = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")
django.setup()
"""


def run_on_file_database(body, tmp_path, pii_key):
    """Run `body` (Python, after django.setup()) with var/ in `tmp_path` and
    the given personal-data key; it must print "done". Return the bytes of
    the database file and its WAL, and what the process printed."""
    env = {**os.environ, "XIEZUO_VAR_DIR": str(tmp_path), "SECURE_SSL_REDIRECT": "0", "DEBUG": "0",
           "XIEZUO_PII_KEY": pii_key}
    env.pop("DATABASE_URL", None)
    script = PRELUDE + textwrap.dedent(body)
    run = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0 and "done" in run.stdout, run.stdout + run.stderr
    data = b"".join(f.read_bytes() for f in sorted(tmp_path.glob("xiezuo.sqlite3*")))
    return data, run.stdout + run.stderr
