"""`manage.py easypay_chaos`: the chaos run (apps/payments/loadtest/chaos/__main__.py).

It starts its own PostgreSQL database, emulator and gunicorn, and configures Django for them,
so it runs in a process of its own rather than in this one (whose settings and database are
the ones this command was started with). Its exit status is the run's: 1 on any divergence,
2 when the run itself could not finish.
"""

import os
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError

from apps.payments.loadtest.chaos.__main__ import DIVERGED, add_options
from apps.payments.loadtest.stack import PROJECT, clean_environment

# What the run takes from this shell: the PostgreSQL server to use. Everything else it sets
# itself — not this .env's values (a development REDIS_URL would fill that queue with the
# run's jobs: the run uses Redis database 15).
PASSED_ON = ("LOADTEST_POSTGRES_URL",)


class Command(BaseCommand):
    help = (
        "Pay N payments through the real flow while everything between the shop and KICC goes "
        "wrong, reconcile, and check the shop's books against KICC's (loopback, PostgreSQL)."
    )

    def add_arguments(self, parser):
        add_options(parser)

    def handle(self, *args, **options):
        command = [sys.executable, "-m", "apps.payments.loadtest.chaos"]
        for name in (
            "payments",
            "seed",
            "concurrency",
            "workers",
            "retrieve_status",
            "postgres_url",
        ):
            if options[name] is not None:
                command += [f"--{name.replace('_', '-')}", str(options[name])]
        passed = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
        done = subprocess.run(  # noqa: S603 — this interpreter, our own module
            command, cwd=PROJECT, env=clean_environment(**passed), check=False
        )
        if done.returncode == DIVERGED:
            raise CommandError("the chaos run found a divergence (see above)", returncode=1)
        if done.returncode:
            raise CommandError(
                f"the chaos run stopped before its checks (exit {done.returncode}; see above)",
                returncode=done.returncode,
            )
