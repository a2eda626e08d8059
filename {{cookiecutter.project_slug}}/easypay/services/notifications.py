"""노티 (KICC's webhooks, §8.1): store raw first, dedupe, confirm when in doubt, apply, ack.

- Every delivery is stored before anything else (dj-stripe's habit): the evidence survives a
  crash or a bug in the handling.
- Only EASYPAY_NOTI_ALLOWED_IPS may send them (§2); others are stored as ignored and refused.
- KICC resends until acked, even after we processed one (§8.1): the Notification table's
  partial unique constraint lets one row per (pgCno, notiType, cancelPgCno) be "processed",
  in the same transaction as the change it causes — so a 노티 is applied once, however many
  copies arrive at once, and every copy is acked.
- When a 노티 does not match what we know (a payment still approving/unknown, a cancel in
  flight, an approval for a failed order), KICC is asked with our original key
  (retrieveTransaction, §7) before acting.
- The ack {"resCd": "0000"} is returned only after the transaction committed; "5001" asks
  KICC to send it again (§8.1) when the handling failed or the answer is not known yet.
"""

import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from easypay import kst
from easypay.client import FULL_CANCEL, SUCCESS, get_client
from easypay.exceptions import EasyPayError, InvalidRequest
from easypay.models import Cancellation, Notification, PgCall, get_payment_model
from easypay.results import ApprovalResult
from easypay.states import PaymentStatus

from . import sources
from .approval import SETTLED, VOIDED_STATUS_CODES, announce_paid
from .cancellation import IN_FLIGHT, PARTIAL_CODE_BY_METHOD, apply_cancellation, void_approval
from .errors import ForbiddenSource
from .reconciliation import ReconcileReport, reconcile, settle_cancellation
from .records import call_of, log_call
from .transitions import move

logger = logging.getLogger("easypay.services.noti")

S = PaymentStatus
N = Notification.Status
ACK = {"resCd": SUCCESS, "resMsg": "SUCCESS"}
RESEND = {"resCd": "5001", "resMsg": "FAIL"}  # §8.1: "failed, please resend"
KEPT_HEADERS = ("content-type", "content-length", "user-agent", "x-forwarded-for")
MAX_BODY = 64 * 1024


class _Outcome(Exception):
    """How a 노티 ended when it changed nothing: its status and why."""

    def __init__(self, status: str, error: str = ""):
        super().__init__(error)
        self.status = status
        self.error = error


def receive_notification(*, body: bytes, headers, remote_addr: str | None) -> dict:
    """Handle one 노티 delivery; returns the JSON ack body. Raises ForbiddenSource (→ 403)
    for a sender outside the allow-list — after storing what it sent."""
    ip = remote_addr if sources.is_ip_address(remote_addr) else None
    record = Notification.objects.create(
        raw_body=body[:MAX_BODY].decode("utf-8", errors="replace"),
        headers={k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS},
        remote_addr=ip,
    )
    if not sources.noti_source_allowed(ip):
        logger.warning("노티 %s from %s refused: not on EASYPAY_NOTI_ALLOWED_IPS", record.pk, ip)
        _mark(record, N.IGNORED, "허용되지 않은 IP에서 온 노티")
        raise ForbiddenSource(_("허용되지 않은 IP입니다."))
    try:
        status = _process(record, body)
    except Exception as error:
        logger.exception("노티 %s could not be processed", record.pk)
        try:
            _mark(record, N.FAILED, f"{type(error).__name__}: {error}")
        except Exception:
            logger.exception("노티 %s: could not even record the failure", record.pk)
        return RESEND
    return RESEND if status == N.FAILED else ACK


