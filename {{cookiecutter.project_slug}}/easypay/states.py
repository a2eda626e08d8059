"""The payment lifecycle as data: the statuses and the moves between them
(docs/payment-lifecycle.md).

Pure Python (no database, no settings): the services ask ``check_transition`` before they
change a payment's status, so a replayed event does nothing and an impossible one is loud.

    pending ──return ok──▶ approving ──approved──▶ paid ──partial──▶ partially_cancelled ──▶ cancelled
       │                      │  │  └─VA issued──▶ awaiting_deposit ──노티 30──▶ paid   paid ──40──▶ cancelled
       │                      │  └─timeout──▶ unknown ──reconcile──▶ paid | awaiting_deposit | failed
       └──return error / expired──▶ failed ◀──declined / amount mismatch / bad signature (PG side cancelled)
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("결제 대기")
    APPROVING = "approving", _("승인 중")
    UNKNOWN = "unknown", _("결과 확인 중")
    AWAITING_DEPOSIT = "awaiting_deposit", _("입금 대기")
    PAID = "paid", _("결제 완료")
    PARTIALLY_CANCELLED = "partially_cancelled", _("부분 취소")
    CANCELLED = "cancelled", _("결제 취소")
    FAILED = "failed", _("결제 실패")


S = PaymentStatus

# current status → the statuses it may move to. A status missing from its own set treats a
# repeat as a replay (no-op); see check_transition.
ALLOWED_TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    # Nothing has been sent to approve yet, so no money can have moved: the only ways out are
    # the claim before the approve call, or failed (window error / user cancel / the order
    # abandoned and expired by reconcile). Never paid directly: the integrated window approves
    # nothing by itself — only our approve call does (§4, §5).
    S.PENDING: frozenset({S.APPROVING, S.FAILED}),
    # The approve call is in flight (or was). Its answer decides: paid (card), awaiting_deposit
    # (VA issued, TS07), failed (declined, or amount/signature wrong *and* the PG-side cancel
    # went through — §11 rules 2 and 5), unknown (timeout, dropped answer, 5xx, or a
    # mismatch whose cancel itself failed: money may be held, so never "failed").
    S.APPROVING: frozenset({S.PAID, S.AWAITING_DEPOSIT, S.UNKNOWN, S.FAILED}),
    # Reconcile (retrieveTransaction with the original key, §7 / §11 rule 1) or a 노티 10
    # resolves it to whatever the approve call would have answered. No unknown → cancelled:
    # an approval that reconcile must void (amount mismatch, order gone) was never paid in
    # the customer's eyes, so it ends failed like approving → failed, and the void itself is
    # kept as a Cancellation row; payment_cancelled is for refunds of paid orders. No
    # unknown → approving either: approval is never blindly retried (§11 idempotency).
    S.UNKNOWN: frozenset({S.PAID, S.AWAITING_DEPOSIT, S.FAILED}),
    # The VA is issued: the deposit 노티 30 pays it; a full cancel (40) voids the unpaid
    # account (§6.3); an expiry without deposit fails it (no money ever arrived).
    S.AWAITING_DEPOSIT: frozenset({S.PAID, S.CANCELLED, S.FAILED}),
    # Money is held: only cancels move it on. Never paid → failed: a late return error or a
    # stale hint can fail nothing that is already paid (integrity rule 7).
    S.PAID: frozenset({S.PARTIALLY_CANCELLED, S.CANCELLED}),
    # Each further partial cancel (32/33) is a real move, not a replay: it changes
    # cancelled_amount and sends payment_cancelled again. Duplicates of the *same* cancel are
    # caught by Cancellation.cancel_pg_cno being unique, not by the status.
    S.PARTIALLY_CANCELLED: frozenset({S.PARTIALLY_CANCELLED, S.CANCELLED}),
    # Final. A 노티 31 (a bank reversing a deposit) or money found for a failed payment is
    # not a move the code makes on its own: it raises, the record keeps the error, a human looks.
    S.CANCELLED: frozenset(),
    S.FAILED: frozenset(),
}


class IllegalTransition(Exception):
    """A status change the lifecycle does not allow (a bug, or an event that needs a human)."""

    def __init__(self, current: str, new: str):
        self.current = current
        self.new = new
        super().__init__(f"illegal payment transition {current} → {new}")


def _status(value: str) -> PaymentStatus:
    # Raises ValueError for a string that is no status at all: a typo, not a lifecycle event.
    return PaymentStatus(value)


def allowed_next(current: str) -> frozenset[PaymentStatus]:
    return ALLOWED_TRANSITIONS[_status(current)]


def check_transition(current: str, new: str) -> bool:
    """True: apply the move. False: a replay of the current status, do nothing (and send no
    signal). Raises IllegalTransition for any other move."""
    current, new = _status(current), _status(new)
    if new in ALLOWED_TRANSITIONS[current]:
        return True
    if new == current:
        return False
    raise IllegalTransition(current, new)


def is_final(status: str) -> bool:
    return not ALLOWED_TRANSITIONS[_status(status)]


def can_be_cancelled(status: str) -> bool:
    """Whether a full cancel (40) may be requested from this status (the admin action)."""
    return PaymentStatus.CANCELLED in ALLOWED_TRANSITIONS[_status(status)]


def can_be_partially_cancelled(status: str) -> bool:
    """Whether a partial cancel (32/33) may be requested: only once money was received."""
    return PaymentStatus.PARTIALLY_CANCELLED in ALLOWED_TRANSITIONS[_status(status)]
