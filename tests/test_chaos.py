"""The chaos run (the generated project's `manage.py easypay_chaos`): a small one on the default
bake is part of every `make test`. It starts its own PostgreSQL database, emulator and gunicorn
(free ports, dropped afterwards) and exits non-zero on any divergence from KICC's books."""

import ast
import re
import subprocess

import pytest

from tests.installing import clean_env, installed_bake

pytestmark = pytest.mark.baked

# A fixed seed: the same plans every run (their interleaving is the run's own), so a failure
# here can be replayed with `make chaos CHAOS_ARGS="--payments 60 --seed 20261220"`. Chosen
# because its 60 plans draw every kind of trouble (DRAWN below checks it still does).
SEED = 20261220
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


# What the small run's plans must include: every button, and each kind of trouble at least once.
DRAWN = """
from apps.payments.loadtest.chaos import plan
plans = plan.draw({seed}, {payments})
refund_faults = {{r.fault.kind + r.fault.params.get("code", "") for p in plans for r in p.refunds if r.fault}}
print(sorted(
    {{p.button for p in plans}}
    | {{"approve fault on " + p.button for p in plans if p.approve_fault}}
    | {{name for p in plans for name in ("db_refuses_paid", "kill_during_return", "return_twice",
        "deposit_reversed", "register_fault", "console_cancel") if getattr(p, name) not in (False, None)}}
    | {{"concurrent cancel" for p in plans for c in p.cancels if c.concurrent}}
    | {{"next-day refund" for p in plans for r in p.refunds if not r.real_time}}
    | refund_faults
))
"""
EVERY_KIND = {
    *("approve", "approve_transfer", "approve_va", "approve_mobile", "approve_easypay"),
    *("decline", "user_cancel", "window_error", "abandon"),
    *(f"approve fault on {b}" for b in ("approve", "approve_va", "approve_transfer")),
    *("db_refuses_paid", "kill_during_return", "return_twice", "deposit_reversed"),
    *("register_fault", "console_cancel", "concurrent cancel", "next-day refund"),
    *("refund_timeoutVTIM", "refund_timeoutVT00", "refund_bank_failure"),
}


def test_a_small_chaos_run_leaves_the_books_equal_to_kiccs(tmp_path_factory):
    project = installed_bake(tmp_path_factory, "defaults")
    drawn = subprocess.run(
        [".venv/bin/python", "-c", DRAWN.format(seed=SEED, payments=PAYMENTS)],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    missing = EVERY_KIND - set(ast.literal_eval(drawn.stdout))
    assert not missing, f"seed {SEED} no longer draws {sorted(missing)}: choose another seed"

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
    # Every plan left a payment to compare, but for a checkout cut off before it wrote one: a
    # killed sync worker cuts at most the one request it was serving.
    kills = int(re.search(r"(\d+) gunicorn workers killed", result.stdout).group(1))
    compared = int(re.search(r"(\d+) payments: \d+ agree", result.stdout).group(1))
    assert PAYMENTS - kills <= compared <= PAYMENTS, shown