def _process(record, body: bytes) -> str:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        return _mark(record, N.FAILED, "JSON 객체가 아님 (§8.1)")
    text = {key: value if isinstance(value, str) else str(value) for key, value in data.items()}
    record.noti_type = text.get("notiType", "")[:2]
    record.pg_cno = text.get("pgCno", "")[:20]
    record.cancel_pg_cno = text.get("cancelPgCno", "")[:20]
    record.shop_order_no = text.get("shopOrderNo", "")[:40]
    record.payment = (
        get_payment_model()._default_manager.filter(shop_order_no=record.shop_order_no).first()
        if record.shop_order_no
        else None
    )
    record.save(update_fields=["noti_type", "pg_cno", "cancel_pg_cno", "shop_order_no", "payment"])

    if text.get("mallId") != settings.EASYPAY_MALL_ID:
        return _mark(record, N.IGNORED, f"다른 가맹점의 노티: {text.get('mallId')!r}")
    if text.get("resCd") != SUCCESS:  # e.g. 51: a refund the bank refused (§8.1)
        logger.error(
            "노티 %s reports a failure: %s %s", record.pk, text.get("resCd"), text.get("resMsg")
        )
        return _mark(record, N.IGNORED, f"실패 노티 {text.get('resCd')}: {text.get('resMsg', '')}")
    if record.payment is None:
        return _mark(record, N.IGNORED, "주문번호에 해당하는 결제가 없음")
    if _already_processed(record):
        return _mark(record, N.DUPLICATE)
    handler = HANDLERS.get(record.noti_type)
    if handler is None:
        return _mark(record, N.IGNORED, f"처리하지 않는 노티 종류 {record.noti_type}")
    try:
        apply = handler(record, record.payment, text)
    except _Outcome as outcome:
        return _mark(record, outcome.status, outcome.error)
    return _apply_once(record, apply)


def _apply_once(record, apply) -> str:
    """Apply and mark processed in ONE transaction: the unique constraint on processed rows
    decides between concurrent copies — the loser rolls back and is a duplicate."""
    try:
        with transaction.atomic():
            if apply is not None:
                apply()
            _mark(record, N.PROCESSED)
    except IntegrityError:
        if not _already_processed(record):
            raise
        return _mark(record, N.DUPLICATE)
    return N.PROCESSED


def _already_processed(record) -> bool:
    return (
        Notification.objects.filter(
            pg_cno=record.pg_cno,
            noti_type=record.noti_type,
            cancel_pg_cno=record.cancel_pg_cno,
            status=N.PROCESSED,
        )
        .exclude(pk=record.pk)
        .exists()
    )


def _mark(record, status: str, error: str = "") -> str:
    record.status = status
    record.error = error
    record.processed_at = timezone.now()
    record.save(update_fields=["status", "error", "processed_at"])
    return status


# ------------------------------------------------------------------------------
# One handler per notiType. Each returns what to apply (or None: nothing to change) or
# raises _Outcome when the 노티 ends without being processed.
# ------------------------------------------------------------------------------
def _approval(record, payment, data):
    """10: approved. Our own approve call normally got there first."""
    if payment.pg_cno == record.pg_cno and payment.status in (*SETTLED, S.FAILED):
        return None  # already known (a voided approval ends failed with its pgCno)
    if payment.status in (S.APPROVING, S.UNKNOWN):
        # In doubt: ask KICC with our approve call's key rather than believe the 노티.
        reconcile(payment, report=ReconcileReport(), force=True)
        payment.refresh_from_db()
        if payment.pg_cno == record.pg_cno and payment.status in (*SETTLED, S.FAILED):
            return None
        raise _Outcome(N.FAILED, "승인 결과를 아직 확인하지 못함: 재전송 요청")
    if payment.status == S.FAILED:
        return _void_late_approval(record, payment)
    logger.error("노티 10 %s for %s, which is %s", record.pg_cno, payment, payment.status)
    raise _Outcome(N.IGNORED, f"{payment.status} 상태 결제의 승인 노티: 확인 필요")


LATE_APPROVAL = _("결제 실패 후 도착한 승인을 취소했습니다.")


