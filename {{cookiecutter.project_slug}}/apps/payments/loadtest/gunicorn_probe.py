"""gunicorn settings for the benchmark only: the project's gunicorn.conf.py unchanged, plus
hooks that install probe.Probe in each worker.

    gunicorn -c apps/payments/loadtest/gunicorn_probe.py     (stack.ShopServer does this)

EASYPAY_BENCH_PROBE_DIR names the folder the workers write their counters to;
EASYPAY_BENCH_PROBE_SQL=1 keeps each URL's latest statements too (bench --sql). gunicorn.conf.py's
own variables (GUNICORN_BIND, WEB_CONCURRENCY…) apply as usual.
"""

import os
from pathlib import Path

from apps.payments.loadtest.gunicorn_settings import project_settings

globals().update(project_settings())

_probe = None


def post_worker_init(worker):
    global _probe
    from apps.payments.loadtest.probe import Probe

    folder = Path(os.environ["EASYPAY_BENCH_PROBE_DIR"])
    _probe = Probe(folder, keep_sql=os.environ.get("EASYPAY_BENCH_PROBE_SQL") == "1")
    _probe.install()


def pre_request(worker, req):
    worker.log.debug("%s %s", req.method, req.path)  # gunicorn's default pre_request
    _probe.request_started()


def post_request(worker, req, environ, resp):
    _probe.request_finished(req.path)
