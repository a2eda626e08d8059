"""runserver pays through the emulator of the server that is actually serving, or refuses."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from apps.payments.loadtest.pages import Forms
from easypay.client import get_client
from easypay.devserver import follow

PROJECT = Path(__file__).resolve().parents[3]
urls = pytest.mark.urls("easypay.devserver.tests.urls")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- what runserver does once bound, and before ---------------------------------------------
@urls
@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8001"),
        ("0.0.0.0", "http://127.0.0.1:8001"),  # noqa: S104 (listening everywhere)
        ("localhost", "http://localhost:8001"),
        ("::1", "http://[::1]:8001"),
        ("::", "http://[::1]:8001"),
    ],
)
def test_an_empty_api_url_follows_the_bound_address_and_the_noti_come_back(
    settings, address, expected
):
    settings.EASYPAY_API_URL = ""
    settings.EASYPAY_EMULATOR = {**settings.EASYPAY_EMULATOR, "NOTI_URL": ""}

    said = follow.follow(address, 8001)

    api_url, noti_url = settings.EASYPAY_API_URL, settings.EASYPAY_EMULATOR["NOTI_URL"]
    assert api_url == f"{expected}/__easypay__"
    assert noti_url == f"{expected}/payments/easypay/noti/"
    assert api_url in said


@urls
def test_a_configured_api_url_and_noti_url_are_left_alone(settings):
    settings.EASYPAY_API_URL = "https://testpgapi.easypay.co.kr"

    said = follow.follow("127.0.0.1", 8001)

    assert settings.EASYPAY_API_URL == "https://testpgapi.easypay.co.kr"
    assert "https://testpgapi.easypay.co.kr" in said

    settings.EASYPAY_API_URL = ""
    settings.EASYPAY_EMULATOR = {**settings.EASYPAY_EMULATOR, "NOTI_URL": "http://example.test/n"}
    follow.follow("127.0.0.1", 8001)
    assert settings.EASYPAY_EMULATOR["NOTI_URL"] == "http://example.test/n"


@urls
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_embedded_emulator_of_another_port_is_refused_with_what_to_do(settings, host):
    settings.EASYPAY_API_URL = f"http://{host}:8000/__easypay__"

    with pytest.raises(CommandError) as refused:
        follow.refuse_another_servers_emulator("127.0.0.1", 8001)

    assert "port 8000" in str(refused.value) and "port 8001" in str(refused.value)
    assert "Leave EASYPAY_API_URL empty" in str(refused.value)


@urls
@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://127.0.0.1:8001/__easypay__",  # this server's own
        "http://127.0.0.1:9100",  # a standalone emulator
        "https://testpgapi.easypay.co.kr",
    ],
)
def test_this_servers_own_a_standalone_emulator_or_kicc_are_accepted(settings, url):
    settings.EASYPAY_API_URL = url

    follow.refuse_another_servers_emulator("127.0.0.1", 8001)


def test_an_empty_api_url_without_the_mounted_emulator_is_refused(settings):
    settings.EASYPAY_API_URL = ""  # the test URLconf (DEBUG off) does not mount the emulator

    with pytest.raises(CommandError, match="DJANGO_DEBUG=True"):
        follow.refuse_another_servers_emulator("127.0.0.1", 8001)


def test_outside_runserver_an_empty_api_url_says_where_to_point_it(settings):
    settings.DEBUG = True
    settings.EASYPAY_API_URL = ""

    with pytest.raises(ImproperlyConfigured, match="only runserver knows"):
        get_client()


# --- a real runserver ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dev_project(tmp_path_factory):
    """Development settings on a database and an emulator store of their own, migrated once
    for the module's dev servers (one pays, the others only start)."""
    tmp_path = tmp_path_factory.mktemp("devserver")
    (tmp_path / "devserver_settings.py").write_text(
        "from config.settings.local import *  # noqa: F403\n"
        "EASYPAY_EMULATOR = {**EASYPAY_EMULATOR, "  # noqa: F405
        f'"DATABASE": {str(tmp_path / "emulator.sqlite3")!r}}}\n'
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "devserver_settings",
        "DJANGO_DEBUG": "True",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EASYPAY_API_URL": "",  # as .env.example says: the dev server's own emulator
    }
    for command in (["migrate", "--no-input"], ["loaddata", "demo_products"]):
        subprocess.run(  # noqa: S603 — our own manage.py
            [sys.executable, "manage.py", *command, "--verbosity", "0"],
            cwd=PROJECT, env=env, check=True, timeout=120,
        )  # fmt: skip
    return env


