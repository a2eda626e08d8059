"""How fast a complete card payment is under gunicorn, and how close to KICC's own calls:

    python -m apps.payments.loadtest.bench [--seconds 8] [--concurrency 1,4,16]
                                           [--runs production,local] [--rounds 1]

Starts, on loopback only: a throw-away PostgreSQL database (--postgres-url names the server,
default postgres://postgres@127.0.0.1:5432/postgres; the database is dropped at the end), the
standalone emulator, and the shop under gunicorn (gunicorn.conf.py, 2 workers) once
per settings module in --runs. Production settings are the real ones, reached as their TLS
proxy would reach them (buyer.py); the emulator is allowed by skipping the system checks on
migrate — gunicorn runs none. Then, for each concurrency, interleaved so that a busy machine
weighs on all alike: N threads of the floor (floor.py: register, window, approve — KICC's
calls and nothing else), then N buyers per shop (buyer.py: checkout → window → approve button
→ return → result page), each for --seconds (at most --max-payments payments).

One table (markdown), one row per run and concurrency:
- pay/s: payments whose result page showed "paid" within the time, per second; × floor: that
  against the floor at the same concurrency;
- p50/p95 of the whole payment and of each step, in ms (the floor's register and approve
  sit under checkout and return: the shop's steps that make those calls);
- SQL/pay: statements per payment in the shop's workers, conn/pay: database connections they
  opened (probe.py); CPU/pay: the workers' CPU ms per payment (/proc); RSS: the largest
  worker's peak resident memory (MiB);
- failed: payments that did not end "paid" (none should).
Then, per shop run: each step's statements, in-request CPU and connections per payment, and
the CPU the emulator and this driver spent per payment (they share the machine's cores).
"""

import argparse
import contextlib
import os
import platform
import resource
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from . import stack
from .buyer import Buyer, Purchase
from .floor import KiccOnly
from .probe import difference

FLOOR = "floor"
SETTLE_SECONDS = 0.3
# Table columns: the shop's step, and the floor's step that stands under it.
COLUMNS = (
    ("checkout", "register"),
    ("window", "window"),
    ("press", "press"),
    ("return", "approve"),
    ("result", None),
)
# probe.py's URL names, shortened for the per-step table.
STEP_NAMES = {
    "payments:checkout": "checkout",
    "easypay:return": "return",
    "payments:detail": "result",
}


