"""gunicorn for production (`make serve`): sync workers from the CPU count, JSON access lines with the request id.

Settings come from the environment so one file serves a laptop, a VM and the compose file beside it.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers: each request holds one database connection for its length; 2 per core plus one is gunicorn's
# advice for a service that waits on PostgreSQL as much as it computes.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # the city-wide exports stream, the rest is quick
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then: a slow leak never reaches production memory limits
max_requests_jitter = 200
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# One JSON object per request, with the id the app echoes in X-Request-Id.
access_log_format = (
    '{"time": "%(t)s", "logger": "access", "request_id": "%({x-request-id}o)s", "method": "%(m)s", '
    '"path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, "remote": "%(h)s"}'
)
