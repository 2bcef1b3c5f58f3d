# gunicorn settings for Xiezuo behind nginx. Workers are processes: the app
# keeps no state between requests, so any number of servers can run it.
import multiprocessing
import os

bind = os.environ.get("XIEZUO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("XIEZUO_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("XIEZUO_THREADS", "2"))
worker_class = "gthread"
timeout = 120  # large Excel imports on the web run in a background thread, reports can take a while
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# No query strings in the access log: filters may carry names.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = "127.0.0.1"
