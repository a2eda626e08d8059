"""노티 (KICC's webhooks, §8.1): store raw first, dedupe, confirm, apply, ack.

- Every delivery is stored before anything else (dj-stripe's habit), its bytes exactly as they
  came: the evidence survives a crash, a bug in the handling, or a body no text column holds.
- Only EASYPAY_NOTI_ALLOWED_IPS may send them (§2); others are stored as ignored and refused.
- KICC resends until acked, even after we processed one (§8.1): the Notification table's
  partial unique constraint lets one row per (pgCno, notiType, cancelPgCno) be "processed",
  in the same transaction as the change it causes — so a 노티 is applied once, however many
  copies arrive at once, and every copy is acked.
- A 노티 carries no signature, so one that would move money gets the suspicion a return gets:
  it must fit the payment (mall, amounts within what was paid, a status that fits), and KICC
  must confirm it through our own key (retrieveTransaction, §7; confirmation.py). Balances
  are checked again under the payment's row lock when it is applied. What KICC cannot confirm
  is held ("held", acked): reconcile reports it until a person applies or dismisses it with
  the figures of KICC's merchant console (admin). Nothing is applied on the sender's word.
- The ack {"resCd": "0000"} is returned only after the transaction committed; "5001" asks
  KICC to send it again (§8.1) when the handling failed or the answer is not known yet (a
  payment still approving, KICC's status query not answering).
"""

import logging
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from easypay import methods
from easypay.client import FULL_CANCEL, SUCCESS
from easypay.models import Cancellation, Notification, get_payment_model
from easypay.results import ApprovalResult
from easypay.states import PaymentStatus

from . import confirmation, sources
from .approval import SETTLED, announce_paid
from .cancellation import (
    CANCELLABLE,
    IN_FLIGHT,
    CancelFigures,
    apply_cancellation,
    resolve_cancellation,
    void_approval,
)
from .errors import ForbiddenSource
from .reconciliation import (
    ReconcileReport,
    beyond_status_window,
    reconcile,
    settle_cancellation,
)
from .transitions import lock, move

logger = logging.getLogger("easypay.services.noti")

S = PaymentStatus
N = Notification.Status
ACK = {"resCd": SUCCESS, "resMsg": "SUCCESS"}
RESEND = {"resCd": "5001", "resMsg": "FAIL"}  # §8.1: "failed, please resend"
KEPT_HEADERS = ("content-type", "content-length", "user-agent", "x-forwarded-for")
MAX_BODY = 64 * 1024
TRANSIENT = (S.APPROVING, S.UNKNOWN)  # the approval is still being decided


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
        raw_body=bytes(body[:MAX_BODY]),
        headers={k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS},
        remote_addr=ip,
    )
    if not sources.noti_source_allowed(ip):
        logger.warning("노티 %s from %s refused: not on EASYPAY_NOTI_ALLOWED_IPS", record.pk, ip)
        _mark(record, N.IGNORED, "허용되지 않은 IP에서 온 노티")
        raise ForbiddenSource(_("허용되지 않은 IP입니다."))
    try:
        status = _process(record)
    except Exception as error:
        logger.exception("노티 %s could not be processed", record.pk)
        try:
            _mark(record, N.FAILED, f"{type(error).__name__}: {error}")
        except Exception:
            logger.exception("노티 %s: could not even record the failure", record.pk)
        return RESEND
    return RESEND if status == N.FAILED else ACK


