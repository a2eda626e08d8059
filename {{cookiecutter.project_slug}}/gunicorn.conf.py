"""gunicorn settings, read from the environment: `gunicorn config.wsgi` (or `make serve`).

https://docs.gunicorn.org/en/stable/settings.html
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# WEB_CONCURRENCY is the variable PaaS hosts set; default: two workers per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Above the EasyPay client's 30 s approve/revise timeout (easypay-api.md §11.4), so gunicorn
# never kills a worker that is still waiting for KICC's answer about money.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = timeout
# Recycle workers now and then (a slow leak cannot grow forever); jitter spreads restarts.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