@dataclass
class Slot:
    """One timed run of one driver at one concurrency."""

    run: str
    concurrency: int
    seconds: float = 0.0
    paid: int = 0  # paid within the time
    purchases: list[Purchase] = field(default_factory=list)  # every purchase, late ones too
    shop_cpu_ms: float | None = None
    emulator_cpu_ms: float = 0.0
    driver_cpu_ms: float = 0.0
    peak_rss_mib: float | None = None
    counters: dict = field(default_factory=dict)
    floor: "Slot | None" = None  # the floor's slot at the same concurrency

    @property
    def rate(self) -> float:
        return self.paid / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> list[Purchase]:
        return [p for p in self.purchases if not (p.ok and p.status == "paid")]

    def per_payment(self, total: float) -> float:
        return total / len(self.purchases) if self.purchases else 0.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="per run (default 8)")
    parser.add_argument("--concurrency", default="1,4,16", help="buyers at once (default 1,4,16)")
    parser.add_argument(
        "--runs", default="production,local", help="settings to serve the shop with"
    )
    parser.add_argument("--rounds", type=int, default=1, help="repeat the interleaved sequence")
    parser.add_argument("--max-payments", type=int, default=3000, help="per run (default 3000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--postgres-url",
        default=stack.DEFAULT_POSTGRES_URL,
        help="a database URL of the server to create the throw-away database on",
    )
    parser.add_argument("--output", help="also write the tables to this file (markdown)")
    parser.add_argument(
        "--sql", action="store_true", help="list each step's SQL statements (costs time)"
    )
    options = parser.parse_args(argv)
    concurrencies = [int(n) for n in options.concurrency.split(",")]
    runs = [run for run in options.runs.split(",") if run]
    unknown = set(runs) - set(stack.SETTINGS)
    if unknown:
        parser.error(f"--runs: {', '.join(sorted(unknown))}; known: {', '.join(stack.SETTINGS)}")
    if not os.path.isdir("/proc/self"):
        parser.error("the benchmark reads /proc: run it on Linux")

    load_before = os.getloadavg()
    with contextlib.ExitStack() as cleanup:
        folder = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="easypay-bench-"))
        database_url = cleanup.enter_context(
            stack.postgres_database(options.postgres_url, prefix="bench")
        )
        say(f"database {database_url.rsplit('/', 1)[1]}, logs in {folder}")
        emulator = cleanup.enter_context(stack.EmulatorProcess(folder).start())
        servers = {}
        env: dict[str, str] = {}  # the last run's: any of them reaches the database
        for number, run in enumerate(runs):
            env = stack.shop_environment(
                run, database_url=database_url, emulator_url=emulator.url, workers=options.workers
            )
            if number == 0:
                stack.manage(env, "migrate", "--no-input", "--skip-checks")
                stack.manage(env, "loaddata", "demo_products", "--skip-checks")
            if run == "production":
                stack.manage(env, "collectstatic", "--no-input")  # the manifest whitenoise reads
            server = stack.ShopServer(env, folder, keep_sql=options.sql)
            servers[run] = cleanup.enter_context(server.start())
            say(f"{run}: gunicorn at {servers[run].url}, workers {servers[run].worker_pids()}")

        most = max(concurrencies)
        buyers = sign_up_buyers(servers, env, most)
        product_id = buyers[runs[0]][0].product_ids()[0] if runs else None
        floors = [KiccOnly(emulator.url) for _ in range(most)]
        say("warming up")
        warm_up(floors, buyers, product_id, options.workers)

        slots = []
        for _round in range(options.rounds):
            for concurrency in concurrencies:
                floor_slot = Slot(FLOOR, concurrency)
                drive(floor_slot, [f.pay for f in floors[:concurrency]], options, emulator)
                slots.append(floor_slot)
                report(floor_slot)
                for run, server in servers.items():
                    slot = Slot(run, concurrency)
                    shop_product = cast(int, product_id)  # not None: there is a run
                    payers = [_payer(buyer, shop_product) for buyer in buyers[run][:concurrency]]
                    drive(slot, payers, options, emulator, server)
                    slots.append(slot)
                    report(slot)
        versions = machine(database_url, load_before)
        statements = {run: server.statements() for run, server in servers.items()}

    tables = render(slots, versions)
    if options.sql:
        tables += "\n\n" + list_statements(statements)
    print(tables)
    if options.output:
        with open(options.output, "w", encoding="utf-8") as out:
            out.write(tables + "\n")
    return 1 if any(slot.failed for slot in slots) else 0


def say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def sign_up_buyers(servers: dict, env: dict[str, str], count: int) -> dict[str, list[Buyer]]:
    """`count` buyers per server, the same accounts logged in on each. The accounts are made in
    the database (manage.py, `env`): the signup form is throttled per address, and every buyer
    here comes from 127.0.0.1."""
    if not servers:
        return {}
    accounts = [Buyer("") for _ in range(count)]
    created = ", ".join(f"({a.username!r}, {a.password!r})" for a in accounts)
    stack.manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        f"for username, password in [{created}]:\n"
        "    get_user_model().objects.create_user(username, password=password, phone='01012345678')",
    )
    buyers: dict[str, list[Buyer]] = {}
    with ThreadPoolExecutor(max_workers=4) as pool:
        for run, server in servers.items():
            buyers[run] = [
                Buyer(
                    server.url,
                    username=a.username,
                    password=a.password,
                    behind_https_proxy=run == "production",
                )
                for a in accounts
            ]
            list(pool.map(Buyer.log_in, buyers[run]))
    return buyers