def retry_failed(report, *, limit: int = 50) -> None:
    """Handle again the 노티 whose handling failed (5001) and that KICC may have stopped
    resending (10 tries, §8.1): the latest copy of each, once per reconcile run. What still
    fails — or a later copy settled — is reported or dropped from the report accordingly."""
    failed = (
        Notification.objects.filter(status=N.FAILED, noti_type__in=HANDLERS, payment__isnull=False)
        .without_copies_in(SETTLED_COPIES)
        .order_by("-received_at")
    )
    seen = set()
    for record in failed:
        key = (record.pg_cno, record.noti_type, record.cancel_pg_cno)
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > limit:
            report.unresolved.append(f"처리하지 못한 노티가 {limit}건을 넘음: 다음 실행에서 계속")
            return
        try:
            status = _process(record)
        except Exception as error:
            logger.exception("노티 %s could not be processed again", record.pk)
            _mark(record, N.FAILED, f"{type(error).__name__}: {error}")
            status = N.FAILED
        if status == N.FAILED:
            report.unresolved.append(
                f"{record.shop_order_no}: 노티 {record.noti_type} ({record.pk}) 처리 실패 — "
                f"{record.error}"
            )


# A 노티 with a copy that was applied, held for a person, or dismissed by one: nothing is
# left to retry.
SETTLED_COPIES = (N.PROCESSED, N.HELD, N.DISMISSED)


