"""Sentry for production, started from settings when SENTRY_DSN is set."""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration


def init_sentry(dsn: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        # Card numbers, phone numbers and addresses must not leave the shop.
        send_default_pii=False,
        # A failing request's local variables can hold a webhook URL or a token.
        include_local_variables=False,
        traces_sample_rate=0.0,
    )
