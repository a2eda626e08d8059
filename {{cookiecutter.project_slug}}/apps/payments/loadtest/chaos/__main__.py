"""The chaos run: many payments through the real HTTP flow while everything that can go wrong
between the shop and KICC does, then reconcile, then the shop's books against KICC's.

    python -m apps.payments.loadtest.chaos [--payments 300] [--seed N] [--concurrency 8]
                                           [--workers 4] [--retrieve-status current|original]
    (or `python manage.py easypay_chaos …`, or `make chaos` in the template)

On loopback only, it starts: a throw-away PostgreSQL database (LOADTEST_POSTGRES_URL names the
server; dropped at the end), the standalone emulator with 노티 on, and the shop under gunicorn
with production settings behind a stand-in for its TLS proxy (wsgi.py), with short EasyPay
timeouts and reconcile clocks so a run takes minutes, not days. Then:

1. traffic, `--concurrency` buyers at once (plan.py draws each payment's fate from the seed):
   every payment method; faults on every KICC call (register, approve, revise, retrieve:
   delays past the timeout, answers dropped after KICC committed, 5xx that committed and that
   did not, half JSON, HTML, a wrong amount, a bad signature); returns posted twice at once;
   every gunicorn worker killed in the middle of a return; a database that refuses to record a
   payment KICC approved; admins cancelling, some twice at once; console cancels; deposits and
   deposits the bank takes back; 노티 resent, many copies at once, late and out of order;
2. reconcile, as often as a schedule would run it, until everything that can settle has;
3. KICC's clock across midnight (KST): more console cancels and deposits, reconcile a day later;
4. KICC's clock past the status window (§7): the same, reconcile two days later;
5. the checks (invariants.py), one line each; exit status 1 on any divergence, with the seed
   and the first diverging payments' whole histories (their plan, what happened, PG calls,
   노티, cancels, signals, and what KICC's side logged); exit status 2 when the run itself
   could not finish.
"""

import argparse
import contextlib
import os
import random
import re
import secrets
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .. import stack
from . import plan as plans
from .invariants import check
from .signal_log import SignalLog, read

if TYPE_CHECKING:
    from easypay.services.reconciliation import ReconcileReport

    from .world import Story

# Short clocks: the shop's timeouts (a `delay` fault answers after world.py's 2.5 s), the
# request budget that follows GUNICORN_TIMEOUT, and reconcile's stale / grace / expiry (seconds).
TIMEOUTS = "connect=0.5,register=1.5,approve=1.5,revise=1.5,retrieve=1.5"
SHOP_CLOCKS = {
    "EASYPAY_TIMEOUTS": TIMEOUTS,
    "GUNICORN_TIMEOUT": "30",
    "EASYPAY_APPROVING_STALE_AFTER": "3",
    "EASYPAY_UNKNOWN_GRACE": "2",
    "EASYPAY_PENDING_EXPIRY": "10",
}
NOTI_RETRY_SECONDS, NOTI_MAX_RETRIES = 0.5, 10
REFUND_DELAY_SECONDS = 1.0
# Long enough for everything open to settle: stale (3) + the longest call (1.5 s × 3 connects
# … 4.6 s) + twice the grace (2) + passes around them.
SETTLE_SECONDS = 15.0
RECONCILE_EVERY = 1.0
MIN_PASSES = 4
HISTORIES_SHOWN = 3  # a divergence rarely comes alone: the next ones tell whether it is a pattern
DAY_SETTLE_SECONDS = 6.0  # after a clock move, only the grace rule needs passes


DIVERGED, STOPPED = 1, 2  # exit statuses: the books differ / the run could not finish