def _void_late_approval(record, payment):
    """A 노티 10 for an order the buyer was told had failed: KICC says the money moved.

    Voided at KICC (a full 40 cancel, kept as a Cancellation) rather than answered 5001: the
    buyer was told nothing was charged and was never given the order, which is the mismatch
    KICC's integrity rules answer with an immediate cancel (easypay-api.md §11 rules 1–3); a
    5001 would only make KICC resend ten times (§8.1) while the money stays held.

    The 노티 alone is not believed (§8.1 notis carry no signature): KICC is asked with our own
    approve call's key (§7), and only the approval it names under that key is voided — so a
    forged or stray 노티 can never cancel another order. When KICC cannot confirm it (no
    approve call, past the retrieve window, no answer, another pgCno), the 노티 is answered
    5001 and logged as an error for a person, and KICC resends it (§8.1)."""
    pg_call = payment.pg_calls.filter(kind=PgCall.Kind.APPROVE).order_by("-created_at").first()
    if pg_call is None or not kst.is_yesterday_or_today(pg_call.request_date):
        return _unconfirmed(record, payment, "승인 호출이 없거나 조회 기간(§7)이 지남")
    try:
        result = get_client().retrieve(
            shop_transaction_id=pg_call.shop_transaction_id, transaction_date=pg_call.request_date
        )
    except (EasyPayError, InvalidRequest) as error:
        log_call(payment, PgCall.Kind.RETRIEVE, call_of(error), original=pg_call, error=str(error))
        return _unconfirmed(record, payment, f"KICC 조회로 확인되지 않음 ({error})")
    log_call(payment, PgCall.Kind.RETRIEVE, result.call, original=pg_call)
    if not isinstance(result, ApprovalResult) or result.pg_cno != record.pg_cno:
        return _unconfirmed(record, payment, "KICC 조회 결과가 노티의 거래번호와 다름")
    if result.status_code in VOIDED_STATUS_CODES:
        return None  # already cancelled at KICC: nothing is held
    if payment.pg_cno not in ("", result.pg_cno):
        return _unconfirmed(record, payment, "결제에 다른 PG 거래번호가 있음")
    logger.error("노티 10: approval %s for failed payment %s; voiding it", result.pg_cno, payment)
    void_approval(
        payment,
        pg_cno=result.pg_cno,
        amount=result.amount,
        code="late_approval",
        message=payment.failure_message or LATE_APPROVAL,
        stage="notification",
    )
    # Processed either way: the approval and the void are on record. A void KICC refused is
    # reported by reconcile (unresolved) until a person cancels it; an unknown one is
    # settled by reconcile through its own key (§11 rule 6).
    return None


def _unconfirmed(record, payment, why: str):
    logger.error("노티 10 %s for failed payment %s not confirmed: %s", record.pg_cno, payment, why)
    raise _Outcome(N.FAILED, f"실패한 결제의 승인 노티: {why} — 재전송 요청, 확인 필요")


def _cancel(record, payment, data):
    """20: a cancel. Ours (a revise answer already applied, or in flight), or one made in
    KICC's console, which only this 노티 tells us about."""
    if record.pg_cno != payment.pg_cno or not record.cancel_pg_cno:
        raise _Outcome(N.IGNORED, "결제의 PG 거래번호와 다른 취소 노티")
    if Cancellation.objects.filter(cancel_pg_cno=record.cancel_pg_cno).exists():
        return None
    report = ReconcileReport()
    for cancellation in payment.cancellations.filter(status__in=IN_FLIGHT).select_related(
        "pg_call", "payment"
    ):
        settle_cancellation(cancellation, timezone.now(), report)  # in doubt: ask KICC
    if Cancellation.objects.filter(cancel_pg_cno=record.cancel_pg_cno).exists():
        return None
    if payment.cancellations.filter(status__in=IN_FLIGHT).exists():
        raise _Outcome(N.FAILED, "진행 중인 취소의 결과를 아직 모름: 재전송 요청")
    return _external_cancel(record, payment, data)


