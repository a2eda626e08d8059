"""gunicorn settings for the chaos run only: the project's gunicorn.conf.py unchanged, plus a
hook that records every payment signal in each worker (signal_log.py).

    gunicorn -c apps/payments/loadtest/chaos/gunicorn_chaos.py     (ChaosShop does this)

EASYPAY_CHAOS_SIGNAL_DIR names the folder. gunicorn.conf.py's own variables apply as usual.
"""

import os

from apps.payments.loadtest.gunicorn_settings import project_settings

globals().update(project_settings())
# Behind the stand-in for the TLS proxy (wsgi.py).
wsgi_app = "apps.payments.loadtest.chaos.wsgi:application"


def post_worker_init(worker):
    from apps.payments.loadtest.chaos.signal_log import SignalLog

    SignalLog(os.environ["EASYPAY_CHAOS_SIGNAL_DIR"]).install()