def _process(record) -> str:
    text = record.parsed_body()
    if text is None:
        return _mark(record, N.FAILED, "JSON 객체가 아님 (§8.1)")
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
    # A failure 노티 is news too, but only 51 (a refund the bank refused, resCd 5413 inside the
    # 노티, §8.1) is one the shop acts on; the others are recorded for a person.
    if text.get("resCd") != SUCCESS and record.noti_type != "51":
        logger.error(
            "노티 %s reports a failure: %r %r", record.pk, text.get("resCd"), text.get("resMsg")
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
    decides between concurrent copies — the loser rolls back and is a duplicate. An apply
    that finds, under the payment's lock, that the 노티 no longer fits raises _Outcome: it
    rolls back too and is recorded as that outcome."""
    try:
        with transaction.atomic():
            if apply is not None:
                apply()
            _mark(record, N.PROCESSED)
    except _Outcome as outcome:
        return _mark(record, outcome.status, outcome.error)
    except IntegrityError:
        if not _already_processed(record):
            raise
        return _mark(record, N.DUPLICATE)
    return N.PROCESSED


def _already_processed(record) -> bool:
    return Notification.objects.copies_of(record, (N.PROCESSED,)).exists()


def _mark(record, status: str, error: str = "") -> str:
    record.status = status
    record.error = error
    record.processed_at = timezone.now()
    record.save(update_fields=["status", "error", "processed_at"])
    return status


def _hold(record, why: str):
    """Money would move on this 노티's word alone: keep it for a person (and ack it — it is
    stored and reported; a resend would be held again)."""
    logger.error("노티 %s (%s) for %s held: %s", record.pk, record.noti_type, record.payment, why)
    raise _Outcome(N.HELD, f"{why} — KICC 관리자 화면에서 확인 후 반영 또는 무시")


def _settle_approval_first(record, payment):
    """A 노티 about a payment whose approval is still being decided: ask KICC about the
    approval first (our own key, §7); if it is still open, have KICC send the 노티 again."""
    if payment.status not in TRANSIENT:
        return payment
    reconcile(payment, report=ReconcileReport(), force=True)
    payment.refresh_from_db()
    if payment.status in TRANSIENT:
        raise _Outcome(N.FAILED, "승인 결과를 아직 확인하지 못함: 재전송 요청")
    return payment


def _kicc_confirms(record, payment, statuses, what: str) -> None:
    """KICC's status query must show `statuses` (confirmation.py); otherwise resend (KICC did
    not answer) or hold (it cannot tell, or tells otherwise)."""
    status = confirmation.approval_status(payment)
    if status.ask_again:
        raise _Outcome(N.FAILED, f"{status.why}: 재전송 요청")
    if not status.shows(statuses):
        _hold(record, f"KICC 조회로 {what} 확인할 수 없음 ({status.why or status.status_code})")


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
    # Another approval for an order that already has one: the buyer may be charged twice.
    _hold(record, f"{payment.get_status_display()} 상태 결제의 다른 승인 노티 (이중 결제?)")


LATE_APPROVAL = _("결제 실패 후 도착한 승인을 취소했습니다.")


def _void_late_approval(record, payment):
    """A 노티 10 for an order the buyer was told had failed: KICC says the money moved.

    Voided at KICC (a full 40 cancel, kept as a Cancellation) rather than answered 5001: the
    buyer was told nothing was charged and was never given the order, which is the mismatch
    KICC's integrity rules answer with an immediate cancel (§11 rules 1–3); a
    5001 would only make KICC resend ten times (§8.1) while the money stays held.

    The 노티 alone is not believed (§8.1 notis carry no signature): KICC is asked with our own
    approve call's key (§7), and only the approval it names under that key is voided — so a
    forged or stray 노티 can never cancel another order. When KICC cannot confirm it (no
    approve call, past the retrieve window, no answer, another pgCno), the 노티 is answered
    5001 and logged as an error for a person, and KICC resends it (§8.1)."""
    pg_call = confirmation.approve_call(payment)
    if pg_call is None or not confirmation.queryable(pg_call):
        return _unconfirmed(record, payment, "승인 호출이 없거나 조회 기간(§7)이 지남")
    asked = confirmation.retrieve_approval(payment, pg_call)
    if asked.error is not None:
        return _unconfirmed(record, payment, f"KICC 조회로 확인되지 않음 ({asked.error})")
    result = asked.result
    if not isinstance(result, ApprovalResult) or result.pg_cno != record.pg_cno:
        return _unconfirmed(record, payment, "KICC 조회 결과가 노티의 거래번호와 다름")
    if result.status_code in confirmation.CANCELLED:
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
    """20: a cancel. Ours (its revise answer already applied, or still in flight), or one made
    in KICC's console, which only this 노티 tells us about."""
    # A cancel can reach KICC's console before our approve call's answer reached us (found by
    # the chaos run): the approval is settled first, so its pgCno is known when we compare.
    payment = _settle_approval_first(record, payment)
    if not record.cancel_pg_cno or record.pg_cno not in _transactions_of(payment):
        _hold(record, "결제의 PG 거래번호와 다른 취소 노티")
    if Cancellation.objects.filter(cancel_pg_cno=record.cancel_pg_cno).exists():
        return None
    in_flight = payment.cancellations.filter(status__in=IN_FLIGHT).select_related(
        "pg_call", "payment"
    )
    report = ReconcileReport()
    for cancellation in in_flight:
        settle_cancellation(cancellation, timezone.now(), report)  # in doubt: ask KICC
    if Cancellation.objects.filter(cancel_pg_cno=record.cancel_pg_cno).exists():
        return None
    # Settled on the 노티's figures only when KICC's status query can no longer say (§7):
    # while it can, it has just been asked, and a cancel it does not show as done waits for it
    # (5001 below). Never a refund KICC took for the bank (accepted, RF01): only its 50 or 51,
    # confirmed with its own key, ends it.
    stuck = (
        in_flight.filter(pg_cno=record.pg_cno).exclude(status=Cancellation.Status.ACCEPTED).first()
    )
    if stuck is not None and beyond_status_window(stuck):
        return _settle_stuck_cancel(record, stuck, data)
    if payment.cancellations.filter(status__in=IN_FLIGHT).exists():
        raise _Outcome(N.FAILED, "진행 중인 취소의 결과를 아직 모름: 재전송 요청")
    return _external_cancel(record, payment, data)


def _transactions_of(payment) -> set[str]:
    """The KICC transactions this payment knows: its approval, and any it voided."""
    return {payment.pg_cno, *payment.cancellations.values_list("pg_cno", flat=True)} - {""}


def _settle_stuck_cancel(record, cancellation, data):
    """Our own cancel, whose answer never came and which KICC can no longer be asked about
    (past §7's window: beyond_status_window): the 노티 names its transaction and reports
    exactly the cancel we asked for (amount and what is left), so it settles it. Anything else
    about it keeps it open (KICC resends)."""
    amount, remain = _won(data.get("cancelAmount")), _remainder(data)
    expected_remain = cancellation.remaining_before - cancellation.amount
    if amount != cancellation.amount or remain not in (None, expected_remain):
        raise _Outcome(N.FAILED, f"진행 중인 취소 {cancellation.pk}와 금액이 다른 취소 노티")
    logger.warning("노티 %s settles cancel %s (no answer from KICC)", record.pk, cancellation.pk)
    figures = CancelFigures(record.cancel_pg_cno, expected_remain)

    def apply():
        resolve_cancellation(cancellation, figures, notification=record, stage="notification")

    return apply


