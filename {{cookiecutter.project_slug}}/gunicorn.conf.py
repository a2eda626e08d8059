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
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn >= 25.1 opens a control socket for `gunicornc` at $XDG_RUNTIME_DIR/gunicorn.ctl or
# ~/.gunicorn/gunicorn.ctl: one path for every gunicorn a user runs, so two shops on one host
# would take each other's. Off, unless GUNICORN_CONTROL_SOCKET gives this shop a path of its own
# (the systemd unit uses /run/<project>/gunicorn.ctl).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

# Logs on the console, for the process manager. The access line ends with the request id the
# shop answered with (config/request_id.py), so it matches the shop's own lines.
accesslog = "-"
errorlog = "-"
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)
if os.environ.get("LOG_FORMAT") == "json":
    # gunicorn's own lines as JSON too, like the shop's (config/json_logging.py).
    console = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "filters": ["request_id"],
        "stream": "ext://sys.stdout",
    }
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "config.request_id.RequestIdFilter"}},
        "formatters": {"json": {"()": "config.json_logging.JsonFormatter"}},
        "handlers": {"console": console},
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