def runserver(env, port, **extra):
    return subprocess.Popen(  # noqa: S603 — our own manage.py
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        # Unbuffered: what it printed is still there after terminate().
        cwd=PROJECT, env={**env, "PYTHONUNBUFFERED": "1", **extra}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_for(url, process, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return requests.get(url, timeout=2)
        except requests.ConnectionError:
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, f"{url} did not answer"
            time.sleep(0.1)


def test_a_dev_server_on_another_port_pays_through_its_own_emulator(dev_project):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = runserver(dev_project, port)
    try:
        wait_for(f"{base}/healthz", server)
        browser = requests.Session()
        signup = browser.get(f"{base}/accounts/signup/", timeout=5)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', signup.text).group(1)
        browser.post(
            f"{base}/accounts/signup/",
            {
                "csrfmiddlewaretoken": token,
                "username": "buyer",
                "email": "buyer@example.com",
                "phone": "01012345678",
                "password1": "a-Long-passw0rd!",
                "password2": "a-Long-passw0rd!",
            },
            timeout=10,
        )

        product = browser.get(f"{base}/products/1/", timeout=5)
        checkout = Forms(product.text).forms[-1]
        started = browser.post(
            base + checkout["action"], checkout["fields"], allow_redirects=False, timeout=30
        )
        window = f"{base}/__easypay__/view/trades/cert-req.do?authorizationId="
        assert started.status_code == 302, started.text
        assert started.headers["Location"].startswith(window)

        page = browser.get(started.headers["Location"], timeout=5)
        approve = Forms(page.text).with_button("outcome", "approve")
        answer = browser.post(base + approve["action"], {**approve["fields"], "outcome": "approve"})
        back = Forms(answer.text).forms[0]
        result = browser.post(back["action"], back["fields"], timeout=30)

        assert result.url.startswith(f"{base}/p/")
        assert "결제가 완료되었습니다" in result.text
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"EasyPay: the emulator of this server, {base}/__easypay__" in output


def test_a_dev_server_refuses_the_emulator_of_another_port(dev_project):
    port, elsewhere = free_port(), free_port()
    server = runserver(
        dev_project, port, EASYPAY_API_URL=f"http://127.0.0.1:{elsewhere}/__easypay__"
    )

    output = server.communicate(timeout=60)[0]

    assert server.returncode != 0
    assert f"the emulator of a dev server on port {elsewhere}" in output
    assert "Leave EASYPAY_API_URL empty in .env" in output


def stop_group(process) -> str:
    """Stop make, runserver and the autoreloader's child (one process group); what they printed.
    SIGTERM first; the autoreloader turns it into sys.exit in its main thread, which a loaded
    machine may not reach in time, so SIGKILL after a grace period."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.communicate(timeout=10)[0]
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.communicate(timeout=30)[0]


@pytest.mark.skipif(
    not shutil.which("make") or not (PROJECT / ".venv/bin/python").exists(),
    reason="make run needs make and the project's .venv (make install)",
)
def test_make_run_serves_on_the_port_it_is_given_with_its_own_emulator(dev_project):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 — our own Makefile
        ["make", "--no-print-directory", "run", f"PORT={port}"],  # noqa: S607 — make on PATH
        cwd=PROJECT, env={**dev_project, "PYTHONUNBUFFERED": "1"}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        healthz = wait_for(f"{base}/healthz", server, seconds=60)
    finally:
        output = stop_group(server)

    assert healthz.status_code == 200, output
    assert f"EasyPay: the emulator of this server, {base}/__easypay__" in output