def _external_cancel(record, payment, data):
    """A cancel made outside the shop (KICC's console). It must fit the payment, and KICC's
    status query must show a cancel; it is applied under the payment's lock, after checking
    the balance again — so concurrent 노티 can never record more than was paid. Only _cancel
    calls it, once the approval is settled (_settle_approval_first)."""
    if payment.status == S.FAILED:
        return _console_void(record, payment, data)
    if payment.status not in CANCELLABLE:
        _hold(record, f"{payment.get_status_display()} 상태 결제의 취소 노티")
    amount = _won(data.get("cancelAmount"))
    remain = _remainder(data)
    status_code = data.get("statusCode", "")
    if amount is None or amount <= 0 or amount > payment.remaining_amount:
        _hold(record, f"취소 금액 {data.get('cancelAmount')!r}이(가) 잔액과 맞지 않음")
    if (
        remain is None
        and amount == payment.remaining_amount
        and status_code in confirmation.CANCELLED
    ):
        remain = 0  # a full cancel that does not repeat "nothing left"
    if remain is None:
        # A partial cancel must say what is left, or concurrent copies of made-up cancels
        # could each pass the balance check one by one.
        _hold(record, "취소 후 잔액(remainAmount)이 없는 취소 노티")
    full = remain == 0
    if status_code and status_code not in (
        confirmation.CANCELLED if full else confirmation.PARTIALLY_CANCELLED
    ):
        _hold(record, f"취소 노티의 상태 {status_code}가 금액과 맞지 않음")
    _kicc_confirms(
        record,
        payment,
        confirmation.CANCELLED
        if full
        else confirmation.CANCELLED | confirmation.PARTIALLY_CANCELLED,
        "취소를",
    )

    def apply():
        current = lock(payment)
        remaining = current.remaining_amount
        if current.status not in CANCELLABLE or amount > remaining or remain != remaining - amount:
            raise _Outcome(
                N.HELD,
                f"취소 노티 {amount}원(잔액 {remain}원)이 현재 잔액 {remaining}원과 맞지 않음 — "
                "KICC 관리자 화면에서 확인 후 반영 또는 무시",
            )
        apply_cancellation(
            record_kicc_cancel(record, current, amount, remaining), stage="notification"
        )

    return apply


def _console_void(record, payment, data):
    """A failed order's approval cancelled in KICC's console — what a person does when KICC
    refused our own void (reconcile reports it): record it, so the report stops. The order
    stays failed; no payment_cancelled (it was never paid in the buyer's eyes)."""
    amount = _won(data.get("cancelAmount"))
    refused = (
        payment.cancellations.filter(
            origin=Cancellation.Origin.SYSTEM, status=Cancellation.Status.FAILED
        )
        .order_by("-created_at")
        .first()
    )
    if refused is None or amount != refused.amount:
        _hold(record, "실패한 결제의 취소 노티")
    _kicc_confirms(record, payment, confirmation.CANCELLED, "취소를")

    def apply():
        record_kicc_cancel(record, payment, amount, remaining=amount)

    return apply


def record_kicc_cancel(record, payment, amount, remaining, *, reason="KICC 노티 20"):
    """A cancel KICC reports in a 노티 20 (made in its console): a done Cancellation of
    `amount` out of `remaining`, full (40) when nothing is left, else the method's partial code."""
    left = remaining - amount
    return Cancellation.objects.create(
        payment=payment,
        pg_cno=record.pg_cno,
        revise_type_code=FULL_CANCEL
        if left == 0
        else methods.partial_cancel_code(payment.pay_method_type_code) or "32",
        amount=amount,
        remaining_before=remaining,
        remaining_after=left,
        reason=reason,
        origin=Cancellation.Origin.PG,
        notification=record,
        status=Cancellation.Status.DONE,
        cancel_pg_cno=record.cancel_pg_cno,
        finished_at=timezone.now(),
    )


