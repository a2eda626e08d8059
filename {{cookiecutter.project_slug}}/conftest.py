"""Fixtures shared by every test of the project."""

# The easypay_emulator fixture: a real local EasyPay over HTTP (easypay/testing.py).
pytest_plugins = ["easypay.testing"]
