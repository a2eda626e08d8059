"""gunicorn settings, read from the environment: `gunicorn config.wsgi` (or `make serve`).

https://docs.gunicorn.org/en/stable/settings.html
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# WEB_CONCURRENCY is the variable PaaS hosts set; default: two workers per core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Above the longest chain of EasyPay calls one request makes (approve, then a void: up to
# 2 × 46.6 s with the default timeouts), so gunicorn never kills a worker waiting for KICC's
# answer about money. The settings read the same variable: a request starts no call that
# could outlast it (EASYPAY_REQUEST_BUDGET, 15 s less).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = timeout
# Recycle workers now and then (a slow leak cannot grow forever); jitter spreads restarts.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
