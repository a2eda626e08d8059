"""What the shop's Content-Security-Policy must allow for EasyPay: where checkout sends the buyer.

Checkout is a form POST answered with a redirect to KICC's payment window (authPageUrl), which
KICC serves from the API host (docs/kicc-api.md §3.2). CSP's ``form-action`` governs the
redirects that follow a form submission too, so the shop's policy must name that host, or the
browser stops the buyer on the shop's own page. Whether KICC's window moves the browser on to
another of its hosts is not documented: for KICC's API hosts the whole KICC domain is allowed,
which gives an injected form nowhere useful to send a buyer's data.
"""

from urllib.parse import urlsplit

KICC_DOMAIN = "easypay.co.kr"
KICC_SOURCE = f"https://*.{KICC_DOMAIN}"


def payment_window_sources(api_url: str) -> list[str]:
    """CSP sources for form-action: the origin of ``api_url`` (the window's host), and KICC's
    domain when it is KICC's. Empty for an empty URL (nothing configured yet)."""
    parts = urlsplit(api_url or "")
    if not parts.scheme or not parts.netloc:
        return []
    sources = [f"{parts.scheme}://{parts.netloc}"]
    host = parts.hostname or ""
    if parts.scheme == "https" and (host == KICC_DOMAIN or host.endswith(f".{KICC_DOMAIN}")):
        sources.append(KICC_SOURCE)
    return sources
