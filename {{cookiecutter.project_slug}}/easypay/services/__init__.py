"""The payment services: the ONLY code that changes a payment's status
(docs/payment-lifecycle.md).

One job per module:
    registration    register()            checkout: KICC registration, the window's URL
    approval        handle_return()       the window's return: claim → approve → apply
    cancellation    cancel(), refund()    cancels (40 / 32 / 33), refunds to a bank account
                                          (60 / 62 / 63) and voids of bad approvals
    reconciliation  reconcile(), reconcile_all()   settle unknown outcomes, expire, compare
    notifications   receive_notification()         노티: store, dedupe, confirm, apply, ack
    confirmation    approval_status()     what KICC's status query proves about an approval (§7)
    manual          settle_cancellation(), settle_approval(), apply_notification()
                                          what a person settles by hand with KICC's console
    transitions     move(), announce()    status changes as conditional UPDATEs, signals on commit
    records         PgCall rows, the money-moving ones committed before the call
    sources         client IP behind trusted proxies, the 노티 allow-list

Every signal is sent after the transaction commits, with send_robust semantics.
"""

from .approval import handle_return
from .cancellation import cancel, refund
from .errors import (
    CancelDeclined,
    CancelRefused,
    ForbiddenSource,
    PaymentError,
    PaymentNotFound,
    ReturnRefused,
)
from .notifications import receive_notification
from .reconciliation import ReconcileReport, reconcile, reconcile_all
from .registration import register

__all__ = [
    "CancelDeclined",
    "CancelRefused",
    "ForbiddenSource",
    "PaymentError",
    "PaymentNotFound",
    "ReconcileReport",
    "ReturnRefused",
    "cancel",
    "handle_return",
    "receive_notification",
    "reconcile",
    "reconcile_all",
    "refund",
    "register",
]
