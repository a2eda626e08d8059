"""A local, stateful stand-in for KICC's EasyPay test host (easypay-api.md §16, DESIGN.md §4).

Never reachable with DEBUG off: not mounted by config/urls.py, the command refuses, and the
views answer 404 unless they are served by the standalone server (README.md explains).
"""
