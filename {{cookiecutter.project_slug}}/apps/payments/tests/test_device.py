"""deviceTypeCode from the User-Agent: phones get KICC's mobile window (§3.1, §10.2)."""

import pytest

from apps.payments.device import device_type_code

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
GALAXY = (
    "Mozilla/5.0 (Linux; Android 14; SM-S921N) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36"
)
KAKAOTALK_IN_APP = (
    "Mozilla/5.0 (Linux; Android 13; SM-G991N Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.230 Mobile Safari/537.36 KAKAOTALK 10.5.1"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X710N) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
)
WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0"
)
MAC_SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Safari/605.1.15"
)


@pytest.mark.parametrize("user_agent", [IPHONE, GALAXY, KAKAOTALK_IN_APP, ANDROID_TABLET])
def test_phones_and_tablets_get_the_mobile_window(user_agent):
    assert device_type_code(user_agent) == "mobile"


@pytest.mark.parametrize("user_agent", [WINDOWS_CHROME, MAC_SAFARI, "curl/8.5.0", "", None])
def test_desktops_and_unknown_clients_get_the_pc_window(user_agent):
    assert device_type_code(user_agent) == "pc"
