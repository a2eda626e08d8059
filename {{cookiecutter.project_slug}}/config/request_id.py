"""One id per request, on every log line the request writes and in its X-Request-ID header.

The middleware keeps the id in a context variable for as long as the request runs; the
logging filter copies it onto each record (config/settings/base.py, LOGGING). An incoming
X-Request-ID (a proxy or load balancer's) is kept when it looks like an id, so one request
can be followed across them; anything else is replaced by a fresh one, so a client cannot
write arbitrary text into the logs.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished

HEADER = "X-Request-ID"
# Letters, digits and . _ - only, 8 to 128 long: UUIDs, hex digests, load balancer ids.
SANE = re.compile(r"[A-Za-z0-9._-]{8,128}")
# gunicorn's access log names response headers like this (gunicorn.conf.py's format).
ACCESS_LOG_ATOM = "{x-request-id}o"
NONE = "-"

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current() -> str | None:
    """The id of the request this code runs for, or None outside a request."""
    return _current.get()


def accept_or_create(incoming: str | None) -> str:
    if incoming and SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every line a request logs carries its id.

    The id stays current until the response is closed (request_finished): Django logs a 4xx
    response ("Not Found: …") after the middleware has returned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept_or_create(request.headers.get(HEADER))
        request.request_id = request_id
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget(**kwargs) -> None:
    _current.set(None)


request_finished.connect(_forget, dispatch_uid="config.request_id.forget")


class RequestIdFilter(logging.Filter):
    """Sets record.request_id: the current request's, the one gunicorn's access line
    reports from the response header, or "-" outside any request."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current()
        if request_id is None and isinstance(record.args, dict):
            logged = record.args.get(ACCESS_LOG_ATOM)
            request_id = logged if isinstance(logged, str) and SANE.fullmatch(logged) else None
        record.request_id = request_id or NONE
        return True
