"""Run inside a baked project (its .venv's python, cwd = the project, production settings from
the environment) by tests/test_baked_queues.py. Not a test module: pytest does not collect it.

    python queue_driver.py approve         one real approval; prints the tasks it enqueued
    python queue_driver.py state ID...     prints each task's status and what was recorded
    python queue_driver.py redis-db        claims an empty Redis database and prints its number
    python queue_driver.py redis-flush     empties the Redis database of REDIS_URL

The approval is real: easypay's services register, approve and apply it against the local
emulator over HTTP (started in this process, on a free port), and the receivers enqueue into
the production queue the settings name (the database, or Redis). The emulator is refused by
the *system check* with DEBUG off (easypay.E003); `approve` runs no checks, on purpose.
"""

import json
import os
import sys


def setup():
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()


def approve() -> dict:
    from django.tasks.signals import task_enqueued
    from django.test import override_settings
    from easypay.emulator.engine import TEST_MALL_ID, TEST_SECRET_KEY
    from easypay.emulator.server import temporary_emulator

    enqueued = []

    def keep(sender, task_result, **kwargs):
        run_after = task_result.task.run_after
        enqueued.append(
            {
                "id": task_result.id,
                "task": task_result.task.name,
                "kwargs": task_result.kwargs,
                "run_after": run_after.isoformat() if run_after else None,
            }
        )

    task_enqueued.connect(keep)
    try:  # django-tasks-rq sends the signals of django-tasks, the backport it builds on
        from django_tasks.signals import task_enqueued as backport_task_enqueued
    except ImportError:
        pass
    else:
        backport_task_enqueued.connect(keep)
    # The emulator answers through Django in this process: its plain-HTTP 127.0.0.1 requests
    # must pass the production host and HTTPS rules (read when its handler is built).
    production_rules_off = override_settings(ALLOWED_HOSTS=["127.0.0.1"], SECURE_SSL_REDIRECT=False)
    with (
        production_rules_off,
        temporary_emulator() as server,
        override_settings(
            EASYPAY_API_URL=server.url,
            EASYPAY_MALL_ID=TEST_MALL_ID,
            EASYPAY_SECRET_KEY=TEST_SECRET_KEY,
        ),
    ):
        payment = pay_through(server.emulator)
    return {"payment_id": payment.pk, "status": payment.status, "enqueued": enqueued}


def pay_through(emulator):
    """Checkout, window, return: what the shop's views do, without a browser."""
    from urllib.parse import parse_qs, urlsplit

    from apps.payments.models import Payment, Product
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from easypay import services

    buyer = get_user_model().objects.create_user(
        f"buyer-{os.getpid()}", email="buyer@example.com", phone="01012345678"
    )
    product = Product.objects.create(name="큐 테스트 상품", price=15000)
    payment = Payment.objects.create(
        user=buyer, product=product, amount=product.price, goods_name=product.name
    )
    return_url = "https://shop.example.com" + reverse("easypay:return", args=[payment.public_token])
    auth_page_url = services.register(payment, return_url=return_url, device_type_code="pc")
    authorization_id = parse_qs(urlsplit(auth_page_url).query)["authorizationId"][0]
    post = emulator.authenticate(authorization_id, "approve")
    return services.handle_return(payment.public_token, post.fields)


def state(ids: list[str]) -> dict:
    from apps.payments.models import PaymentReport, SentNotification
    from django.tasks import default_task_backend

    results = {}
    for result_id in ids:
        result = default_task_backend.get_result(result_id)
        results[result_id] = {
            "status": str(result.status),
            "errors": [error.traceback[-500:] for error in result.errors],
        }
    return {
        "results": results,
        "sent": sorted(SentNotification.objects.values_list("kind", "status")),
        "reports": PaymentReport.objects.count(),
    }


def redis_connection(db: int | None = None):
    """Redis at REDIS_URL, or the same server's database number `db`."""
    from urllib.parse import urlsplit, urlunsplit

    import redis
    from django.conf import settings

    url = settings.REDIS_URL
    if db is not None:
        url = urlunsplit(urlsplit(url)._replace(path=f"/{db}"))
    return redis.Redis.from_url(url)


CLAIM_KEY = "easypay-starter-test:claim"


def claim_redis_db() -> dict:
    """The highest-numbered empty database (far from the 0 everything else defaults to), claimed:
    SET NX of a claim key lets one run win a database two runs found empty at once; a database
    holding anything but our claim is left alone. redis-flush removes the claim with the rest."""
    import secrets

    import redis

    token = secrets.token_hex(8)
    try:
        for db in range(15, 7, -1):
            connection = redis_connection(db)
            if connection.dbsize() or not connection.set(CLAIM_KEY, token, nx=True, ex=3600):
                continue
            if connection.dbsize() == 1:
                return {"db": db}
            if connection.get(CLAIM_KEY) == token.encode():  # someone else writes here: give back
                connection.delete(CLAIM_KEY)
    except redis.exceptions.ConnectionError as error:
        return {"db": None, "error": str(error)}
    return {"db": None}


def main(argv: list[str]) -> int:
    setup()
    command, *rest = argv
    if command == "approve":
        print(json.dumps(approve()))
    elif command == "state":
        print(json.dumps(state(rest)))
    elif command == "redis-db":
        print(json.dumps(claim_redis_db()))
    elif command == "redis-flush":
        redis_connection().flushdb()
        print(json.dumps({"flushed": True}))
    else:
        raise SystemExit(f"unknown command {command!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
