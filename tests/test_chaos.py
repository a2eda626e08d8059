"""The chaos run (the generated project's `manage.py easypay_chaos`): a small one on the default
bake is part of every `make test`. It starts its own PostgreSQL database, emulator and gunicorn
(free ports, dropped afterwards) and exits non-zero on any divergence from KICC's books."""

import subprocess

import pytest

from tests.installing import clean_env, installed_bake

pytestmark = pytest.mark.baked

# A fixed seed: the same plans every run (their interleaving is the run's own), so a failure
# here can be replayed with `make chaos CHAOS_ARGS="--payments 60 --seed 20261201"`.
SEED = 20261201
PAYMENTS = 60
INVARIANTS = (
    "statuses and amounts equal KICC's",
    "no approval twice",
    "no cancel beyond what was paid",
    "no refund recorded that KICC did not make",
    "nothing left approving; every unknown payment or cancel is reported",
    "payment_approved once per approval KICC made and the shop kept",
    "payment_cancelled once per cancel",
    "no answer from the shop was a 500",
)


def test_a_small_chaos_run_leaves_the_books_equal_to_kiccs(tmp_path_factory):
    project = installed_bake(tmp_path_factory, "defaults")

    result = subprocess.run(
        [
            ".venv/bin/python",
            "manage.py",
            "easypay_chaos",
            *("--payments", str(PAYMENTS), "--seed", str(SEED)),
            *("--concurrency", "8", "--workers", "3"),
        ],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )

    # On a divergence the run prints its seed and the first diverging payment's history last.
    shown = f"{result.stdout[-12000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, shown
    for invariant in INVARIANTS:
        assert f"ok   {invariant}" in result.stdout, shown
    assert f"{PAYMENTS} payments:" in result.stdout, shown
