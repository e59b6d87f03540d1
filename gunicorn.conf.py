"""gunicorn settings: sync workers (2 x cores + 1 is the usual starting point)."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:5000")
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 60
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