def add_options(parser: argparse.ArgumentParser) -> None:
    """The run's options: here and in `manage.py easypay_chaos`, which passes them on."""
    parser.add_argument("--payments", type=int, default=300)
    parser.add_argument("--seed", type=int, default=None, help="default: a random one, printed")
    parser.add_argument("--concurrency", type=int, default=8, help="buyers at once (default 8)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--retrieve-status",
        choices=("current", "original"),
        default="current",
        help="which status KICC's status answers carry (§7 leaves it open)",
    )
    parser.add_argument(
        "--postgres-url", help="server to create the database on (default: LOADTEST_POSTGRES_URL)"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_options(parser)
    options = parser.parse_args(argv)
    seed = options.seed if options.seed is not None else secrets.randbelow(10**6)
    started = time.monotonic()
    print(
        f"chaos run: seed {seed}, {options.payments} payments, {options.workers} gunicorn "
        f"workers, {options.concurrency} buyers at once, status answers: {options.retrieve_status}",
        flush=True,
    )
    with contextlib.ExitStack() as cleanup:
        run = Run(seed, options, cleanup)
        try:
            run.start()
            run.traffic()
            run.settle("after the traffic")
            run.kicc_clock_moves(1, "KICC's clock past midnight (KST)")
            run.kicc_clock_moves(1, "KICC's clock past the status window (§7)")
            ok = run.verdict()
        except BaseException:
            run.show_logs()
            raise
    print(f"took {time.monotonic() - started:.0f} s; seed {seed}", flush=True)
    return 0 if ok else DIVERGED


REPORT_LINES_SHOWN = 20


def _reason(line: str) -> str:
    """A report line without its order and numbers: what the lines of one kind share."""
    text = line.split(": ", 1)[-1]
    parts = text.split(" — ")
    if len(parts) >= 2:  # "노티 20 (2246) 확인 필요 — why — what to do"
        return f"{parts[0].split(' (')[0]}: {parts[1]}"
    return re.sub(r"[0-9][0-9,]*", "N", text)


class Run:
    def __init__(self, seed, options, cleanup: contextlib.ExitStack):
        self.seed = seed
        self.options = options
        self.cleanup = cleanup
        self.rng = random.Random(seed)  # noqa: S311 — a repeatable draw, not a secret
        self.stories: list[Story] = []
        self.report: ReconcileReport | None = None
        self.kills = 0  # gunicorn workers killed at random
        self.days = 0  # how far KICC's clock has moved on

    # --- the stack ------------------------------------------------------------------------
    def start(self) -> None:
        cleanup = self.cleanup
        self.folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="chaos-")))
        (self.folder / "signals").mkdir()
        database_url = cleanup.enter_context(
            stack.postgres_database(self.options.postgres_url, prefix="chaos")
        )
        emulator = self.emulator = cleanup.enter_context(stack.EmulatorProcess(self.folder).start())
        self.remote = emulator.remote
        self.remote.set_retrieve_status(self.options.retrieve_status)
        # Next-day refunds are paid out (or refused) by the bank a moment later, not tomorrow.
        self.remote.set_refund_delay(REFUND_DELAY_SECONDS)
        env = stack.shop_environment(
            "production",
            database_url=database_url,
            emulator_url=emulator.url,
            workers=self.options.workers,
            EASYPAY_NOTI_ALLOWED_IPS="127.0.0.1",
            EASYPAY_CHAOS_SIGNAL_DIR=str(self.folder / "signals"),
        )
        env.update(SHOP_CLOCKS)  # last, as shop_environment applies its extras
        self.admin_path = env["DJANGO_ADMIN_URL"]
        os.environ.update(env)  # this process reconciles too: the same settings, the same data
        import django

        django.setup()
        _log_to(self.folder / "driver.log")
        from django.core.management import call_command

        call_command("migrate", "--no-input", "--skip-checks", verbosity=0)
        call_command("collectstatic", "--no-input", verbosity=0)  # the manifest whitenoise reads
        self.products, self.admin = _shop_data()
        self.shop = cleanup.enter_context(ChaosShop(env, self.folder).start())
        self.remote.set_noti_url(
            f"{self.shop.url}/payments/easypay/noti/",
            retry_seconds=NOTI_RETRY_SECONDS,
            max_retries=NOTI_MAX_RETRIES,
            timeout=10,
        )
        log = SignalLog(self.folder / "signals")
        log.install()
        cleanup.callback(log.uninstall)
        from .world import World

        self.world = World(
            shop_url=self.shop.url,
            remote=self.remote,
            worker_pids=self.shop.worker_pids,
            kill_worker=self.shop.kill_worker,
            admin=self.admin,
            products=self.products,
            admin_path=self.admin_path,
        )
        print(f"  shop {self.shop.url}, emulator {emulator.url}, logs in {self.folder}", flush=True)

    def show_logs(self) -> None:
        """The end of each process's log, for a run that broke off (its folder is removed)."""
        for service in (getattr(self, "shop", None), getattr(self, "emulator", None)):
            if service is not None:
                print(f"--- the end of {service.log_path.name} ---\n{service.tail(4000)}")

    # --- 1. traffic --------------------------------------------------------------------------
    def traffic(self) -> None:
        from django.db import connections

        drawn = plans.draw(self.seed, self.options.payments)
        stop = threading.Event()
        reaper = threading.Thread(target=self._reap, args=(stop,), daemon=True)
        reaper.start()
        started = time.monotonic()

        def play(plan):
            try:
                return self.world.play(plan, _payment_of)
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=self.options.concurrency) as pool:
            self.stories = list(pool.map(play, drawn))
        stop.set()
        reaper.join()
        print(
            f"  traffic: {len(self.stories)} payments in {time.monotonic() - started:.0f} s, "
            f"{self.kills} gunicorn workers killed at random",
            flush=True,
        )

    def _reap(self, stop: threading.Event) -> None:
        """Now and then a worker dies mid-request, as under the OOM killer (every 5–12 s: a
        new worker takes a second or two of CPU to start)."""
        rng = random.Random(self.seed + 1)  # noqa: S311 — repeatable, not a secret
        while not stop.wait(rng.uniform(5.0, 12.0)):
            workers = self.shop.worker_pids()
            if workers:
                with contextlib.suppress(ProcessLookupError):
                    self.shop.kill_worker(rng.choice(workers))
                    self.kills += 1

    # --- 2. reconcile until settled ----------------------------------------------------------
    def settle(self, when: str, *, days: int = 0, seconds: float = SETTLE_SECONDS) -> None:
        from .world import wait_for_notis

        left = wait_for_notis(self.remote, max_retries=NOTI_MAX_RETRIES, timeout=60)
        passes = 0
        deadline = time.monotonic() + seconds
        # Until the clocks that decide (stale, grace) have run their course, and at least a few
        # passes; comparing every recent approval with KICC is the last pass's job only (it
        # asks KICC about each one — the schedule in a shop runs it far less often than this).
        while passes < MIN_PASSES or time.monotonic() < deadline:
            self.report = _reconcile(days, compare=False)
            passes += 1
            time.sleep(RECONCILE_EVERY)
        left = wait_for_notis(self.remote, max_retries=NOTI_MAX_RETRIES, timeout=60)
        self.report = _reconcile(days)  # the last word, after the last 노티
        print(
            f"  reconcile {when}: {passes + 1} passes; last: {self.report.lines()[0]}"
            + (f" ({left} 노티 still being retried)" if left else ""),
            flush=True,
        )

    # --- 3, 4. KICC's clock moves on ---------------------------------------------------------
    def kicc_clock_moves(self, days: int, what: str) -> None:
        self.days += days
        self.remote.advance_days(days)
        from apps.payments.models import Payment

        events = 0
        for payment in Payment.objects.filter(
            status__in=("paid", "partially_cancelled", "awaiting_deposit")
        ):
            if self.rng.random() > 0.15:
                continue
            order = payment.shop_order_no
            story = self._story_of(order)
            if payment.status == "awaiting_deposit":
                story and story.note(f"{what}: deposit")
                self.world._kicc(story or _Silent(), "deposit", self.remote.deposit, order)
            else:
                share = self.rng.choice((0.3, 1.0))
                left = payment.remaining_amount
                amount = None if share >= 1 else max(1, int(left * share))
                self.world._kicc(
                    story or _Silent(),
                    f"{what}: console cancel {amount or 'all'}",
                    self.remote.console_cancel,
                    order,
                    amount,
                )
            events += 1
        print(f"  {what}: {events} console cancels and deposits", flush=True)
        # Everything open now was asked about before; only the grace rule needs passes.
        self.settle(f"{self.days} day(s) later", days=self.days, seconds=DAY_SETTLE_SECONDS)

    def _story_of(self, order):
        return next((story for story in self.stories if story.order == order), None)

    # --- 5. the checks -------------------------------------------------------------------------
    def verdict(self) -> bool:
        from apps.payments.models import Payment

        if self.report is None:
            raise RuntimeError("verdict() before settle(): no reconcile report")
        payments = list(
            Payment.objects.prefetch_related("cancellations", "easypay_announcements").order_by(
                "pk"
            )
        )
        # The shop's orders, and any other KICC was asked to register (it must have approved none).
        orders = {p.shop_order_no for p in payments} | {
            call["shop_order_no"]
            for call in self.remote.requests("register")
            if call["shop_order_no"]
        }
        ledgers = {order: self.remote.ledger(order) for order in orders}
        responses = [
            (f"{story.order or story.plan.index} {name}", status)
            for story in self.stories
            for name, status in story.statuses
        ] + [
            (f"노티 {attempt['noti_type']} {attempt['shop_order_no']}", attempt["http_status"])
            for attempt in self.remote.notis()
        ]
        checks = check(payments, ledgers, read(self.folder / "signals"), self.report, responses)
        flagged = [*self.report.unresolved, *self.report.differences]
        if flagged:
            print(f"reported for a person by the last reconcile ({len(flagged)}), by reason:")
            for reason, count in Counter(map(_reason, flagged)).most_common():
                print(f"  {count:4d}  {reason}")
            print("the first of them:")
            for line in flagged[:REPORT_LINES_SHOWN]:
                print(f"  {line}")
            if len(flagged) > REPORT_LINES_SHOWN:
                print(f"  … and {len(flagged) - REPORT_LINES_SHOWN} more")
        print("invariants:")
        for result in checks:
            mark = "ok  " if result.ok else "FAIL"
            print(f"  {mark} {result.name}: {result.counted}")
            for order, why in result.failures[:10]:
                print(f"         {order}: {why}")
        failing = list(dict.fromkeys(order for result in checks for order, _ in result.failures))
        if failing:
            print(f"\nDIVERGENCE — rerun with --seed {self.seed}. The first diverging payments:")
            for order in failing[:HISTORIES_SHOWN]:
                print(f"\n{self._history(order)}")
        return not failing

    def _history(self, order: str) -> str:
        from apps.payments.models import Payment

        lines = []
        story = self._story_of(order.split()[0])
        if story:
            lines.append(f"plan: {story.plan.describe()}")
            lines += [f"  {event}" for event in story.events]
        payment = Payment.objects.filter(shop_order_no=order.split()[0]).first()
        if payment is None:
            return "\n".join(lines)
        lines.append(
            f"shop: {payment.status} amount {payment.amount} cancelled {payment.cancelled_amount} "
            f"pgCno {payment.pg_cno} failure {payment.failure_code!r}"
        )
        for call in payment.pg_calls.order_by("created_at"):
            lines.append(
                f"  PG {call.created_at:%H:%M:%S.%f} {call.kind} {call.shop_transaction_id or '-'} "
                f"{call.request_date:%Y%m%d} {call.outcome} {call.res_cd} {call.error[:80]}"
            )
        for noti in payment.easypay_notifications.order_by("received_at"):
            lines.append(
                f"  노티 {noti.received_at:%H:%M:%S.%f} {noti.noti_type} {noti.status} "
                f"{noti.cancel_pg_cno} {noti.error[:100]}"
            )
        for cancellation in payment.cancellations.order_by("created_at"):
            lines.append(
                f"  cancel {cancellation.pk} {cancellation.origin} {cancellation.revise_type_code} "
                f"{cancellation.amount} {cancellation.status} {cancellation.cancel_pg_cno}"
            )
        for record in read(self.folder / "signals"):
            if record["order"] == payment.shop_order_no:
                lines.append(f"  signal {record['signal']} {record.get('cancel_amount') or ''}")
        lines.append(f"KICC: {self.remote.ledger(payment.shop_order_no)}")
        for request in self.remote.requests(shop_order_no=payment.shop_order_no):
            lines.append(
                f"  {request['at']} {request['endpoint']} HTTP {request['http_status']} "
                f"fault {request['fault']} → {str(request['response'])[:120]}"
            )
        return "\n".join(lines)


