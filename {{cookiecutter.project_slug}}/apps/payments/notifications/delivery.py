"""What every sender shares: the logger, the error type, and one careful JSON POST."""

import logging

import requests

logger = logging.getLogger("apps.payments.notifications")

# (connect, read) seconds. A notification is not worth holding a worker for long; a read
# timeout after the request left may still have delivered it, so callers must not retry
# blindly (a buyer would get the same message twice).
TIMEOUT = (3, 10)

# Enough of an error answer to diagnose it, not enough to flood a log line.
ANSWER_EXCERPT_LENGTH = 200


class NotificationError(Exception):
    """A notification was not (or maybe not) delivered. Its text holds no credential."""


def post_json(channel: str, url: str, payload: dict, headers: dict | None = None):
    """POST payload as JSON; return the response whatever its status.

    Only transport failures raise here, and as NotificationError built outside the except
    block: requests' own messages (and the chained exception) quote the URL, which for
    some channels holds the bot token or is the secret itself.
    """
    try:
        return requests.post(
            url,
            json=payload,
            headers=headers,
            timeout=TIMEOUT,
            # A redirect means a wrong URL; following it would turn the POST into a GET.
            allow_redirects=False,
        )
    except requests.Timeout:
        problem = "timed out (the message may still have been delivered)"
    except requests.RequestException as error:
        problem = f"failed before an answer ({type(error).__name__})"
    raise NotificationError(f"{channel}: the request {problem}")


def succeeded(response) -> bool:
    """2xx only: requests' response.ok is also true for a 3xx, which here means a wrong URL."""
    return 200 <= response.status_code < 300


def answer_excerpt(response) -> str:
    """The start of an answer's body, for an error message."""
    return response.text[:ANSWER_EXCERPT_LENGTH]
