import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from easypay.checks import check_easypay_settings


def errors_by_id():
    return {error.id: error for error in check_easypay_settings()}


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.EASYPAY_ALLOW_LOCAL_API_URL = False
    settings.EASYPAY_API_URL = "https://pgapi.easypay.co.kr"
    settings.EASYPAY_MALL_ID = "M1234567"
    settings.EASYPAY_SECRET_KEY = "a-real-secret"
    return settings


def test_a_production_configuration_passes(production_like):
    assert errors_by_id() == {}


def test_with_debug_off_missing_mall_id_and_secret_are_errors(production_like):
    production_like.EASYPAY_MALL_ID = ""
    production_like.EASYPAY_SECRET_KEY = ""

    errors = errors_by_id()

    assert set(errors) == {"easypay.E001", "easypay.E002"}
    assert "EASYPAY_MALL_ID" in errors["easypay.E001"].hint
    assert "EASYPAY_SECRET_KEY" in errors["easypay.E002"].hint


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/__easypay__",
        "http://127.0.0.1:9100",
        "http://pgapi.easypay.co.kr",  # §2: HTTPS only
        "https://pgapi.easypay.co.kr.example.com",
        "https://testpgapi.easypay.co.kr/api",
        "",
    ],
)
def test_with_debug_off_anything_but_kicc_is_an_error(production_like, url):
    production_like.EASYPAY_API_URL = url

    errors = errors_by_id()

    assert set(errors) == {"easypay.E003"}
    assert "EASYPAY_ALLOW_LOCAL_API_URL = True" in errors["easypay.E003"].hint
    assert "https://pgapi.easypay.co.kr" in errors["easypay.E003"].hint


@pytest.mark.parametrize(
    "url",
    [
        "https://pgapi.easypay.co.kr",
        "https://testpgapi.easypay.co.kr",
        "https://pgapi.easypay.co.kr/",
    ],
)
def test_both_kicc_hosts_are_accepted(production_like, url):
    production_like.EASYPAY_API_URL = url

    assert errors_by_id() == {}


def test_an_emulator_with_debug_off_needs_the_explicit_setting(production_like):
    production_like.EASYPAY_API_URL = "http://127.0.0.1:9100"
    production_like.EASYPAY_ALLOW_LOCAL_API_URL = "True"  # a string is not an opt-in
    assert "easypay.E003" in errors_by_id()

    production_like.EASYPAY_ALLOW_LOCAL_API_URL = True
    assert errors_by_id() == {}


def test_with_debug_on_the_emulator_and_empty_keys_are_fine(production_like):
    production_like.DEBUG = True
    production_like.EASYPAY_API_URL = "http://127.0.0.1:8000/__easypay__"
    production_like.EASYPAY_MALL_ID = ""
    production_like.EASYPAY_SECRET_KEY = ""

    assert errors_by_id() == {}


@pytest.mark.parametrize("timeouts", [{"aprove": 30}, {"approve": 0}, {"approve": "thirty"}, [30]])
def test_a_mistyped_timeout_setting_is_an_error(production_like, timeouts):
    production_like.EASYPAY_TIMEOUTS = timeouts

    errors = errors_by_id()

    assert set(errors) == {"easypay.E004"}
    assert "approve" in errors["easypay.E004"].hint


def test_manage_py_check_runs_the_easypay_checks(production_like):
    production_like.EASYPAY_API_URL = "http://127.0.0.1:9100"

    with pytest.raises(SystemCheckError, match="easypay.E003"):
        call_command("check", tags=["easypay"])


def test_trusted_proxies_that_are_addresses_or_networks_pass(production_like):
    production_like.EASYPAY_TRUSTED_PROXIES = ["10.0.0.0/8", "192.168.1.2", "::1"]

    assert errors_by_id() == {}


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "proxy.internal", "10.0.0.1 10.0.0.2"])
def test_a_trusted_proxy_that_is_not_an_address_or_network_is_an_error(production_like, entry):
    production_like.EASYPAY_TRUSTED_PROXIES = ["10.0.0.1", entry]

    errors = errors_by_id()

    assert set(errors) == {"easypay.E005"}
    assert repr(entry) in errors["easypay.E005"].msg
    assert "EASYPAY_TRUSTED_PROXIES=10.0.0.0/8" in errors["easypay.E005"].hint
