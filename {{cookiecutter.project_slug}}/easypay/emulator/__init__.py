"""A local, stateful stand-in for KICC's EasyPay test host (docs/kicc-api.md §16).

What it models and how to drive it: README.md here.

Never reachable with DEBUG off: not mounted by config/urls.py, the command refuses, and the
views answer 404 unless they are served by the standalone server (README.md explains).
"""