def _payer(buyer: Buyer, product_id: int):
    return lambda: buyer.pay(product_id, "approve")


def warm_up(floors, buyers, product_id, workers) -> None:
    """A few payments through every path first: imports, template compilation, connections.
    One job per buyer (a Buyer's session is not shared between threads), two payments each."""
    jobs = [f.pay for f in floors[: 2 * workers]]
    for run_buyers in buyers.values():
        jobs += [_payer(buyer, product_id) for buyer in run_buyers[: 2 * workers]]
    with ThreadPoolExecutor(max_workers=2 * workers) as pool:
        done = pool.map(lambda job: [job(), job()], jobs)
        failed = [p for pair in done for p in pair if not p.ok]
    if failed:
        raise RuntimeError(f"warm-up payments failed: {failed[0].error or failed[0].status}")


def drive(slot: Slot, payers, options, emulator, server=None) -> None:
    """Run `payers` (one thread each) for options.seconds and fill `slot` with what happened."""
    lock = threading.Lock()
    started_count = 0
    finished: list[tuple[float, Purchase]] = []

    def loop(pay):
        nonlocal started_count
        while time.monotonic() < deadline:
            with lock:
                if started_count >= options.max_payments:
                    return
                started_count += 1
            purchase = pay()
            with lock:
                finished.append((time.monotonic(), purchase))

    before_usage = server.usage() if server else {}
    before_counters = server.counters() if server else {}
    emulator_before = stack.cpu_seconds(emulator.pid)
    driver_before = _own_cpu()
    threads = [threading.Thread(target=loop, args=(pay,)) for pay in payers]
    start = time.monotonic()
    deadline = start + options.seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # gunicorn runs post_request (the probe's write) after the answer has left: let the
    # workers finish the last requests' bookkeeping before reading.
    time.sleep(SETTLE_SECONDS)
    driver_after = _own_cpu()
    emulator_after = stack.cpu_seconds(emulator.pid)

    ended = min(deadline, max((at for at, _ in finished), default=deadline))
    slot.seconds = ended - start
    slot.purchases = [purchase for _, purchase in finished]
    slot.paid = sum(1 for at, p in finished if at <= ended and p.ok and p.status == "paid")
    slot.emulator_cpu_ms = slot.per_payment((emulator_after - emulator_before) * 1000)
    slot.driver_cpu_ms = slot.per_payment((driver_after - driver_before) * 1000)
    if server is not None:
        after_usage = server.usage()
        cpu = sum(after_usage[pid][0] - before_usage.get(pid, (0, 0))[0] for pid in after_usage)
        slot.shop_cpu_ms = slot.per_payment(cpu * 1000)
        slot.peak_rss_mib = max((rss for _, rss in after_usage.values()), default=0.0)
        slot.counters = difference(server.counters(), before_counters)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def report(slot: Slot) -> None:
    say(
        f"{slot.run:>10} ×{slot.concurrency:<2} {slot.rate:6.1f} pay/s "
        f"({len(slot.purchases)} payments, {len(slot.failed)} failed)"
    )
    for purchase in slot.failed[:3]:
        say(f"    failed: {purchase.error or purchase.status}")


