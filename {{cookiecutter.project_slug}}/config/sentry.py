"""Sentry for production, started from settings when SENTRY_DSN is set."""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration


def init_sentry(dsn: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        # What integrations may collect (sentry-sdk >= 2.75; supersedes send_default_pii):
        # no user identity or request bodies (card data, phone numbers, addresses), and no
        # local variables of a failing frame (they can hold a webhook URL or a token).
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
        traces_sample_rate=0.0,
    )
