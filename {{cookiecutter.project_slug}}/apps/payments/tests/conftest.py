"""Fixtures for the receivers' and tasks' tests."""

import importlib.util
import sys
import types
from pathlib import Path

import pytest
from django.tasks import default_task_backend

from easypay import signals

SEED = Path(__file__).parent / "seed"
QUEUES = ["default", "payments", "reports"]


@pytest.fixture
def enqueued(settings):
    """DummyBackend: tasks are recorded, not run. Returns the list of TaskResults."""
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": QUEUES}
    }
    default_task_backend.clear()
    return default_task_backend.results


@pytest.fixture
def paid(make_payment):
    """A payment as the approval leaves it (the receivers read it after commit)."""
    return make_payment(status="paid", pg_cno="20250101123456789", approval_no="12345678")


def approve(payment):
    """Send payment_approved as easypay's services do: send_robust, once, after commit."""
    return signals.payment_approved.send_robust(
        sender=type(payment), payment=payment, pg_tid=payment.pg_cno, auth_id="12345678"
    )


def approved_after_commit(payment, capture):
    """approve() inside a transaction that commits: the receivers' on_commit work runs."""
    with capture(execute=True):
        approve(payment)


@pytest.fixture
def myapp(monkeypatch):
    """The seed imports its helpers from a project it calls ``myapp``. This maps those import
    paths, and only those, onto this project: ``myapp.tasks`` is seed/myapp_tasks.py; a test
    adds ``myapp.<name>`` for a channel (``myapp.provide(name, module)``)."""
    package = types.ModuleType("myapp")
    package.__path__ = []

    def provide(name, module):
        monkeypatch.setitem(sys.modules, f"myapp.{name}", module)
        setattr(package, name, module)

    package.provide = provide
    monkeypatch.setitem(sys.modules, "myapp", package)
    provide("tasks", load(SEED / "myapp_tasks.py", "seed_myapp_tasks"))
    return package


@pytest.fixture
def seed_receivers(myapp):
    """Load a module of seed/ fresh, so its @receiver decorators connect its receivers for
    this test only; they are disconnected afterwards."""
    loaded = []

    def connect(name):
        module = load(SEED / f"{name}.py", f"seed_{name}")
        loaded.append(module)
        return module

    yield connect
    for module in loaded:
        for value in vars(module).values():
            if isinstance(value, types.FunctionType):
                for signal in (signals.payment_approved, signals.payment_failed):
                    signal.disconnect(value)


def load(path: Path, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, f"{path} cannot be imported"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
