"""System checks that keep a misconfigured shop from taking payments (fail closed).

With DEBUG off (production, but also tests and local end-to-end runs):
- EASYPAY_MALL_ID and EASYPAY_SECRET_KEY must be set;
- EASYPAY_API_URL must be one of KICC's two hosts (§2). An emulator is recognised by not being
  one of them — never by guessing from the URL's text. Tests and end-to-end runs that use the
  emulator with DEBUG off say so explicitly with EASYPAY_ALLOW_LOCAL_API_URL = True.
Always: EASYPAY_TIMEOUTS must name known calls with positive seconds, every entry of
EASYPAY_TRUSTED_PROXIES must be an IP address or network, and a web request's budget
(EASYPAY_REQUEST_BUDGET) should fit the return's longest chain of calls.
"""

import ipaddress

from django.conf import settings
from django.core.checks import Error, Warning, register

from easypay.client import merge_timeouts

# §2: HTTPS only, the same paths on both hosts.
KICC_API_URLS = ("https://testpgapi.easypay.co.kr", "https://pgapi.easypay.co.kr")


@register("easypay")
def check_easypay_settings(app_configs=None, **kwargs):
    errors = []
    if not settings.DEBUG:
        errors += _check_credentials()
        errors += _check_api_url()
    errors += _check_timeouts()
    errors += _check_trusted_proxies()
    return errors


def _check_credentials():
    errors = []
    if not getattr(settings, "EASYPAY_MALL_ID", ""):
        errors.append(
            Error(
                "EASYPAY_MALL_ID is not set.",
                hint="Set the EASYPAY_MALL_ID environment variable to the mall id KICC issued you.",
                id="easypay.E001",
            )
        )
    if not getattr(settings, "EASYPAY_SECRET_KEY", ""):
        errors.append(
            Error(
                "EASYPAY_SECRET_KEY is not set: approval signatures cannot be verified.",
                hint="Set the EASYPAY_SECRET_KEY environment variable to the secret key KICC "
                "issued with your mall id.",
                id="easypay.E002",
            )
        )
    return errors


def _check_api_url():
    url = getattr(settings, "EASYPAY_API_URL", "")
    if getattr(settings, "EASYPAY_ALLOW_LOCAL_API_URL", False) is True:
        return []
    if isinstance(url, str) and url.rstrip("/") in KICC_API_URLS:
        return []
    return [
        Error(
            f"EASYPAY_API_URL is {url!r}, which is not KICC: with DEBUG off payments would go to "
            "an emulator or an unknown server.",
            hint=f"Set EASYPAY_API_URL to {KICC_API_URLS[1]} (production) or {KICC_API_URLS[0]} "
            "(KICC's test host). To run against the local emulator with DEBUG off (tests, "
            "end-to-end runs), set EASYPAY_ALLOW_LOCAL_API_URL = True in that settings module.",
            id="easypay.E003",
        )
    ]


def _check_timeouts():
    try:
        merge_timeouts(getattr(settings, "EASYPAY_TIMEOUTS", None))
    except (ValueError, TypeError, AttributeError) as error:
        return [
            Error(
                f"EASYPAY_TIMEOUTS is invalid: {error}",
                hint="Use a dict of positive seconds with the keys connect, register, approve, "
                "revise, retrieve (KICC asks for 30 for approve and revise, §11.4).",
                id="easypay.E004",
            )
        ]
    return _check_request_budget()


def _check_request_budget():
    from easypay.services import conf  # services import models: not at app-loading time

    budget, chain = conf.request_budget(), conf.longest_return()
    if budget >= chain:
        return []
    return [
        Warning(
            f"EASYPAY_REQUEST_BUDGET ({budget.total_seconds():.0f} s) is shorter than the "
            f"window's return can take ({chain.total_seconds():.0f} s: approve, then the void of "
            "an approval the shop cannot keep).",
            hint="Such a void would be left to easypay_reconcile instead of being sent at once. "
            "Raise GUNICORN_TIMEOUT (the budget follows it), or lower EASYPAY_TIMEOUTS.",
            id="easypay.W001",
        )
    ]


def _check_trusted_proxies():
    entries = getattr(settings, "EASYPAY_TRUSTED_PROXIES", [])
    if isinstance(entries, str):
        entries = [entries]  # a single string would be read one character at a time
    errors = []
    for entry in entries:
        try:
            ipaddress.ip_network(str(entry).strip(), strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"EASYPAY_TRUSTED_PROXIES lists {entry!r}, which is not an IP address or "
                    "network.",
                    hint="List the proxies in front of the shop, comma-separated, e.g. "
                    "EASYPAY_TRUSTED_PROXIES=10.0.0.0/8,192.168.1.2 (or leave it empty).",
                    id="easypay.E005",
                )
            )
    return errors
