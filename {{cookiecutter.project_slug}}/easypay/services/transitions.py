"""The only way a payment's status changes: a conditional UPDATE checked against easypay.states,
and the signals that announce it after the transaction commits.

`UPDATE … WHERE pk = … AND status IN (…)` is atomic on every database (SQLite included, where
select_for_update does nothing): of two processes making the same move, exactly one updates a
row, and only that one announces it — so each signal fires once per transition.
"""

import logging
from functools import partial

from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from easypay.models import Announcement
from easypay.signals import (
    payment_approved,
    payment_cancelled,
    payment_failed,
    payment_registered,
)
from easypay.states import PaymentStatus, check_transition

logger = logging.getLogger("easypay.services")

S = PaymentStatus

# The timestamp each status stamps when it is reached.
STAMPS: dict[str, str] = {
    S.APPROVING: "approving_at",
    S.PAID: "paid_at",
    S.PARTIALLY_CANCELLED: "cancelled_at",
    S.CANCELLED: "cancelled_at",
    S.FAILED: "failed_at",
}


def move(payment, to: str, *, expected=None, **fields) -> bool:
    """Move `payment` to `to` if its row is still in one of `expected` (default: its current
    status); set `fields` in the same UPDATE. True when this call made the move (the instance
    then carries what the UPDATE wrote — no second read: the row is what we just made it);
    False when the row was elsewhere (someone else moved it first, or a replay). Raises
    IllegalTransition for a move the lifecycle forbids."""
    sources = [status for status in (expected or (payment.status,)) if check_transition(status, to)]
    if not sources:
        return False
    now = timezone.now()
    if to in STAMPS:
        fields.setdefault(STAMPS[to], now)
    updated = (
        type(payment)
        ._default_manager.filter(pk=payment.pk, status__in=sources)
        .update(status=to, updated_at=now, **fields)
    )
    if updated:
        for name, value in {"status": to, "updated_at": now, **fields}.items():
            setattr(payment, name, value)
    return bool(updated)


def lock(payment):
    """The payment's row as it is now, locked until the current transaction ends — so a check of
    its balance and the write that follows it cannot interleave with another process's.

    PostgreSQL: SELECT … FOR UPDATE. SQLite ignores FOR UPDATE, so an UPDATE that changes
    nothing takes its database-wide write lock first. Call it inside transaction.atomic(),
    and never across a PG call (integrity rule 5)."""
    manager = type(payment)._default_manager
    if connections[manager.db].features.has_select_for_update:
        return manager.select_for_update().get(pk=payment.pk)
    manager.filter(pk=payment.pk).update(updated_at=F("updated_at"))
    return manager.get(pk=payment.pk)


def announce(signal, payment, **kwargs) -> None:
    """Send `signal` once the current transaction commits (never if it rolls back), with
    send_robust: a receiver that raises is logged by Django ("django.dispatch", where error
    reporting sees it) and neither stops the other receivers nor changes the payment (docs/
    signals-and-receivers.md).

    payment_approved and payment_cancelled announce money that moved: they are owed from the
    moment the status changes, so they are written down in the same transaction
    (Announcement) and a process that dies before sending them leaves them for reconcile
    (send_unsent) instead of losing them. payment_registered and payment_failed announce that
    no money moved: sent after commit as Django sends any signal, without the two extra
    statements an owed one costs."""
    if signal not in OWED:
        transaction.on_commit(partial(_send, None, payment, signal, kwargs), robust=True)
        return
    owed = Announcement.objects.create(
        payment=payment, signal=_name_of(signal), arguments=_storable(kwargs)
    )
    transaction.on_commit(partial(_send, owed, payment, signal, kwargs), robust=True)


def send_unsent(older_than, report) -> None:
    """Send the announcements whose process died before it could (reconcile_all calls this):
    each is claimed first (attempts + 1), so two reconcile runs never send one twice."""
    cutoff = timezone.now() - older_than
    unsent = Announcement.objects.filter(sent_at__isnull=True, created_at__lt=cutoff)
    for owed in unsent.select_related("payment"):
        claimed = Announcement.objects.filter(
            pk=owed.pk, sent_at__isnull=True, attempts=owed.attempts
        ).update(attempts=F("attempts") + 1)
        if not claimed:
            continue
        payment = owed.payment  # read with the announcement, a moment ago
        _send(owed, payment, SIGNALS[owed.signal], owed.arguments)
        report.resolved.append(
            f"{payment.shop_order_no}: {owed.signal} 다시 보냄 (처음 보내지 못함)"
        )


def _send(owed, payment, signal, kwargs) -> None:
    signal.send_robust(sender=type(payment), payment=payment, **kwargs)
    if owed is not None:
        Announcement.objects.filter(pk=owed.pk).update(sent_at=timezone.now())


OWED = (payment_approved, payment_cancelled)
SIGNALS = {
    "payment_registered": payment_registered,
    "payment_approved": payment_approved,
    "payment_failed": payment_failed,
    "payment_cancelled": payment_cancelled,
}


def _name_of(signal) -> str:
    return next(name for name, known in SIGNALS.items() if known is signal)


def _storable(kwargs: dict) -> dict:
    """The keyword arguments as JSON keeps them: lazy translations become their text."""
    return {
        key: value if value is None or isinstance(value, bool | int | float) else str(value)
        for key, value in kwargs.items()
    }


def fail(payment, *, expected, code: str, message, stage: str, **fields) -> bool:
    """Move to failed and announce payment_failed(error_code, error_message, stage)."""
    message = str(message)
    with transaction.atomic():
        moved = move(
            payment,
            S.FAILED,
            expected=expected,
            failure_code=code[:40],
            failure_message=message,
            **fields,
        )
        if moved:
            # %r: the code and message may come from a browser (the return) — no forged lines.
            logger.info("payment %s failed at %s: %r %r", payment, stage, code, message)
            announce(payment_failed, payment, error_code=code, error_message=message, stage=stage)
    return moved
