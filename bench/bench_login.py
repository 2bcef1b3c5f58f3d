"""Benchmark of the password hash a login computes: `make bench-login`.

Each cost runs in a subprocess of its own, which checks a password 7 times
(the work of 7 logins; the median is reported) and reports its own peak
memory (max RSS, read by the parent with os.wait4) against a subprocess
that imports the same modules and hashes nothing: the difference is what
one login adds. Two costs are measured side by side: Django's default
Argon2 (100 MiB, 2 passes, 8 lanes) and ours (`xiezuo.accounts.hashers`).
Targets for ours: a login's hash under 300 ms and under 64 MB.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import machine

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS, TARGET_MB = 300, 64
PASSWORD = "Xiezuo-基准-2026!"


def child(which):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")
    django.setup()
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from xiezuo.accounts.hashers import Argon2Hasher

    out = {}
    if which != "baseline":
        hasher = Argon2Hasher() if which == "ours" else Argon2PasswordHasher()
        encoded = hasher.encode(PASSWORD, hasher.salt())
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            assert hasher.verify(PASSWORD, encoded)
            times.append(time.perf_counter() - t0)
        out = {"ms": statistics.median(times) * 1000, "params": encoded.split("$")[3]}
    print("RESULT " + json.dumps(out), flush=True)


def run(which):
    with tempfile.TemporaryFile() as stdout:
        proc = subprocess.Popen([sys.executable, "-m", "bench.bench_login", which], cwd=ROOT, stdout=stdout)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        text = stdout.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{which} failed")
    result = json.loads([x for x in text.splitlines() if x.startswith("RESULT ")][-1][len("RESULT "):])
    result["rss_mb"] = usage.ru_maxrss / 1024
    return result


def main():
    print(machine())
    base = run("baseline")
    rows = {}
    for which in ("django", "ours"):
        r = run(which)
        r["added_mb"] = r["rss_mb"] - base["rss_mb"]
        rows[which] = r
        print(f"{which:7} {r['params']:>20}  {r['ms']:7.1f} ms a login  +{r['added_mb']:6.1f} MB")
    ours = rows["ours"]
    ok = ours["ms"] < TARGET_MS and ours["added_mb"] < TARGET_MB
    print(f"targets: < {TARGET_MS} ms and < {TARGET_MB} MB a login — {'PASS' if ok else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1:
        child(sys.argv[1])
    else:
        sys.exit(main())
