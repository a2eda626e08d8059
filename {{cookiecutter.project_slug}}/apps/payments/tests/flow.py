"""Helpers for tests that pay through the real emulator: checkout → window → return URL."""

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
