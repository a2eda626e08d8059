"""`manage.py easypay_chaos`: the chaos run (apps/payments/loadtest/chaos/__main__.py).

It starts its own PostgreSQL database, emulator and gunicorn, and configures Django for them,
so it runs in a process of its own rather than in this one (whose settings and database are
the ones this command was started with). Its exit status is the run's: 1 on any divergence.
"""

import os
import subprocess
import sys

from django.core.management.base import BaseCommand, CommandError

from apps.payments.loadtest.stack import PROJECT, clean_environment


class Command(BaseCommand):
    help = (
        "Pay N payments through the real flow while everything between the shop and KICC goes "
        "wrong, reconcile, and check the shop's books against KICC's (loopback, PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--payments", type=int, default=300)
        parser.add_argument("--seed", type=int)
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--retrieve-status", choices=("current", "original"), default="current")
        parser.add_argument("--postgres-url")

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
        # A clean environment: the run sets every variable the settings read (not this .env's).
        passed = {k: v for k, v in os.environ.items() if k == "LOADTEST_POSTGRES_URL"}
        done = subprocess.run(  # noqa: S603 — this interpreter, our own module
            command, cwd=PROJECT, env=clean_environment(**passed), check=False
        )
        if done.returncode:
            raise CommandError(
                "the chaos run found a divergence (see above)", returncode=done.returncode
            )
