"""What KICC itself can confirm about a payment's approval, asked with our own key (§7).

A 노티 carries no signature (docs/kicc-api.md §8.1): before one moves money, KICC is asked
with the approve call's shopTransactionId and date (retrieveTransaction). That answer has the
approval's shape (§7), and the contract leaves open whether its statusCode is the status
*now* or the status the approval had *then*. So a status proves something only when the
approval cannot have had it then — a cancel (TS02, TS05, TS06) or a deposit (TS08) happened
after it; an approval status (TS01, TS03, TS04, TS07) proves nothing either way. Code written
this way is right under both readings (the emulator answers either way:
EASYPAY_EMULATOR["RETRIEVE_STATUS"]).
"""

import logging
from dataclasses import dataclass

from easypay import kst, methods
from easypay.client import get_client
from easypay.exceptions import EasyPayError, InvalidRequest
from easypay.models import PgCall
from easypay.results import ApprovalResult, ReviseResult

from .records import call_of, log_call

logger = logging.getLogger("easypay.services")

CANCELLED = frozenset({"TS02", "TS05"})  # approval / capture cancelled: nothing left
PARTIALLY_CANCELLED = frozenset({"TS06"})
DEPOSITED = frozenset({"TS08"})
# A refund to a bank account (§10.4): taken and waiting for the bank, paid out, refused.
REFUND_REQUESTED = frozenset({methods.REFUND_REQUESTED})
REFUNDED = frozenset({methods.REFUND_DONE})
REFUND_REFUSED = frozenset({methods.REFUND_REFUSED})
# Statuses an approval answer can carry itself (§10.4): seen in a status answer, they may be
# the original status, so they confirm and refute nothing.
APPROVAL_STATUSES = frozenset({"TS01", "TS03", "TS04", "TS07"})


@dataclass(frozen=True)
class KiccStatus:
    """KICC's status of the payment's approval, as far as it can be told."""

    status_code: str | None  # a status that happened after the approval, or None
    why: str = ""  # why nothing could be told (for the record and the report)
    ask_again: bool = False  # KICC did not answer: asking later may tell

    def shows(self, statuses) -> bool:
        return self.status_code in statuses


def approve_call(payment) -> PgCall | None:
    """The payment's latest approve call: the key and date KICC is asked about its approval with."""
    return payment.pg_calls.filter(kind=PgCall.Kind.APPROVE).order_by("-created_at").first()


def queryable(pg_call: PgCall | None) -> bool:
    """KICC's status query can still tell what became of `pg_call`: there is one, and its KST
    day is yesterday or today (§7). Past that, only a person with KICC's console can."""
    return pg_call is not None and kst.is_yesterday_or_today(pg_call.request_date)


@dataclass(frozen=True)
class Retrieval:
    """One retrieveTransaction about a call: KICC's answer or the client's error (exactly one
    of them), and the PgCall that records the retrieve."""

    result: ApprovalResult | ReviseResult | None
    error: EasyPayError | InvalidRequest | None
    record: PgCall


def retrieve_approval(payment, pg_call: PgCall) -> Retrieval:
    """Ask KICC about the approve call `pg_call` with its own key and date (§7), recorded as a
    retrieve naming it, whatever came back. Each caller judges the answer its own way."""
    try:
        result = get_client().retrieve(
            shop_transaction_id=pg_call.shop_transaction_id, transaction_date=pg_call.request_date
        )
    except (EasyPayError, InvalidRequest) as error:
        record = log_call(
            payment, PgCall.Kind.RETRIEVE, call_of(error), original=pg_call, error=str(error)
        )
        return Retrieval(None, error, record)
    return Retrieval(
        result, None, log_call(payment, PgCall.Kind.RETRIEVE, result.call, original=pg_call)
    )


def approval_status(payment) -> KiccStatus:
    """Ask KICC about the payment's approval (retrieveTransaction with the approve call's own
    key and date) and keep only what the answer proves. Records the retrieve as a PgCall."""
    pg_call = approve_call(payment)
    if pg_call is None:
        return KiccStatus(None, "승인 호출 기록이 없음")
    if not queryable(pg_call):
        return KiccStatus(None, "승인일이 조회 가능 기간(어제·오늘, §7)을 지남")
    asked = retrieve_approval(payment, pg_call)
    if asked.error is not None:
        return KiccStatus(None, f"KICC 조회 실패 ({asked.error})", ask_again=True)
    result = asked.result
    if not isinstance(result, ApprovalResult) or result.pg_cno != payment.pg_cno:
        return KiccStatus(None, "KICC 조회 결과가 결제의 거래번호와 다름")
    if result.status_code in APPROVAL_STATUSES:
        return KiccStatus(None, f"KICC 조회가 승인 상태({result.status_code})만 알려 줌")
    return KiccStatus(result.status_code)