def _external_cancel(record, payment, data):
    amount = _won(data.get("cancelAmount"))
    remain = _won(data.get("remainAmount"))
    payment.refresh_from_db()
    remaining = payment.remaining_amount
    if payment.status == S.FAILED:
        return _console_void(record, payment, amount)
    if payment.status not in (S.PAID, S.PARTIALLY_CANCELLED, S.AWAITING_DEPOSIT):
        raise _Outcome(N.IGNORED, f"{payment.status} 상태 결제의 취소 노티: 확인 필요")
    if amount is None or not 0 < amount <= remaining or remain not in (None, remaining - amount):
        raise _Outcome(N.IGNORED, f"취소 금액이 맞지 않음 (잔액 {remaining}): 확인 필요")

    def apply():
        apply_cancellation(_record_kicc_cancel(record, payment, amount, remaining))

    return apply


def _console_void(record, payment, amount):
    """A failed order's approval cancelled in KICC's console — what a person does when KICC
    refused our own void (reconcile reports it): record it, so the report stops. The order
    stays failed; no payment_cancelled (it was never paid in the buyer's eyes)."""
    refused = (
        payment.cancellations.filter(
            origin=Cancellation.Origin.SYSTEM, status=Cancellation.Status.FAILED
        )
        .order_by("-created_at")
        .first()
    )
    if refused is None or amount != refused.amount:
        raise _Outcome(N.IGNORED, f"{payment.status} 상태 결제의 취소 노티: 확인 필요")

    def apply():
        _record_kicc_cancel(record, payment, amount, remaining=amount)

    return apply


def _record_kicc_cancel(record, payment, amount, remaining):
    """A cancel KICC reports in a 노티 20 (made in its console): a done Cancellation of
    `amount` out of `remaining`, full (40) when nothing is left, else the method's partial code."""
    left = remaining - amount
    return Cancellation.objects.create(
        payment=payment,
        revise_type_code=FULL_CANCEL
        if left == 0
        else PARTIAL_CODE_BY_METHOD.get(payment.pay_method_type_code, "32"),
        amount=amount,
        remaining_before=remaining,
        remaining_after=left,
        reason="KICC 노티 20",
        origin=Cancellation.Origin.PG,
        notification=record,
        status=Cancellation.Status.DONE,
        cancel_pg_cno=record.cancel_pg_cno,
        finished_at=timezone.now(),
    )


def _deposit(record, payment, data):
    """30: a virtual-account deposit. pgCno is the deposit's number; tlfSno names the account's
    issuing transaction, the payment's pg_cno (§8.1). Retrieve cannot help here (the account
    was often issued days ago, §7), so the 노티 must match what was issued exactly."""
    if payment.status == S.PAID and payment.pg_cno == data.get("tlfSno"):
        return None
    if payment.status != S.AWAITING_DEPOSIT:
        raise _Outcome(N.IGNORED, f"{payment.status} 상태 결제의 입금 노티: 확인 필요")
    if data.get("tlfSno") != payment.pg_cno or _won(data.get("amount")) != payment.amount:
        logger.error("노티 30 %s does not match %s", record.pk, payment)
        raise _Outcome(N.IGNORED, "가상계좌 거래번호 또는 금액이 맞지 않음: 확인 필요")

    def apply():
        if move(payment, S.PAID, expected=[S.AWAITING_DEPOSIT]):
            announce_paid(payment, deposit_pg_cno=record.pg_cno)

    return apply


def _deposit_cancelled(record, payment, data):
    """31: the bank reversed a deposit. Not a move the code makes on its own (states.py)."""
    logger.error("노티 31: the deposit for %s was cancelled by the bank", payment)
    raise _Outcome(N.IGNORED, "은행이 입금을 취소함: 확인 필요")


HANDLERS = {"10": _approval, "20": _cancel, "30": _deposit, "31": _deposit_cancelled}


def _won(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None
