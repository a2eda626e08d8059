"""The services' settings, with their defaults (config/settings/base.py documents each)."""

from datetime import timedelta

from django.conf import settings

from easypay import client
from easypay.client import merge_timeouts

# KICC's documented 노티 source addresses (docs/kicc-api.md §2). The test host's sender is
# allowed only while EASYPAY_API_URL is the test host: a production shop must not take a
# 노티 from KICC's test system as news about real money.
KICC_NOTI_IPS = ("203.233.72.150", "203.233.72.151", "61.33.211.180")
KICC_TEST_NOTI_IPS = ("61.33.205.151",)
KICC_TEST_API_URL = "https://testpgapi.easypay.co.kr"


def _duration(name: str, default: timedelta) -> timedelta:
    value = getattr(settings, name, default)
    # Plain seconds are accepted too, so a number in settings does not surprise anyone.
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def pending_expiry() -> timedelta:
    return _duration("EASYPAY_PENDING_EXPIRY", timedelta(hours=1))


def approving_stale_after() -> timedelta:
    return _duration("EASYPAY_APPROVING_STALE_AFTER", timedelta(minutes=2))


def unknown_grace() -> timedelta:
    return _duration("EASYPAY_UNKNOWN_GRACE", timedelta(minutes=10))


def default_noti_allowed_ips(api_url: str) -> tuple[str, ...]:
    """KICC's 노티 senders for the host the shop talks to (§2)."""
    if str(api_url or "").rstrip("/") == KICC_TEST_API_URL:
        return KICC_TEST_NOTI_IPS
    return KICC_NOTI_IPS


def noti_allowed_ips() -> tuple[str, ...]:
    configured = getattr(settings, "EASYPAY_NOTI_ALLOWED_IPS", None)
    if configured is None:
        return default_noti_allowed_ips(getattr(settings, "EASYPAY_API_URL", ""))
    return tuple(configured)


def trusted_proxies() -> tuple[str, ...]:
    return tuple(getattr(settings, "EASYPAY_TRUSTED_PROXIES", ()))


def request_budget() -> timedelta:
    """How long one web request may spend calling KICC (easypay.client.deadline)."""
    return _duration("EASYPAY_REQUEST_BUDGET", timedelta(seconds=105))


def longest_call(endpoint: str) -> timedelta:
    """The longest a call can still be on its way: the client tries to connect up to 3 times
    and then waits for the answer (easypay.client.longest_call), plus a second of margin."""
    timeouts = merge_timeouts(getattr(settings, "EASYPAY_TIMEOUTS", None))
    return timedelta(seconds=client.longest_call(timeouts, endpoint) + 1)


def longest_return() -> timedelta:
    """The longest chain of calls a request makes: the window's return approves and may then
    have to void what it cannot keep (integrity rules 1 and 4) — approve, then revise."""
    return longest_call("approve") + longest_call("revise")


def request_deadline():
    """The deadline for the calls of one web request (easypay.client.deadline): the views
    that call KICC run inside it, so gunicorn never kills a worker in the middle of a call."""
    return client.deadline(request_budget().total_seconds())
