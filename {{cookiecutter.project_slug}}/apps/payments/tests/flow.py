"""Helpers for tests that pay through the real emulator: checkout → window → return URL."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import reverse

from easypay.tests.contract_helpers import authorization_id_of


def checkout(client, product, **extra):
    """POST the pay button; returns the response (a redirect to authPageUrl on success)."""
    return client.post(reverse("payments:checkout", args=[product.pk]), **extra)


def return_from_window(client, emulator, auth_page_url, outcome="approve", **kwargs):
    """Press a window button (without a browser) and deliver the window's form POST to our
    returnUrl with the test client, as the buyer's browser would."""
    posted = emulator.authenticate(authorization_id_of(auth_page_url), outcome, **kwargs)
    return client.post(urlsplit(posted.url).path, posted.fields)


def pay(client, emulator, product, outcome="approve"):
    """Checkout and return from the window; the response is the return endpoint's redirect."""
    started = checkout(client, product)
    assert started.status_code == 302, started
    return return_from_window(client, emulator, started.url, outcome)


class Forms(HTMLParser):
    """The forms of a page: action, method, hidden/text inputs and submit buttons."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": attrs.get("action", ""),
                    "method": attrs.get("method", "get").lower(),
                    "fields": {},
                    "buttons": [],
                }
            )
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and self.forms and attrs.get("name"):
            self.forms[-1]["buttons"].append((attrs["name"], attrs.get("value", "")))

    def with_button(self, name: str, value: str) -> dict:
        return next(f for f in self.forms if (name, value) in f["buttons"])
