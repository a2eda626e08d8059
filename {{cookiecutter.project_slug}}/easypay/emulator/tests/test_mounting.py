"""Where the emulator can be reached: the DEBUG dev server, the standalone command, nowhere else."""

import importlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.management import CommandError, call_command
from django.urls import clear_url_caches

from easypay.emulator import views

PROJECT = Path(__file__).resolve().parents[3]


def forget_embedded_emulator():
    """The next request builds the embedded emulator anew; the one built before is closed."""
    if views.embedded_emulator.cache_info().currsize:
        views.embedded_emulator().close()
    views.embedded_emulator.cache_clear()


@pytest.fixture
def embedded(settings, tmp_path):
    """The embedded emulator's own SQLite file, away from the project folder."""
    settings.EASYPAY_EMULATOR = {**settings.EASYPAY_EMULATOR, "DATABASE": tmp_path / "e.sqlite3"}
    forget_embedded_emulator()
    yield
    forget_embedded_emulator()


@pytest.fixture
def reload_urls(settings):
    import config.urls

    def reload(debug):
        settings.DEBUG = debug
        clear_url_caches()
        return importlib.reload(config.urls)

    yield reload
    settings.DEBUG = False
    clear_url_caches()
    importlib.reload(config.urls)


def test_with_debug_off_the_project_does_not_mount_the_emulator(client):
    answer = client.post(
        "/__easypay__/api/ep9/trades/webpay", data="{}", content_type="application/json"
    )

    assert answer.status_code == 404


def test_with_debug_on_the_project_mounts_the_emulator(reload_urls):
    module = reload_urls(debug=True)

    assert "__easypay__/" in [str(p.pattern) for p in module.urlpatterns]
    assert "__easypay__/" not in [str(p.pattern) for p in reload_urls(debug=False).urlpatterns]


@pytest.mark.urls("easypay.emulator.tests.urls_embedded")
def test_the_embedded_views_answer_only_with_debug_on(client, settings, embedded):
    body = {
        "mallId": "T0000000",
        "shopOrderNo": "ORD-EMBEDDED",
        "amount": 1000,
        "payMethodTypeCode": "11",
        "currency": "00",
        "clientTypeCode": "00",
        "deviceTypeCode": "mobile",
        "returnUrl": "http://testserver/pay/return",
        "orderInfo": {"goodsName": "상품"},
    }
    post = lambda: client.post(  # noqa: E731
        "/__easypay__/api/ep9/trades/webpay", data=json.dumps(body), content_type="application/json"
    )
    assert post().status_code == 404  # DEBUG off, even where someone mounted it

    settings.DEBUG = True
    answer = post().json()

    assert answer["resCd"] == "0000"
    assert answer["authPageUrl"].startswith(
        "http://testserver/__easypay__/view/trades/cert-req.do?authorizationId="
    )
    window = client.get(answer["authPageUrl"].removeprefix("http://testserver"))
    assert window.status_code == 200


@pytest.mark.urls("easypay.emulator.tests.urls_embedded")
def test_the_embedded_api_is_csrf_exempt(settings, embedded):
    from django.test import Client

    settings.DEBUG = True
    client = Client(enforce_csrf_checks=True)

    answer = client.post(
        "/__easypay__/api/trades/retrieveTransaction", data="{}", content_type="application/json"
    )

    assert answer.status_code == 200 and answer.json()["resCd"] == "X001"


def test_the_command_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("easypay_emulator", "--port", "0")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_command_serves_the_emulator_standalone_with_debug_on(tmp_path):
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DJANGO_DEBUG": "True"}
    process = subprocess.Popen(  # noqa: S603 — our own manage.py
        [sys.executable, "manage.py", "easypay_emulator", "--port", str(port),
         "--database", str(tmp_path / "standalone.sqlite3")],
        cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                answer = requests.post(f"{base}/api/trades/retrieveTransaction", json={}, timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.1)
        assert answer.json()["resCd"] == "X001"
        requests.post(f"{base}/_control/faults", json={"kind": "drop_after_commit"}, timeout=2)
        with pytest.raises(requests.ConnectionError):
            requests.post(f"{base}/api/trades/retrieveTransaction", json={}, timeout=2)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_the_command_refuses_in_a_real_process_with_debug_off():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DJANGO_DEBUG": "False"}

    result = subprocess.run(  # noqa: S603 — our own manage.py
        [sys.executable, "manage.py", "easypay_emulator", "--port", "0"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode != 0
    assert "DEBUG" in result.stderr