class ChaosShop(stack.ShopServer):
    """The shop under gunicorn with gunicorn_chaos.py (signals recorded, the TLS stand-in)."""

    config = Path(__file__).resolve().parent / "gunicorn_chaos.py"


class _Silent:
    def note(self, text):
        pass


def _shop_data():
    """Products to buy (one the database refuses to record as paid) and a superuser."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from apps.payments.models import Payment, Product

    normal = Product.objects.create(name="카오스 상품", price=15000)
    refused = Product.objects.create(name="기록 실패 상품", price=12000)
    table = Payment._meta.db_table
    with connection.cursor() as cursor:
        # "The local DB update fails after the PG approved" (integrity rule 4), for real.
        cursor.execute(
            f"""
            CREATE FUNCTION chaos_refuse_paid() RETURNS trigger AS $$
            BEGIN
              IF NEW.status = 'paid' AND OLD.status <> 'paid' AND NEW.product_id = {refused.pk}
              THEN RAISE EXCEPTION 'chaos: the database refuses to record this payment';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER chaos_refuse_paid BEFORE UPDATE ON "{table}"
            FOR EACH ROW EXECUTE FUNCTION chaos_refuse_paid();
            """  # noqa: S608 — our own table name and primary key
        )
    password = secrets.token_urlsafe(16)
    get_user_model().objects.create_superuser("chaos-admin", "admin@example.com", password)
    return {"normal": normal.pk, "db_refuses_paid": refused.pk}, ("chaos-admin", password)


def _log_to(path: Path) -> None:
    """This process's own log lines (reconcile's, the held 노티's errors…) go to a file in the
    run's folder, not between the run's own lines: the run prints what it found."""
    import logging

    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    for name in ("", "easypay", "django", "apps"):
        logger = logging.getLogger(name)
        for old in logger.handlers[:]:
            logger.removeHandler(old)
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


def _payment_of(order: str):
    from apps.payments.models import Payment

    return Payment.objects.filter(shop_order_no=order).first()


def _reconcile(days: int, *, compare: bool = True) -> "ReconcileReport":
    """One reconcile pass in this process, `days` after today when KICC's clock moved on."""
    from easypay import services

    if not days:
        return services.reconcile_all(compare=compare)
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() + timedelta(days=days), tick=True):
        return services.reconcile_all(compare=compare)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # not a divergence: the run itself broke (no PostgreSQL, a bug)
        traceback.print_exc()
        sys.exit(STOPPED)
