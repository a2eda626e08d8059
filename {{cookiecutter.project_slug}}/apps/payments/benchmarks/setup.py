"""What both benchmarks share: Django on a throw-away database, and paid payments to announce."""

import logging
import os
import tempfile


def start_django() -> None:
    """Set Django up (DJANGO_SETTINGS_MODULE, default config.settings.test) on DATABASE_URL,
    default a new SQLite file, and migrate it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    folder = tempfile.mkdtemp(prefix="payments-benchmark-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/benchmark.sqlite3")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    # One line per message and per task is right in production, noise in a benchmark.
    for name in ("apps.payments", "django.tasks", "django_tasks", "easypay"):
        logging.getLogger(name).setLevel(logging.WARNING)


def paid_payments(count: int) -> list:
    """`count` payments as an approval leaves them, for one new buyer and product."""
    import uuid

    from django.contrib.auth import get_user_model

    from apps.payments.models import Payment, Product

    tag = uuid.uuid4().hex[:8]
    buyer = get_user_model().objects.create_user(
        f"bench-{tag}", email="bench@example.com", phone="01012345678"
    )
    product = Product.objects.create(name="벤치마크 상품", price=15000)
    return [
        Payment.objects.create(
            user=buyer,
            product=product,
            amount=product.price,
            goods_name=product.name,
            status="paid",
            pg_cno=f"{tag}{number:012d}",
        )
        for number in range(count)
    ]


def announce_approval(payment):
    """payment_approved as easypay's services send it once the approval committed."""
    from easypay.signals import payment_approved

    return payment_approved.send_robust(
        sender=type(payment), payment=payment, pg_tid=payment.pg_cno, auth_id="12345678"
    )
