"""Which EasyPay a development server pays through: its own embedded emulator.

An empty EASYPAY_API_URL in development means "the emulator embedded in the dev server that is
running". Only runserver knows where that is, once it has bound its port: it then sets
EASYPAY_API_URL to http://<address>:<port>/__easypay__ and, unless one is configured, sends the
emulator's 노티 back to the same server. `runserver 127.0.0.1:8001` therefore pays through its
own emulator, never through whatever else listens on :8000.

An EASYPAY_API_URL naming the embedded emulator of another local port is the silent mix-up
this prevents (another project's demo answering, or nothing answering): runserver refuses it.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import CommandError
from django.urls import NoReverseMatch, reverse

from easypay.client import PATHS

# Addresses a browser or this machine's client may use for a local server.
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# What the client calls when the server listens on every address.
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "0": "127.0.0.1", "::": "::1"}  # noqa: S104 (a lookup)


def embedded_prefix() -> str | None:
    """Where the project mounts the emulator ("/__easypay__"), or None when it does not
    (DEBUG off: config/urls.py mounts it only in development)."""
    try:
        register = reverse("easypay_emulator:register")
    except NoReverseMatch:
        return None
    return register.removesuffix(PATHS["register"])


def server_url(address: str, port: int) -> str:
    host = ANY_ADDRESS.get(address, address)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def refuse_another_servers_emulator(address: str, port: int) -> None:
    """Before serving: an empty URL needs the emulator mounted here; a URL naming the embedded
    emulator of another local port is refused with what to do instead."""
    url = settings.EASYPAY_API_URL
    prefix = embedded_prefix()
    if not url:
        if prefix is None:
            raise CommandError(
                "EASYPAY_API_URL is empty, which in development means the EasyPay emulator of "
                "this server, but it is mounted only with DEBUG on. Set DJANGO_DEBUG=True, or set "
                "EASYPAY_API_URL (e.g. https://testpgapi.easypay.co.kr)."
            )
        return
    parts = urlsplit(url)
    names_embedded = parts.path.rstrip("/") == (prefix or "/__easypay__")
    local = parts.hostname in LOOPBACK | {address, ANY_ADDRESS.get(address, address)}
    if names_embedded and local and parts.port != port:
        raise CommandError(
            f"EASYPAY_API_URL is {url}: the emulator of a dev server on port {parts.port}, but "
            f"this one serves port {port}, so payments would go through whatever runs there (or "
            "fail with no answer). Leave EASYPAY_API_URL empty in .env to use this server's own "
            "emulator, or point it at a standalone one (manage.py easypay_emulator)."
        )


def follow(address: str, port: int) -> str:
    """Once bound: point an empty EASYPAY_API_URL at this server's emulator, its 노티 back at
    this server. Returns a line saying where payments go."""
    if settings.EASYPAY_API_URL:
        return f"EasyPay: payments go to {settings.EASYPAY_API_URL} (EASYPAY_API_URL)"
    here = server_url(address, port)
    settings.EASYPAY_API_URL = f"{here}{embedded_prefix()}"
    emulator = getattr(settings, "EASYPAY_EMULATOR", {})
    if not emulator.get("NOTI_URL"):
        settings.EASYPAY_EMULATOR = {**emulator, "NOTI_URL": here + reverse("easypay:noti")}
    return (
        f"EasyPay: the emulator of this server, {settings.EASYPAY_API_URL} "
        f"(노티 to {settings.EASYPAY_EMULATOR['NOTI_URL']})"
    )
