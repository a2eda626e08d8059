"""Baked-project layer, real queues: a real approval enqueues into the production queue and the
real worker (`make worker`, as the README says to run it) runs the tasks.

database: django-tasks-db on the project's database, worker `db_worker`.
rq: django-tasks-rq on the Redis at 127.0.0.1:6379, worker `rqworker`, in a Redis database
of its own: the highest-numbered empty one, claimed atomically (SET NX of a claim key, so two
runs never pick the same one) and emptied again afterwards.

The database queue is the default bake's (task_queue defaults to "database"): both bakes are
the shared installs of tests/installing.py.

The steps inside the project run tests/queue_driver.py with the project's own Python.
"""

import json
import os
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.installing import PRODUCTION_ENV, clean_env, installed_bake, run

pytestmark = pytest.mark.baked

DRIVER = Path(__file__).with_name("queue_driver.py")
# Queue → the bake that has it.
QUEUE_BAKES = {"database": "defaults", "rq": "queue_rq"}
NO_REDIS = (
    "Redis is not answering at 127.0.0.1:6379: start it (e.g. `redis-server --daemonize yes "
    "--bind 127.0.0.1 --port 6379 --save ''`). The rq bake's queue test runs on it."
)
NOTIFIED = [["slack", "logged"], ["sms", "logged"], ["telegram", "logged"]]
WORKER_DEADLINE_SECONDS = 60


@pytest.fixture(scope="module", params=QUEUE_BAKES)
def installed(request, tmp_path_factory) -> Path:
    return installed_bake(tmp_path_factory, QUEUE_BAKES[request.param])


@pytest.fixture
def production(installed, tmp_path):
    """Production settings on a fresh SQLite database (and, for rq, an empty Redis database)."""
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        "EASYPAY_SECRET_KEY": "easypay!KICCTEST",
    }
    queue = json.loads((installed / ".cookiecutter.json").read_text())["cookiecutter"]["task_queue"]
    if queue == "rq":
        claimed = driver(installed, env, "redis-db")
        if claimed.get("error"):
            pytest.fail(f"{NO_REDIS}\n{claimed['error']}")
        assert claimed["db"] is not None, "no empty Redis database among 8-15 on 127.0.0.1:6379"
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{claimed['db']}"
    run(installed, ".venv/bin/python", "manage.py", "migrate", "--no-input", **env)
    yield env
    if queue == "rq":
        driver(installed, env, "redis-flush")


def driver(project: Path, env: dict, *args: str) -> dict:
    result = run(project, ".venv/bin/python", str(DRIVER), *args, **env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def wait_for(project, env, ids, done, worker) -> dict:
    """Poll the tasks' state until done(state), the deadline, or the worker's exit."""
    deadline = time.monotonic() + WORKER_DEADLINE_SECONDS
    while True:
        state = driver(project, env, "state", *ids)
        if done(state) or time.monotonic() > deadline or worker.poll() is not None:
            return state
        time.sleep(0.5)


def test_a_real_approval_is_notified_by_the_real_worker(installed, production, tmp_path):
    approved = driver(installed, production, "approve")

    assert approved["status"] == "paid"
    tasks = {
        (task["task"], task["kwargs"].get("notification_type")): task
        for task in approved["enqueued"]
    }
    assert sorted(tasks) == [
        ("generate_payment_report", None),
        ("send_followup_survey", None),
        ("send_payment_notification", "slack"),
        ("send_payment_notification", "sms"),
        ("send_payment_notification", "telegram"),
    ]
    followup = tasks.pop(("send_followup_survey", None))
    delay = datetime.fromisoformat(followup["run_after"]) - datetime.now().astimezone()
    assert timedelta(hours=23, minutes=59) < delay <= timedelta(hours=24)
    now_ids = [task["id"] for task in tasks.values()]

    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            ["make", "worker"],
            cwd=installed,
            env=clean_env(**production),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: make and the worker stop together
        )
        try:
            state = wait_for(
                installed,
                production,
                [*now_ids, followup["id"]],
                lambda s: all(s["results"][i]["status"] == "SUCCESSFUL" for i in now_ids),
                worker,
            )
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
    worker_log = log_path.read_text()

    for task_id in now_ids:
        assert state["results"][task_id]["status"] == "SUCCESSFUL", (state, worker_log[-3000:])
    assert state["sent"] == NOTIFIED
    assert state["reports"] == 1
    # A day early, the follow-up waits in the queue.
    assert state["results"][followup["id"]]["status"] == "READY"
