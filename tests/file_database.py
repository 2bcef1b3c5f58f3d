"""Child processes on a SQLite file database of their own.

`run_on_file_database` runs one script and reads the bytes the database left
on disk: what someone who copies the file (or its WAL) would read.

`FileDatabase` (the `file_demo` fixture) is the demo copied into a SQLite
file, on which several child processes race: each is a Django process of its
own with its own connection, as two web requests or a web request and a
queue worker are on a laptop. The default test database is SQLite in
memory, where threads share one connection's data and nothing like a second
writer can be shown; here the racers meet the real settings (WAL, a busy
timeout, IMMEDIATE transactions). Each racer does its reading first (the
page a person looked at), says it is ready and waits on its stdin; when all
are ready the test releases them together. No sleep decides an order."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading

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


# What every racer and every setup or check script has after django.setup():
# ARGS (the test's keyword arguments), RACER (the racer's place, 0, 1, …),
# released() (the barrier), attempt(fn) ("ok" or the refusal's words),
# chain_break() (what breaks the audit chain, "" when intact) and
# report(**values) (the script's result).
RACER = PRELUDE + """
import json, sys
from django.core.exceptions import ValidationError
from huey.contrib.djhuey import HUEY
HUEY.immediate = True  # tasks run in the racer, as the test suite runs them
ARGS = json.loads(os.environ["XIEZUO_TEST_ARGS"])
RACER = int(os.environ["XIEZUO_TEST_RACER"])

def released():
    print("ready", flush=True)
    if sys.stdin.readline() != "go\\n":
        raise SystemExit("the test did not release this racer")

def attempt(fn):
    try:
        fn()
    except ValidationError as e:
        return "；".join(e.messages)
    return "ok"

def chain_break():
    from xiezuo.audit.models import verify_chain
    return verify_chain()[2]

def report(**values):
    print("result " + json.dumps(values, ensure_ascii=False, default=str), flush=True)
"""

TIMEOUT = 300  # seconds a script may take before the test kills it and fails


def copy_database(connection, path):
    """Copy the (committed) SQLite database of `connection` into the file `path`."""
    connection.ensure_connection()
    assert not connection.in_atomic_block, "copy the template outside any transaction"
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


class FileDatabase:
    """The demo in a SQLite file under `directory` (its var/), with scripts
    run on it in child processes."""

    def __init__(self, template, directory):
        self.directory = directory
        shutil.copyfile(template, directory / "xiezuo.sqlite3")
        self.env = {**os.environ, "XIEZUO_VAR_DIR": str(directory), "SECURE_SSL_REDIRECT": "0", "DEBUG": "0",
                    "XIEZUO_PII_KEY": settings.PII_KEY, "SECRET_KEY": settings.SECRET_KEY}
        self.env.pop("DATABASE_URL", None)
        self.started = 0

    def _start(self, parts, args, place=0):
        self.started += 1
        env = {**self.env, "XIEZUO_TEST_ARGS": json.dumps(args, default=str), "XIEZUO_TEST_RACER": str(place)}
        errors = open(self.directory / f"script-{self.started}.err", "w+")
        process = subprocess.Popen([sys.executable, "-c", RACER + "".join(textwrap.dedent(p) for p in parts)], cwd=settings.BASE_DIR,
                                   env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                                   text=True)
        process.errors = errors
        return process

    @staticmethod
    def _failed(process, what):
        process.errors.seek(0)
        return f"{what} (exit {process.returncode}):\n{process.errors.read()[-4000:]}"

    def _finish(self, process):
        out, _ = process.communicate(timeout=TIMEOUT)
        results = [line[len("result "):] for line in out.splitlines() if line.startswith("result ")]
        assert process.returncode == 0 and len(results) == 1, self._failed(process, "a script failed:\n" + out)
        process.errors.close()
        return json.loads(results[0])

    def run(self, *parts, **args):
        """Run one script (its parts, each indented as it likes, one after
        the other) to its end; return what it report()ed."""
        return self._finish(self._start(parts, args))

    def race(self, *bodies, **args):
        """Start one racer per body, wait until each has called released(),
        release them together and return what each report()ed, in order.
        The same body may be given several times: RACER tells them apart."""
        racers = [self._start([body], args, place) for place, body in enumerate(bodies)]
        watchdog = threading.Timer(TIMEOUT, lambda: [r.kill() for r in racers])
        watchdog.start()
        try:
            for racer in racers:
                line = racer.stdout.readline()
                while line and line != "ready\n":
                    line = racer.stdout.readline()
                if not line:
                    racer.wait()
                    raise AssertionError(self._failed(racer, "a racer ended before it was ready"))
            for racer in racers:
                racer.stdin.write("go\n")
                racer.stdin.flush()
            return [self._finish(racer) for racer in racers]
        finally:
            watchdog.cancel()
            for racer in racers:
                if racer.poll() is None:
                    racer.kill()
                    racer.wait()
