"""What a buyer is shown of a payment's cancels and refunds (the payment page, the receipt).

A cancel undoes a card-like payment; a refund pays a virtual account or mobile payment back
into a bank account (docs/payment-lifecycle.md). The buyer sees each with its state — a
deferred refund the bank pays the next day is "환불 처리 중" until it does — and the refund
account only masked. Read from the database only; nothing here asks KICC.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from easypay.methods import bank_name
from easypay.models import Cancellation

Status = Cancellation.Status


@dataclass(frozen=True)
class CancellationRow:
    kind: str  # "취소", "부분 취소", "환불", "부분 환불"
    amount: int
    state: str  # words for the buyer
    state_class: str  # "done", "in-flight", "failed": the badge's colour (cancel-…)
    at: datetime
    refund_account: str  # "NH농협은행 123*******901"; "" for a cancel


def with_cancellation_flag(payments: QuerySet) -> QuerySet:
    """`payments` with has_cancellations: whether any cancel of the payment was ever recorded,
    read in the payment's own statement. Most payments never had one, and then a page need
    not ask for their cancels at all (rows_for_flagged)."""
    return payments.annotate(
        has_cancellations=Exists(Cancellation.objects.filter(payment=OuterRef("pk")))
    )


def rows_for_flagged(payment) -> list[CancellationRow]:
    """rows_for, for a payment read through with_cancellation_flag: no query when it has none."""
    return rows_for(payment) if payment.has_cancellations else []


def rows_for(payment) -> list[CancellationRow]:
    """The payment's own cancels and refunds, oldest first.

    A cancel is shown once done; a refund from the moment it is asked for, whatever becomes
    of it (the buyer waits for that money; a refund the bank refused is shown as such). Left
    out: cancels not done (KICC refused, or the answer is awaited: nothing to tell yet) and
    cancels of an approval other than this payment's own (voids of approvals the shop did
    not keep).
    """
    cancellations = payment.cancellations.filter(Q(pg_cno="") | Q(pg_cno=payment.pg_cno))
    return [
        _row(cancellation)
        for cancellation in cancellations.order_by("created_at", "pk")
        if cancellation.is_refund or cancellation.status == Status.DONE
    ]


def _row(cancellation: Cancellation) -> CancellationRow:
    refund = cancellation.is_refund
    if refund:
        kind = _("부분 환불") if cancellation.is_partial else _("환불")
    else:
        kind = _("부분 취소") if cancellation.is_partial else _("취소")
    state, state_class = _state(cancellation.status, refund)
    account = ""
    if refund and cancellation.refund_account_no:
        account = f"{bank_name(cancellation.refund_bank_code)} {cancellation.refund_account_masked}"
    return CancellationRow(
        kind=str(kind),
        amount=cancellation.amount,
        state=str(state),
        state_class=state_class,
        at=cancellation.finished_at or cancellation.created_at,
        refund_account=account,
    )


def _state(status: str, refund: bool) -> tuple[str, str]:
    if status == Status.DONE:
        return (_("환불 완료") if refund else _("취소 완료")), "done"
    # Only refunds are shown before they are done (rows_for).
    if status == Status.FAILED:
        # The bank refused the account (노티 51): the shop refunds again to another account.
        return _("환불 실패"), "failed"
    # requested, unknown (asked, answer pending) and accepted (the bank pays tomorrow).
    return _("환불 처리 중"), "in-flight"