def _deposit(record, payment, data):
    """30: a virtual-account deposit. pgCno is the deposit's number; tlfSno names the account's
    issuing transaction, the payment's pg_cno (§8.1). It must name exactly what was issued,
    and KICC's status query must show the deposit (TS08) — else it is held for a person."""
    payment = _settle_approval_first(record, payment)
    if payment.status == S.PAID and payment.pg_cno == data.get("tlfSno"):
        return None  # already applied (the constraint also catches a copy with another pgCno)
    if payment.status != S.AWAITING_DEPOSIT:
        _hold(
            record, f"{payment.get_status_display()} 상태 결제에 입금 노티: 환불이 필요할 수 있음"
        )
    account = data.get("accountNo")
    if (
        data.get("tlfSno") != payment.pg_cno
        or _won(data.get("amount")) != payment.amount
        or (account and payment.va_account_no and account != payment.va_account_no)
    ):
        _hold(record, "가상계좌 거래번호, 계좌 또는 금액이 발급 내역과 맞지 않음")
    _kicc_confirms(record, payment, confirmation.DEPOSITED, "입금을")

    def apply():
        if move(payment, S.PAID, expected=[S.AWAITING_DEPOSIT]):
            announce_paid(payment, deposit_pg_cno=record.pg_cno)

    return apply


def _deposit_cancelled(record, payment, data):
    """31: the bank reversed a deposit. Not a move the code makes on its own (states.py)."""
    logger.error("노티 31: the deposit for %s was cancelled by the bank", payment)
    _hold(record, "은행이 입금을 취소함")


def _refund_done(record, payment, data):
    """50: a deferred refund paid out by the bank (RF02)."""
    return _refund_news(record, payment, Cancellation.Status.DONE, "환불 완료")


def _refund_failed(record, payment, data):
    """51: the bank refused the refund account (§8.1, resCd 5413): nothing was paid out."""
    return _refund_news(record, payment, Cancellation.Status.FAILED, "환불 실패")


def _refund_news(record, payment, outcome: str, what: str):
    """What KICC says of our own refund, asked with its key (a status query, or refundQueryFlag
    after VTIM/VT00: reconcile's settle_cancellation) — the 노티 applies nothing itself."""
    refund = (
        payment.cancellations.filter(cancel_pg_cno=record.cancel_pg_cno).first()
        if record.cancel_pg_cno
        else None
    ) or payment.cancellations.filter(pg_cno=record.pg_cno, status__in=IN_FLIGHT).first()
    if refund is None or not refund.is_refund:
        _hold(record, f"{what} 노티에 맞는 환불 요청이 없음 (KICC 관리자에서 한 환불?)")
    if refund.status == outcome:
        return None  # already known
    if refund.status in IN_FLIGHT:
        settle_cancellation(refund, timezone.now(), ReconcileReport())
        refund.refresh_from_db()
    if refund.status == outcome:
        refund.notification = record
        return partial(refund.save, update_fields=["notification"])
    if refund.status in IN_FLIGHT:
        raise _Outcome(N.FAILED, f"KICC가 아직 {what}을 확인해 주지 않음: 재전송 요청")
    _hold(record, f"{what} 노티와 KICC의 답이 다름 (환불 {refund.pk}: {refund.status})")


HANDLERS = {
    "10": _approval,
    "20": _cancel,
    "30": _deposit,
    "31": _deposit_cancelled,
    "50": _refund_done,
    "51": _refund_failed,
}


def _won(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _remainder(data) -> int | None:
    """What is left after the cancel: §8.1 lists remainAmount and cancelRemainAmount."""
    for name in ("cancelRemainAmount", "remainAmount"):
        if str(data.get(name) or "").strip():
            return _won(data.get(name))
    return None
