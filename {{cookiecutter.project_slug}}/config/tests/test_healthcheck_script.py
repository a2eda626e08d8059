"""scripts/healthcheck.py, the container's HEALTHCHECK, against a real server."""

import os
import runpy
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "healthcheck.py"


def healthcheck(bind: str, allowed_hosts: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={
            "PATH": os.environ["PATH"],
            "GUNICORN_BIND": bind,
            "DJANGO_ALLOWED_HOSTS": allowed_hosts,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


@pytest.fixture
def bind(live_server) -> str:
    return urlsplit(live_server.url).netloc


def test_a_serving_shop_is_healthy(bind):
    result = healthcheck(bind, "localhost,shop.example.com")

    assert result.returncode == 0, result.stderr


def test_the_request_names_the_first_allowed_host(bind):
    # The test settings do not allow shop.example.com: Django answers 400, the check fails.
    result = healthcheck(bind, "shop.example.com,localhost")

    assert result.returncode == 1
    assert "/healthz answered 400" in result.stderr


def test_nothing_listening_is_unhealthy():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free, and closed again below

    result = healthcheck(f"127.0.0.1:{port}", "localhost")

    assert result.returncode == 1
    assert "does not answer" in result.stderr


@pytest.mark.parametrize(
    ("bind", "allowed", "expected"),
    [
        ("0.0.0.0:8000", "shop.example.com", ("127.0.0.1", 8000, "shop.example.com")),
        ("127.0.0.1:9000", ".example.com,other", ("127.0.0.1", 9000, "example.com")),
        ("[::]:8000", "*", ("127.0.0.1", 8000, "localhost")),
        ("10.0.0.5:8001", "", ("10.0.0.5", 8001, "localhost")),
    ],
)
def test_where_the_check_asks(bind, allowed, expected):
    target = runpy.run_path(str(SCRIPT))["target"]

    assert target({"GUNICORN_BIND": bind, "DJANGO_ALLOWED_HOSTS": allowed}) == expected
