"""Benchmarks: run as modules (`python -m easypay.benchmarks.<name>`), not collected by pytest."""
