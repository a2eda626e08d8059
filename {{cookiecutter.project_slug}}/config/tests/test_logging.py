"""Log lines: printed once, one JSON object per line with LOG_FORMAT=json, each with its
request's id. The printing tests run the settings' LOGGING in a fresh process (the test run's
own logging is pytest's)."""

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.request_id import ACCESS_LOG_ATOM, RequestIdFilter, current

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[2]

LOG_SOME_LINES = """
import django, logging
django.setup()
logging.getLogger("django.tasks").info("task line")
logging.getLogger("apps.payments.tasks").info("shop line\\nsecond line")
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("easypay.services").exception("failed line")
"""


def log_some_lines(**env: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", LOG_SOME_LINES],
        cwd=PROJECT_DIR,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return (result.stdout + result.stderr).splitlines()


def test_a_task_log_line_is_printed_once_in_development():
    # Django gives its "django" logger a console handler of its own with DEBUG on; the
    # django.tasks lines of every task run were printed by it and by the root's.
    lines = log_some_lines(DJANGO_SETTINGS_MODULE="config.settings.local", DJANGO_DEBUG="True")

    assert sum("task line" in line for line in lines) == 1, lines
    assert sum("shop line" in line for line in lines) == 1, lines


def test_json_logs_are_one_object_per_line_even_for_tracebacks():
    lines = log_some_lines(DJANGO_SETTINGS_MODULE="config.settings.local", LOG_FORMAT="json")

    entries = [json.loads(line) for line in lines]  # every line parses on its own
    by_message = {entry["message"]: entry for entry in entries}
    assert by_message["task line"]["logger"] == "django.tasks"
    assert by_message["task line"]["level"] == "INFO"
    assert by_message["task line"]["request_id"] is None  # not in a request
    assert by_message["shop line\nsecond line"]["logger"] == "apps.payments.tasks"
    assert "ZeroDivisionError" in by_message["failed line"]["exception"]
    assert len(entries) == 3


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    """What the root logger handles, passed through the request id filter like the console."""
    kept: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            kept.append(record)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)
    yield kept
    logging.getLogger().removeHandler(handler)


def test_a_request_gets_an_id_in_its_response_and_its_log_lines(client, records):
    response = client.get("/no-such-page/")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    not_found = [r for r in records if r.name == "django.request"]
    assert not_found and not_found[0].request_id == request_id
    assert current() is None  # the response is closed: later lines are no longer this request's


def test_two_requests_get_two_ids(client):
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept(client, records):
    response = client.get("/no-such-page/", headers={"X-Request-ID": "lb-7f3a9c2e.41_x"})

    assert response["X-Request-ID"] == "lb-7f3a9c2e.41_x"
    assert [r.request_id for r in records if r.name == "django.request"] == ["lb-7f3a9c2e.41_x"]


@pytest.mark.parametrize(
    "incoming",
    ["short", "x" * 129, "has space in it", 'quote"and{json}', "line\\nbreak-injected"],
)
def test_an_insane_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/no-such-page/", headers={"X-Request-ID": incoming})

    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def test_lines_outside_a_request_say_so():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "worker line", None, None)

    RequestIdFilter().filter(record)

    assert record.request_id == "-"


def test_gunicorns_access_line_carries_the_id_of_the_response():
    # gunicorn logs the access line after the request, with the response headers as atoms.
    atoms = {"r": "GET /healthz HTTP/1.1", ACCESS_LOG_ATOM: "abc12345"}
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(r)s", (atoms,), None
    )

    RequestIdFilter().filter(record)

    assert record.request_id == "abc12345"
