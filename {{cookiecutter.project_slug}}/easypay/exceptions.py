"""How a call to EasyPay can fail — four kinds that must never be mixed up
(docs/payment-lifecycle.md, "How the code is divided").

Each exception carries `.call`, the CallRecord of the attempt, so the caller can persist it.

    RequestNotSent  the request never left this machine: nothing happened at KICC.
    Declined        KICC answered with a definite resCd other than "0000": a definite no.
    OutcomeUnknown  the request may have arrived (timeout, connection lost, 5xx, ...): maybe yes.
                    Recover with retrieveTransaction and the original key (§11.1), never by re-sending.
                    A refund KICC answered VTIM / VT00 (timed out / unknown at the bank, §9) is one
                    too, with `.refund_query_needed`: recover by asking with refundQueryFlag "Y"
                    (EasyPayClient.revise(refund_query=True)), never by sending a second refund.
    Untrusted       an answer arrived but cannot be believed (unparsable, missing fields, bad
                    msgAuthValue, wrong echo or amount). For an approval, money may have moved:
                    `.result` / `.pg_cno` are there when KICC's answer named the transaction,
                    so it can be cancelled (§11.2).

A bad argument is none of these: it raises InvalidRequest (a ValueError) before anything is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from easypay.results import ApprovalResult, CallRecord, ReviseResult


class InvalidRequest(ValueError):
    """An argument KICC would refuse (§2 rules); raised before any network activity."""


class EasyPayError(Exception):
    kind = "error"

    def __init__(self, message: str, *, call: CallRecord):
        super().__init__(message)
        self.call = call


class RequestNotSent(EasyPayError):
    """Connecting failed (refused / connect timeout), after the allowed retries. Safe to try later."""

    kind = "not_sent"


class Declined(EasyPayError):
    """KICC processed the request and said no (resCd ≠ "0000").

    The codes are KICC's (and the emulator's invented ones): branch on nothing but the fact of
    a decline; show `res_msg` to an operator, not as logic.
    """

    kind = "declined"

    def __init__(self, message: str, *, call: CallRecord, res_cd: str, res_msg: str):
        super().__init__(message, call=call)
        self.res_cd = res_cd
        self.res_msg = res_msg


class OutcomeUnknown(EasyPayError):
    """The request may have reached KICC and its effect is unknown: never report it as declined.

    `res_cd` / `res_msg` are KICC's when it answered at all (VTIM / VT00), "" otherwise.
    `refund_query_needed` is True when KICC said so itself (VTIM / VT00, §9): the refund may
    or may not have been paid out; ask with refundQueryFlag "Y". Whatever call answers VTIM /
    VT00 — the refund, the query itself, a status query of the refund's key — raises this,
    never Declined.
    """

    kind = "unknown"

    def __init__(
        self,
        message: str,
        *,
        call: CallRecord,
        res_cd: str = "",
        res_msg: str = "",
        refund_query_needed: bool = False,
    ):
        super().__init__(message, call=call)
        self.res_cd = res_cd
        self.res_msg = res_msg
        self.refund_query_needed = refund_query_needed


class Untrusted(EasyPayError):
    """An answer that cannot be believed. `reason` is one of UNTRUSTED_REASONS."""

    kind = "untrusted"

    def __init__(
        self,
        message: str,
        *,
        call: CallRecord,
        reason: str,
        result: ApprovalResult | ReviseResult | None = None,
        pg_cno: str = "",
    ):
        super().__init__(message, call=call)
        self.reason = reason
        self.result = result
        self._pg_cno = pg_cno

    @property
    def pg_cno(self) -> str:
        """KICC's transaction id when the answer named one ("" otherwise): what a cancel needs."""
        named: str = getattr(self.result, "pg_cno", "")  # a ReviseResult has none
        return named or self._pg_cno


UNTRUSTED_REASONS = (
    "unparsable",  # not a JSON object (HTML error page, truncated body, ...)
    "missing_field",  # a field the contract promises is absent or of the wrong type
    "bad_signature",  # msgAuthValue does not match (§5.3)
    "echo_mismatch",  # shopOrderNo / shopTransactionId / mallId / pgCno echo differs
    "amount_mismatch",  # approved amount ≠ the amount the shop expects (§11.2)
)
