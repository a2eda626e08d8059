"""Benchmarks: run as modules (`python -m apps.payments.benchmarks.<name>`), not collected by
pytest. Both write to the database DATABASE_URL names: point it at a throw-away one."""
