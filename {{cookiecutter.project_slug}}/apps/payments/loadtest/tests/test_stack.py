"""The load-test stack as separate processes: a throw-away PostgreSQL database, the standalone
emulator, the shop under gunicorn with the probe — what the benchmark and a chaos run stand on.
PostgreSQL only (the test run's DATABASE_URL names the server)."""

import time

import psycopg
import pytest
from django.conf import settings

from apps.payments.loadtest import stack
from apps.payments.loadtest.buyer import Buyer
from apps.payments.loadtest.probe import difference


@pytest.fixture(scope="module")
def postgres_server(postgresql_only):
    database = settings.DATABASES["default"]
    user = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{user}@{database['HOST']}:{database['PORT'] or 5432}/postgres"


def test_a_throw_away_database_is_created_empty_and_dropped(postgres_server):
    with stack.postgres_database(postgres_server, prefix="loadtest_test") as url:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url) as connection:
            tables = connection.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
            ).fetchone()[0]
            assert tables == 0
        held_open = psycopg.connect(url)  # dropped anyway: the drop closes it

    with psycopg.connect(postgres_server) as admin:
        left = admin.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,))
        assert left.fetchone()[0] == 0
    assert name.startswith("loadtest_test_")
    held_open.close()


def test_without_a_url_the_database_goes_on_the_server_loadtest_postgres_url_names(
    postgres_server, monkeypatch
):
    monkeypatch.setenv("LOADTEST_POSTGRES_URL", postgres_server.replace("/postgres", "/nowhere"))
    # The server is named, not defaulted: a database that does not exist to connect to fails.
    with (
        pytest.raises(psycopg.OperationalError, match="nowhere"),
        stack.postgres_database(prefix="loadtest_test"),
    ):
        pass
    monkeypatch.setenv("LOADTEST_POSTGRES_URL", postgres_server)
    with stack.postgres_database(prefix="loadtest_test") as url:
        assert url.startswith(postgres_server.rsplit("/", 1)[0] + "/loadtest_test_")


def test_the_shop_under_gunicorn_is_paid_counted_and_survives_a_killed_worker(
    postgres_server, tmp_path
):
    with (
        stack.postgres_database(postgres_server, prefix="loadtest_test") as database_url,
        stack.EmulatorProcess(tmp_path).start() as emulator,
    ):
        env = stack.shop_environment(
            "local", database_url=database_url, emulator_url=emulator.url, workers=2
        )
        stack.manage(env, "migrate", "--no-input")
        stack.manage(env, "loaddata", "demo_products")
        with stack.ShopServer(env, tmp_path).start() as shop:
            buyer = Buyer(shop.url)
            buyer.sign_up()
            product_id = buyer.product_ids()[0]
            before = shop.counters()

            purchase = buyer.pay(product_id)
            time.sleep(0.3)  # the probe writes once the answer has gone

            counted = difference(shop.counters(), before)
            ledger = emulator.remote.ledger(purchase.shop_order_no)
            workers = shop.worker_pids()
            killed = shop.kill_worker()
            replaced = wait_for_workers(shop, 2, without=killed)
            again = buyer.pay(product_id)
            usage = shop.usage()

    assert purchase.status == "paid", purchase.error
    assert ledger["approved_amount"] > 0
    for name in ("payments:checkout", "easypay:return", "payments:detail"):
        assert counted[name]["requests"] == 1 and counted[name]["queries"] > 0, counted
    assert len(workers) == 2 and killed in workers
    assert len(replaced) == 2 and killed not in replaced
    assert again.status == "paid", again.error
    assert set(usage) == set(replaced)
    assert all(cpu > 0 and rss > 10 for cpu, rss in usage.values())


def wait_for_workers(shop, count, *, without, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = shop.worker_pids()
        if len(pids) == count and without not in pids:
            return pids
        time.sleep(0.1)
    return shop.worker_pids()
