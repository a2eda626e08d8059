"""How long a request spends in the payment_approved receivers: they only enqueue, so this is
the cost of enqueueing every task an approval starts, on the queue the settings name.

    python -m apps.payments.benchmarks.receivers [--runs 1000] [--dummy]

Times payment_approved.send_robust for one paid payment, outside any transaction — as easypay
sends it after the approval committed, so transaction.on_commit enqueues at once — and prints
the median in microseconds. With production settings (DJANGO_SETTINGS_MODULE=
config.settings.production and its variables) that is the real queue: a row in the database
(django-tasks-db) or a job in Redis (django-tasks-rq). --dummy swaps in DummyBackend, which
only keeps the task in memory: the receivers' own cost. The default test settings run tasks
inline (ImmediateBackend), which is not what a production request pays: use one of the two.
"""

import argparse
import statistics
import time

from .setup import announce_approval, paid_payments, start_django


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="timed approvals (default 1000)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed approvals first")
    parser.add_argument("--dummy", action="store_true", help="DummyBackend instead of the queue")
    options = parser.parse_args(argv)

    start_django()
    from django.conf import settings
    from django.tasks import task_backends
    from django.test import override_settings

    from easypay.signals import payment_approved

    queue = {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": []}
    with override_settings(TASKS={"default": queue} if options.dummy else settings.TASKS):
        backend = type(task_backends["default"]).__name__
        payments = paid_payments(options.warmup + options.runs)
        timings = []
        for number, payment in enumerate(payments):
            started = time.perf_counter()
            announce_approval(payment)
            elapsed_us = (time.perf_counter() - started) * 1_000_000
            if number >= options.warmup:
                timings.append(elapsed_us)

    timings.sort()
    receivers = len(payment_approved.receivers)
    print(
        f"payment_approved → {receivers} receivers, {backend}, {len(timings)} runs: "
        f"median {statistics.median(timings):.0f} µs "
        f"(p90 {timings[int(len(timings) * 0.9) - 1]:.0f} µs, min {timings[0]:.0f} µs)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
