"""Sentry for production, started from settings when SENTRY_DSN is set."""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.types import Event, Hint

from config.request_id import current


def init_sentry(dsn: str, *, traces_sample_rate: float = 0.0) -> None:
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        # What integrations may collect (sentry-sdk >= 2.75; supersedes send_default_pii):
        # no user identity or request bodies (card data, phone numbers, addresses), and no
        # local variables of a failing frame (they can hold a webhook URL or a token).
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
        traces_sample_rate=traces_sample_rate,
        before_send=tag_request_id,
    )


def tag_request_id(event: Event, hint: Hint) -> Event:
    """An error reported during a request carries the request id of its log lines."""
    request_id = current()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event
