"""How many tasks per second the production worker runs: approvals enqueue their tasks into the
queue the settings name, then the real worker command runs them all and exits.

    python -m apps.payments.benchmarks.worker_throughput [--approvals 200]

Needs production settings (DJANGO_SETTINGS_MODULE=config.settings.production and its
variables; README.md, "Background tasks"). Each approval enqueues the notifications and the
report (the follow-up waits a day and is not counted). The worker runs in burst mode — the
same command as `make worker`, told to stop when the queue is empty — with its output thrown
away. Throughput = tasks / (last finish − first start), read from the queue's own records,
so the worker's start-up is not counted. Notifications go to the log (no credentials set).
"""

import argparse
import subprocess
import sys
import time

from .setup import announce_approval, paid_payments, start_django

WORKERS = {
    "DatabaseBackend": ["db_worker", "--queue-name", "*", "--batch", "--no-startup-delay"],
    "QueueOrderedRQBackend": [
        "rqworker",
        "payments",
        "reports",
        "default",
        "--job-class",
        "django_tasks_rq.Job",
        "--burst",
    ],
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--approvals", type=int, default=200, help="approvals (default 200)")
    options = parser.parse_args(argv)

    start_django()
    from django.tasks import default_task_backend, task_backends
    from django.tasks.signals import task_enqueued

    backend = type(task_backends["default"]).__name__
    if backend not in WORKERS:
        raise SystemExit(f"{backend} has no worker: run with production settings")

    ids = []

    def keep(sender, task_result, **kwargs):
        if task_result.task.run_after is None:
            ids.append(task_result.id)

    task_enqueued.connect(keep)
    try:  # django-tasks-rq sends the signals of django-tasks, the backport it builds on
        from django_tasks.signals import task_enqueued as backport_task_enqueued

        backport_task_enqueued.connect(keep)
    except ImportError:
        pass
    for payment in paid_payments(options.approvals):
        announce_approval(payment)

    started = time.perf_counter()
    subprocess.run(  # noqa: S603 — this interpreter, fixed arguments
        [sys.executable, "manage.py", *WORKERS[backend], "-v", "0"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started

    results = [default_task_backend.get_result(task_id) for task_id in ids]
    done = [r for r in results if r.status == "SUCCESSFUL"]
    first = min(r.started_at for r in done if r.started_at)  # a finished task has both
    last = max(r.finished_at for r in done if r.finished_at)
    busy = (last - first).total_seconds()
    print(
        f"{backend}: {len(done)}/{len(results)} tasks succeeded; "
        f"{len(done) / busy:.0f} tasks/s while working ({busy:.2f} s), "
        f"{len(done) / wall:.0f} tasks/s counting the worker's start-up ({wall:.2f} s)"
    )
    return 0 if len(done) == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