# --- the tables ------------------------------------------------------------------------------
def render(slots: list[Slot], versions: str) -> str:
    floors = {}
    for slot in slots:
        if slot.run == FLOOR:
            floors[slot.concurrency] = slot  # the latest floor before the shops' rows
        slot.floor = floors.get(slot.concurrency)
    steps = " | ".join(shop if floor is None else f"{shop} · {floor}" for shop, floor in COLUMNS)
    lines = [
        f"| run | buyers | pay/s | × floor | payment p50/p95 ms | {steps} "
        "| SQL/pay | conn/pay | CPU ms/pay | RSS MiB | failed |",
        "|---|---:|---:|---:|---:|" + "---:|" * len(COLUMNS) + "---:|---:|---:|---:|---:|",
    ]
    for slot in slots:
        cells = [
            slot.run,
            str(slot.concurrency),
            f"{slot.rate:.1f}",
            f"{slot.rate / slot.floor.rate:.2f}" if slot.floor and slot.floor.rate else "–",
            _percentiles([p.ms for p in slot.purchases if p.ok]),
        ]
        for shop_step, floor_step in COLUMNS:
            name = floor_step if slot.run == FLOOR else shop_step
            cells.append(_percentiles(_step_ms(slot, name)) if name else "–")
        if slot.run == FLOOR:
            cells += ["–", "–", "–", "–"]
        else:
            queries = sum(values["queries"] for values in slot.counters.values())
            connects = sum(values["connects"] for values in slot.counters.values())
            cells += [
                f"{slot.per_payment(queries):.1f}",
                f"{slot.per_payment(connects):.2f}",
                f"{slot.shop_cpu_ms:.1f}",
                f"{slot.peak_rss_mib:.0f}",
            ]
        cells.append(str(len(slot.failed)))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", versions, "", *per_step(slots)]
    return "\n".join(lines)


def per_step(slots: list[Slot]) -> list[str]:
    """Per shop run, all concurrencies together: each step's cost per payment."""
    lines = [
        "| run | step | requests/pay | SQL/pay | in-request CPU ms/pay | conn/pay |",
        "|---|---|---:|---:|---:|---:|",
    ]
    extra = []
    for run in dict.fromkeys(slot.run for slot in slots if slot.run != FLOOR):
        mine = [slot for slot in slots if slot.run == run]
        payments = sum(len(slot.purchases) for slot in mine) or 1
        totals: dict[str, dict[str, float]] = {}
        for slot in mine:
            for name, values in slot.counters.items():
                into = totals.setdefault(STEP_NAMES.get(name, name), {})
                for key, value in values.items():
                    into[key] = into.get(key, 0) + value
        for name, values in sorted(totals.items()):
            if not values["requests"]:
                continue  # signup, healthz: before the timed runs
            lines.append(
                f"| {run} | {name} | {values['requests'] / payments:.2f} "
                f"| {values['queries'] / payments:.1f} | {values['cpu_s'] * 1000 / payments:.1f} "
                f"| {values['connects'] / payments:.2f} |"
            )
    for slot in slots:
        extra.append(
            f"{slot.run} ×{slot.concurrency}: emulator {slot.emulator_cpu_ms:.1f} ms, "
            f"driver {slot.driver_cpu_ms:.1f} ms CPU per payment"
        )
    return [*lines, "", "; ".join(extra) + "."]


def list_statements(statements: dict[str, dict[str, list[str]]]) -> str:
    lines = []
    for run, steps in statements.items():
        for name in STEP_NAMES:
            sql = steps.get(name, [])
            lines.append(f"{run} {STEP_NAMES[name]}: {len(sql)} statements")
            lines += [f"    {statement}" for statement in sql]
    return "\n".join(lines)


def _step_ms(slot: Slot, name: str) -> list[float]:
    return [step.ms for p in slot.purchases if p.ok for step in p.steps if step.name == name]


def _percentiles(values: list[float]) -> str:
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.0f}/{values[0]:.0f}"
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return f"{statistics.median(values):.0f}/{cuts[18]:.0f}"


def machine(database_url: str, load_before) -> str:
    import django
    import gunicorn

    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo", encoding="utf-8"):  # noqa: SIM115
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{datetime.now():%Y-%m-%d}, {model}, {os.cpu_count()} cores, load average "
        f"{load_before[0]:.2f} before the run; Python {platform.python_version()}, "
        f"Django {django.__version__}, gunicorn {gunicorn.__version__}, "
        f"PostgreSQL {stack.postgres_version(database_url)}."
    )


if __name__ == "__main__":
    raise SystemExit(main())
