"""Helpers for the client's tests (plain functions: easypay/tests has no conftest of its own)."""

import socket

from easypay.client import EasyPayClient
from easypay.tests.kicc_samples import TEST_SECRET


def closed_port_url() -> str:
    """A local URL where nothing listens: connecting is refused at once, for real."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def unreachable_client(**options) -> EasyPayClient:
    """A client whose requests can never arrive anywhere: what it would send is in the record."""
    options.setdefault("connect_attempts", 1)
    return EasyPayClient(
        base_url=closed_port_url(), mall_id="T0000000", secret_key=TEST_SECRET, **options
    )
