"""Who may send 노티: KICC's documented senders for the host the shop talks to (§2)."""

import json
import os
import subprocess
import sys

import pytest

from easypay.services import conf, sources

TEST_HOST = "https://testpgapi.easypay.co.kr"
PRODUCTION_HOST = "https://pgapi.easypay.co.kr"
KICC_TEST_SENDER = "61.33.205.151"
KICC_PRODUCTION_SENDERS = ["203.233.72.150", "203.233.72.151", "61.33.211.180"]


def test_the_test_hosts_sender_is_allowed_only_while_talking_to_the_test_host():
    assert conf.default_noti_allowed_ips(TEST_HOST) == (KICC_TEST_SENDER,)
    assert conf.default_noti_allowed_ips(TEST_HOST + "/") == (KICC_TEST_SENDER,)
    for url in (PRODUCTION_HOST, "http://127.0.0.1:8000/__easypay__", ""):
        assert list(conf.default_noti_allowed_ips(url)) == KICC_PRODUCTION_SENDERS


@pytest.mark.parametrize(
    ("api_url", "allowed", "refused"),
    [
        (PRODUCTION_HOST, KICC_PRODUCTION_SENDERS, [KICC_TEST_SENDER]),
        (TEST_HOST, [KICC_TEST_SENDER], KICC_PRODUCTION_SENDERS),
    ],
)
def test_without_the_setting_the_allow_list_follows_the_api_url(
    settings, api_url, allowed, refused
):
    del settings.EASYPAY_NOTI_ALLOWED_IPS
    settings.EASYPAY_API_URL = api_url

    assert all(sources.noti_source_allowed(ip) for ip in allowed)
    assert not any(sources.noti_source_allowed(ip) for ip in refused)


def test_the_setting_still_wins(settings):
    settings.EASYPAY_API_URL = PRODUCTION_HOST
    settings.EASYPAY_NOTI_ALLOWED_IPS = [KICC_TEST_SENDER, "10.0.0.0/8"]

    assert sources.noti_source_allowed(KICC_TEST_SENDER)
    assert sources.noti_source_allowed("10.1.2.3")
    assert not sources.noti_source_allowed(KICC_PRODUCTION_SENDERS[0])


@pytest.mark.parametrize(
    ("api_url", "expected"),
    [(PRODUCTION_HOST, KICC_PRODUCTION_SENDERS), (TEST_HOST, [KICC_TEST_SENDER])],
)
def test_the_settings_file_derives_its_default_from_easypay_api_url(api_url, expected):
    """config/settings/base.py, loaded fresh as a deployment would load it."""
    code = (
        "from config.settings import base; import json; "
        "print(json.dumps(base.EASYPAY_NOTI_ALLOWED_IPS))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "EASYPAY_API_URL": api_url},
        capture_output=True,
        text=True,
        check=True,
        cwd=_project_root(),
    )
    assert json.loads(out.stdout) == expected


def _project_root():
    from django.conf import settings

    return settings.BASE_DIR
