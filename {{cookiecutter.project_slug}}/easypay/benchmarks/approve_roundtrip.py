"""How long one approve round trip takes: the real client against the emulator over real HTTP.

    python -m easypay.benchmarks.approve_roundtrip [--runs 200]

Starts the emulator itself (a threaded server on a free local port, with a throw-away SQLite
file), then for each run registers an order and presses the window's approve button outside
the timed part, and times `EasyPayClient.approve` alone: building and sending the request,
the emulator's work (validation, idempotency key, SQLite commit, HMAC signing), parsing and
verifying the answer (msgAuthValue, echoes, amount). Prints the median in milliseconds.

Client and emulator share this process (as in the contract tests), so the figure includes
their contention for the GIL; KICC's own latency is of course not in it.
"""

import argparse
import logging
import os
import statistics
import time
from urllib.parse import parse_qs, urlsplit


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="timed approvals (default 200)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed approvals first")
    options = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    # One log line per call and per request is right in production, noise in a benchmark.
    for name in ("easypay.client", "django.server"):
        logging.getLogger(name).setLevel(logging.WARNING)

    from easypay import kst
    from easypay.client import EasyPayClient, new_shop_transaction_id
    from easypay.emulator.engine import TEST_MALL_ID, TEST_SECRET_KEY
    from easypay.emulator.server import temporary_emulator

    with temporary_emulator() as server:
        emulator = server.emulator
        client = EasyPayClient(
            base_url=server.url, mall_id=TEST_MALL_ID, secret_key=TEST_SECRET_KEY
        )
        timings = []
        for run in range(options.warmup + options.runs):
            order_no = f"BENCH-{run:06d}"
            registered = client.register(
                shop_order_no=order_no,
                amount=15000,
                goods_name="벤치마크 상품",
                return_url="http://127.0.0.1/payments/return/",
                device_type_code="pc",
            )
            authorization_id = parse_qs(urlsplit(registered.auth_page_url).query)[
                "authorizationId"
            ][0]
            post = emulator.authenticate(authorization_id, "approve")
            started = time.perf_counter()
            client.approve(
                shop_transaction_id=new_shop_transaction_id(),
                authorization_id=post.fields["authorizationId"],
                shop_order_no=order_no,
                approval_req_date=kst.today(),
                expected_amount=15000,
            )
            elapsed_ms = (time.perf_counter() - started) * 1000
            if run >= options.warmup:
                timings.append(elapsed_ms)

    timings.sort()
    print(
        f"approve round trip over {len(timings)} runs: "
        f"median {statistics.median(timings):.2f} ms "
        f"(p90 {timings[int(len(timings) * 0.9) - 1]:.2f} ms, "
        f"min {timings[0]:.2f} ms, max {timings[-1]:.2f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
