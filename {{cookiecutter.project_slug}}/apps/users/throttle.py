"""Throttling of logins and signups, counted in Django's cache.

Production counts in a shared cache (config/settings/production.py), so every gunicorn worker
sees the same attempts; a per-process cache would multiply every limit by the workers.

- Login: after THROTTLE_LOGIN_FAILURES wrong passwords for one username from one address, or
  THROTTLE_LOGIN_FAILURES_PER_ADDRESS for any usernames from one address, that address may not
  try again (the password is not even checked) until THROTTLE_LOGIN_WINDOW has passed since
  its first failure. Counted per address, not per account alone, so nobody elsewhere can lock
  a buyer out of their own account. Every form that calls ``authenticate(request, ...)`` is
  counted (the user_login_failed signal); the shop's and the admin's login forms refuse.
- Signup: THROTTLE_SIGNUPS_PER_ADDRESS accounts per address per THROTTLE_SIGNUP_WINDOW.

The address is the client's, behind the proxies listed in EASYPAY_TRUSTED_PROXIES (the same
rule as for KICC's 노티): behind an unlisted proxy everyone would share the proxy's address.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.translation import gettext as _

from easypay.services.sources import client_ip


def _address(request) -> str:
    return client_ip(request.META) or "unknown"


def _key(*parts: str) -> str:
    # Hashed: a username may hold characters (and lengths) that some cache backends refuse.
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"throttle:{parts[0]}:{digest}"


def _seconds(window: timedelta) -> int:
    return max(1, int(window.total_seconds()))


def _minutes(window: timedelta) -> int:
    return max(1, -(-_seconds(window) // 60))  # rounded up: "at most N minutes"


def _count(key: str, window: timedelta) -> int:
    """Add one to a counter whose window starts with its first event."""
    cache.add(key, 0, timeout=_seconds(window))
    try:
        return cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.set(key, 1, timeout=_seconds(window))
        return 1


def _reached(key: str, limit: int) -> bool:
    return cache.get(key, 0) >= limit


# --- login -----------------------------------------------------------------------------------
def _login_keys(request, username: str) -> tuple[str, str]:
    address = _address(request)
    return _key("login", address, username.casefold()), _key("login-address", address)


def login_blocked(request, username: str) -> bool:
    per_user, per_address = _login_keys(request, username or "")
    return _reached(per_user, settings.THROTTLE_LOGIN_FAILURES) or _reached(
        per_address, settings.THROTTLE_LOGIN_FAILURES_PER_ADDRESS
    )


def login_blocked_message() -> str:
    return _(
        "로그인 시도가 너무 많아 잠시 막혔습니다. 최대 %(minutes)s분 뒤에 다시 시도하세요."
    ) % {"minutes": _minutes(settings.THROTTLE_LOGIN_WINDOW)}


def record_login_failure(sender, credentials, request=None, **kwargs) -> None:
    """user_login_failed receiver. Without a request (a test client's login(), a shell) there
    is no address to count."""
    if request is None:
        return
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")
    for key in _login_keys(request, username):
        _count(key, settings.THROTTLE_LOGIN_WINDOW)


# --- signup ----------------------------------------------------------------------------------
def _signup_key(request) -> str:
    return _key("signup", _address(request))


def signup_blocked(request) -> bool:
    return _reached(_signup_key(request), settings.THROTTLE_SIGNUPS_PER_ADDRESS)


def signup_blocked_message() -> str:
    return _("가입이 너무 많이 이어졌습니다. 최대 %(minutes)s분 뒤에 다시 시도하세요.") % {
        "minutes": _minutes(settings.THROTTLE_SIGNUP_WINDOW)
    }


def record_signup(request) -> None:
    _count(_signup_key(request), settings.THROTTLE_SIGNUP_WINDOW)
