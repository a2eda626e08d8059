"""PgCall rows: every call to KICC, the money-moving ones saved *before* the request leaves.

Integrity rule 2 (§7, §11): the shopTransactionId and KST request date of an
approve/revise call are committed first, so retrieveTransaction can find its outcome even if
this process dies while waiting for the answer.
"""

from django.utils import timezone

from easypay.models import PgCall
from easypay.results import CallRecord

_RESULT_FIELDS = [
    "request",
    "response",
    "http_status",
    "res_cd",
    "res_msg",
    "latency_ms",
    "outcome",
    "error",
    "finished_at",
]


def open_call(
    payment, kind: str, *, key: str, day, request: dict | None = None, original=None
) -> PgCall:
    """An approve/revise call about to be sent: outcome "pending" until close_call.
    `original`: the call it asks about (a refund query, refundQueryFlag "Y", §9)."""
    return PgCall.objects.create(
        payment=payment,
        kind=kind,
        shop_transaction_id=key,
        request_date=day,
        request=request or {},
        original_call=original,
    )


def close_call(pg_call: PgCall, call: CallRecord | None, *, error: str = "") -> PgCall:
    """Store what came back (masked by the client). `call` is None when the client refused the
    arguments before sending anything: the outcome is then "not_sent" and `error` says why."""
    _fill(pg_call, call, error)
    pg_call.save(update_fields=_RESULT_FIELDS)
    return pg_call


def log_call(payment, kind: str, call: CallRecord | None, *, original=None, error: str = ""):
    """A call that moves no money (register, retrieve), stored once it is over: nothing needs
    recovering if the process dies during it. A retrieve names the call it asks about (§7)."""
    pg_call = PgCall(payment=payment, kind=kind, original_call=original)
    if original is not None:
        pg_call.request_date = original.request_date
    _fill(pg_call, call, error)
    pg_call.save()
    return pg_call


def _fill(pg_call: PgCall, call: CallRecord | None, error: str) -> None:
    if call is not None:
        pg_call.request = call.request_body
        pg_call.response = call.response_body
        pg_call.http_status = call.http_status
        pg_call.res_cd = (call.res_cd or "")[:10]
        pg_call.res_msg = call.res_msg or ""
        pg_call.latency_ms = call.latency_ms
        pg_call.outcome = call.outcome
        pg_call.error = call.error
    else:
        pg_call.outcome = PgCall.Outcome.NOT_SENT
        pg_call.error = error
    pg_call.finished_at = timezone.now()


def call_of(error: BaseException) -> CallRecord | None:
    return getattr(error, "call", None)
