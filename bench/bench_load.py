"""Load test: concurrent clients against gunicorn on PostgreSQL, loopback only.

    make bench-load                      # 50 clients for 60 s
    LOAD_SECONDS=10 make bench-load      # the smoke run CI does

Sets up its own database (xiezuo_load), loads the demo, starts gunicorn on
127.0.0.1 with a free port, runs a mixed read/write workload for a bounded
time and request count, and reports throughput, p50, p99 and errors. Exits
non-zero on any error.
"""

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import machine, percentile

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("LOAD_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "xiezuo_load"
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "200000"))
WRITE_SHARE = float(os.environ.get("LOAD_WRITE_SHARE", "0.1"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(db_url, var_dir):
    return {**os.environ, "DATABASE_URL": db_url, "DEBUG": "0", "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0", "ALLOWED_HOSTS": "127.0.0.1", "XIEZUO_VAR_DIR": str(var_dir),
            "SECRET_KEY": "load-test-" + "k" * 50, "DJANGO_SETTINGS_MODULE": "xiezuo.settings",
            "CONN_MAX_AGE": "60"}


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args, *(["-v0"] if args[0] == "shell" else [])],
                          cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout


def prepare():
    import psycopg

    with psycopg.connect(PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    db_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + DB_NAME
    var_dir = ROOT / "var" / "load"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = env_for(db_url, var_dir)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo", "-v0")
    tokens = {u: manage(env, "issue_token", u).strip() for u in ("liuhe", "huangyuan", "lingdao")}
    pairing_id = int(manage(env, "shell", "-c",
                            "from xiezuo.pairings.models import Pairing; print(Pairing.objects.get(level='county').pk)"))
    region_id = int(manage(env, "shell", "-c",
                           "from xiezuo.pairings.models import Region; print(Region.objects.get(name='大华镇').pk)"))
    return env, tokens, pairing_id, region_id


def start_server(env, port):
    cmd = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
           "--bind", f"127.0.0.1:{port}", "--workers", os.environ.get("LOAD_WORKERS", "4"),
           "--threads", "4", "--access-logfile", "/dev/null",
           # Worker recycling (max_requests in deploy/gunicorn.conf.py) drops
           # idle keep-alive connections when a worker restarts; behind nginx
           # that is retried, here it would measure the recycling, not the app.
           "--max-requests", "0", "xiezuo.wsgi:application"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])


class Worker(threading.Thread):
    def __init__(self, n, port, tokens, pairing_id, region_id, stop_at, budget):
        super().__init__(daemon=True)
        self.n, self.port, self.tokens = n, port, tokens
        self.pairing_id, self.region_id = pairing_id, region_id
        self.stop_at, self.budget = stop_at, budget
        self.latencies, self.errors, self.samples = [], 0, []
        self.rng = random.Random(n)

    def request(self, conn, method, path, token, body=None, retried=False):
        try:
            return self._request(conn, method, path, token, body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # A keep-alive connection the server had closed: browsers and
            # nginx send an idempotent request again on a new connection.
            if method != "GET" or retried:
                raise
            conn.close()
            return self.request(conn, method, path, token, body, retried=True)

    def _request(self, conn, method, path, token, body=None):
        headers = {"Authorization": f"Bearer {token}", "Connection": "keep-alive"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        r.read()
        return r.status

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        i = 0
        p = self.pairing_id
        reads = ["/api/v1/pairings/", f"/api/v1/pairings/{p}", f"/api/v1/pairings/{p}/agreements",
                 f"/api/v1/pairings/{p}/figures?year=2022", f"/api/v1/pairings/{p}/figures?from=2021&to=2022",
                 "/api/v1/organisations/"]
        while time.time() < self.stop_at and self.budget.acquire(blocking=False):
            i += 1
            t0 = time.perf_counter()
            try:
                if self.rng.random() < WRITE_SHARE:
                    body = {"name": f"压测单位{self.n}-{i}（示例）", "kind": "other", "region": self.region_id}
                    status, expected = self.request(conn, "POST", "/api/v1/organisations/", self.tokens["huangyuan"], body), 201
                else:
                    user = self.rng.choice(["liuhe", "lingdao"])
                    status, expected = self.request(conn, "GET", self.rng.choice(reads), self.tokens[user]), 200
                if status != expected:
                    self.errors += 1
                    if len(self.samples) < 5:
                        self.samples.append(status)
            except (OSError, http.client.HTTPException) as e:
                self.errors += 1
                if len(self.samples) < 5:
                    self.samples.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.latencies.append(time.perf_counter() - t0)
        conn.close()


def main():
    env, tokens, pairing_id, region_id = prepare()
    port = free_port()
    server = start_server(env, port)
    try:
        budget = threading.Semaphore(MAX_REQUESTS)
        stop_at = time.time() + SECONDS
        workers = [Worker(n, port, tokens, pairing_id, region_id, stop_at, budget) for n in range(CLIENTS)]
        t0 = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join(SECONDS + 60)
        elapsed = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(30)
    latencies = [x for w in workers for x in w.latencies]
    errors = sum(w.errors for w in workers)
    samples = [s for w in workers for s in w.samples][:5]
    total = len(latencies)
    print(f"machine: {machine()}")
    print(f"clients={CLIENTS} seconds={SECONDS:.0f} write_share={WRITE_SHARE} requests={total} errors={errors}")
    print(f"throughput={total / elapsed:.1f} req/s  p50={percentile(latencies, 50) * 1000:.1f} ms  "
          f"p99={percentile(latencies, 99) * 1000:.1f} ms")
    if samples:
        print("error samples:", samples)
    return 0 if errors == 0 and total > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
