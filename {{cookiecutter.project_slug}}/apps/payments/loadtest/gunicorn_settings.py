"""What the load-test gunicorn configs (gunicorn_probe.py, chaos/gunicorn_chaos.py) stand on:
every setting of the project's own gunicorn.conf.py, unchanged, and no control socket."""

import runpy
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]


def project_settings() -> dict:
    """The names gunicorn.conf.py defines (gunicorn ignores those that are not settings), with
    the control socket off: it is one path per user (~/.gunicorn/gunicorn.ctl), and a load
    test's servers must not take it from each other or from a gunicorn already running."""
    settings = {
        name: value
        for name, value in runpy.run_path(str(PROJECT / "gunicorn.conf.py")).items()
        if not name.startswith("__")
    }
    return {**settings, "control_socket_disable": True}
