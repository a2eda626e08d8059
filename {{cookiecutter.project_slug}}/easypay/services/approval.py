"""The return from the payment window (§4) and the approval (§5): claim → call → apply.

1. claim (short transaction): pending → approving with a conditional UPDATE, and the PgCall
   with a fresh shopTransactionId and the KST date committed with it (integrity rule 2). Only
   one return can win the claim, so a repeated or concurrent return approves once (rule 5).
2. call approve with no transaction open and no row locked (rule 5). The client checks the
   answer: msgAuthValue (§5.3), echoes, and amount against the amount the server set (rule 1).
3. apply (short transaction). If the local write fails after KICC approved, the approval is
   voided at KICC (rule 4); an answer that cannot be believed is voided too (rule 1); no
   answer at all leaves the payment unknown for reconcile (rule 3) — never failed.
"""

import logging
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from easypay import kst
from easypay import validation as check
from easypay.client import SUCCESS, get_client, new_shop_transaction_id
from easypay.exceptions import (
    Declined,
    InvalidRequest,
    OutcomeUnknown,
    RequestNotSent,
    Untrusted,
)
from easypay.fields import without_nul
from easypay.models import PgCall, get_payment_model
from easypay.signals import payment_approved
from easypay.states import PaymentStatus

from . import confirmation
from .cancellation import void_approval
from .errors import PaymentNotFound, ReturnRefused
from .records import call_of, close_call, open_call
from .transitions import announce, fail, move

logger = logging.getLogger("easypay.services")

S = PaymentStatus
SETTLED = (S.PAID, S.AWAITING_DEPOSIT, S.PARTIALLY_CANCELLED, S.CANCELLED)
WAITING_FOR_DEPOSIT = "TS07"

NOT_COMPLETED = _("결제가 완료되지 않았습니다.")
BAD_RETURN = _("결제 인증 정보가 올바르지 않습니다.")
NOT_SENT = _("결제 서버에 연결하지 못했습니다. 다시 시도해 주세요.")
AMOUNT_MISMATCH = _("승인 금액이 주문 금액과 달라 결제를 취소했습니다.")
UNTRUSTED = _("결제 응답을 확인할 수 없어 결제를 취소했습니다.")
LOCAL_ERROR = _("결제 정보를 저장하지 못해 결제를 취소했습니다.")


def handle_return(token: str, fields: Mapping[str, str]):
    """The window's POST (or GET) to returnUrl. The fields are hints, not facts (rule 7): they
    can fail a pending payment and nothing else; only KICC's approval answer pays one.
    Returns the payment in its new state."""
    # Any byte a browser can send arrives here; NUL is the one no database text column takes.
    fields = {str(key): without_nul(str(value)) for key, value in fields.items()}
    payment = get_payment_model()._default_manager.filter(public_token=str(token)).first()
    if payment is None:
        raise PaymentNotFound(_("결제를 찾을 수 없습니다."))
    if fields.get("shopOrderNo") != payment.shop_order_no:
        logger.warning("return for %s names order %r", payment, fields.get("shopOrderNo"))
        raise ReturnRefused(_("결제 정보가 일치하지 않습니다."))

    res_cd = str(fields.get("resCd") or "")
    if res_cd != SUCCESS:
        # The buyer cancelled, the card was declined in the window, or the window failed.
        # KICC defines no codes for these (§4): any resCd but "0000" just means "not authenticated".
        message = str(fields.get("resMsg") or NOT_COMPLETED)[:500]
        if not fail(
            payment,
            expected=[S.PENDING],
            code=res_cd or "no_result",
            message=message,
            stage="return",
        ):
            payment.refresh_from_db()  # moved meanwhile by someone else: show what they did
        return payment

    if payment.status != S.PENDING:
        return payment  # a repeated return: the first one already decided
    authorization_id = str(fields.get("authorizationId") or "")
    if not check.KEY.fullmatch(authorization_id):
        if not fail(
            payment,
            expected=[S.PENDING],
            code="no_authorization",
            message=BAD_RETURN,
            stage="return",
        ):
            payment.refresh_from_db()
        return payment

    pg_call = claim(payment, authorization_id)
    if pg_call is not None:
        approve(payment, pg_call)
    if pg_call is None or payment.status == S.APPROVING:
        # Another return (or the expiry) won the claim, or our answer was applied by another
        # path: the row knows. Otherwise move() already left the instance as the row is.
        payment.refresh_from_db()
    return payment


def claim(payment, authorization_id: str) -> PgCall | None:
    """pending → approving and the approve call's key + KST date, in one short transaction.
    None when another return (or the expiry) got there first."""
    with transaction.atomic():
        if not move(payment, S.APPROVING, expected=[S.PENDING], authorization_id=authorization_id):
            return None
        return open_call(
            payment,
            PgCall.Kind.APPROVE,
            key=new_shop_transaction_id(),
            day=kst.today(),  # rule 6: KICC's day, whatever the server's time zone
            request={"shopOrderNo": payment.shop_order_no, "authorizationId": authorization_id},
        )


def approve(payment, pg_call: PgCall) -> None:
    """Send the claimed approval — outside any transaction — and act on the answer.

    Anything unexpected once the call has started (a bug parsing the answer, a database
    error while recording it) may come after KICC approved: the call is closed as unknown and
    the payment left unknown for reconcile (rule 3) — never "not sent", never failed — and
    the buyer sees the "checking" page instead of an error."""
    try:
        _approve(payment, pg_call)
    except Exception as error:
        logger.exception("approval of %s: unexpected failure, outcome unknown", payment)
        with transaction.atomic():
            PgCall.objects.filter(pk=pg_call.pk, outcome=PgCall.Outcome.PENDING).update(
                outcome=PgCall.Outcome.UNKNOWN,
                error=f"unexpected {type(error).__name__}: {error}"[:2000],
                finished_at=timezone.now(),
            )
            move(payment, S.UNKNOWN, expected=[S.APPROVING])


def _approve(payment, pg_call: PgCall) -> None:
    try:
        result = get_client().approve(
            shop_transaction_id=pg_call.shop_transaction_id,
            authorization_id=payment.authorization_id,
            shop_order_no=payment.shop_order_no,
            approval_req_date=pg_call.request_date,
            expected_amount=payment.amount,  # rule 1: the server's amount, never the browser's
        )
    except Declined as error:
        with transaction.atomic():
            close_call(pg_call, error.call)
            fail(
                payment,
                expected=[S.APPROVING],
                code=error.res_cd,
                message=error.res_msg or NOT_COMPLETED,
                stage="approval",
            )
        return
    except (RequestNotSent, InvalidRequest) as error:
        # Nothing reached KICC, so nothing was approved: a definite failure.
        with transaction.atomic():
            close_call(pg_call, call_of(error), error=str(error))
            fail(
                payment, expected=[S.APPROVING], code="not_sent", message=NOT_SENT, stage="approval"
            )
        return
    except OutcomeUnknown as error:
        logger.warning("approval of %s: outcome unknown: %s", payment, error)
        with transaction.atomic():
            close_call(pg_call, error.call)
            move(payment, S.UNKNOWN, expected=[S.APPROVING])
        return
    except Untrusted as error:
        close_call(pg_call, error.call)
        if not error.pg_cno:
            # No transaction number to cancel: money may have moved → unknown; reconcile
            # looks it up with this call's key (§7) and voids it if it must.
            logger.error("approval of %s: untrusted answer without pgCno: %s", payment, error)
            move(payment, S.UNKNOWN, expected=[S.APPROVING])
            return
        message = AMOUNT_MISMATCH if error.reason == "amount_mismatch" else UNTRUSTED
        amount = getattr(error.result, "amount", 0) or payment.amount
        void_approval(
            payment,
            pg_cno=error.pg_cno,
            amount=amount,
            code=error.reason,
            message=message,
            stage="approval",
        )
        return
    apply_approval(payment, result, pg_call=pg_call, stage="approval")


def apply_approval(payment, result, *, pg_call=None, stage: str) -> None:
    """Record a trusted approval: paid (card…), awaiting_deposit (virtual account issued) or
    paid (deposit already made). Idempotent: a 노티 10 or reconcile may have applied the same
    approval first. If the local write fails, the approval is voided at KICC (rule 4)."""
    try:
        with transaction.atomic():
            if pg_call is not None:
                close_call(pg_call, result.call)
            moved = _record_approval(payment, result)
    except Exception:  # any failure to record it: KICC must not keep the money (rule 4)
        # The block rolled back, and with it the signal it had queued: nothing was announced.
        logger.exception("could not record approval %s of %s", result.pg_cno, payment)
        void_approval(
            payment,
            pg_cno=result.pg_cno,
            amount=result.amount,
            code="local_error",
            message=LOCAL_ERROR,
            stage=stage,
        )
        return
    if moved:
        return
    payment.refresh_from_db()
    if payment.pg_cno == result.pg_cno and payment.status in SETTLED:
        return  # already applied by a 노티 10 or reconcile
    logger.error(
        "approval %s arrived for %s, which is %s: voiding it",
        result.pg_cno,
        payment,
        payment.status,
    )
    void_approval(
        payment,
        pg_cno=result.pg_cno,
        amount=result.amount,
        code="late_approval",
        message=UNTRUSTED,
        stage=stage,
    )


def _record_approval(payment, result) -> bool:
    fields = {
        "pg_cno": result.pg_cno,
        "pay_method_type_code": result.pay_method_type_code[:2],
        "approval_no": result.approval_no[:100],
        "method_details": result.method_details.as_dict(),  # masked: safe to keep and show
    }
    if result.card is not None:
        fields["card_no_masked"] = result.card.masked_number[:40]
        fields["card_issuer_name"] = result.card.issuer_name[:50]
    target = S.PAID
    if is_virtual_account(result):
        account = result.virtual_account
        if account is not None:
            fields.update(
                va_bank_code=account.bank_code[:3],
                va_bank_name=account.bank_name[:20],
                va_account_no=account.account_no[:40],
                va_depositor_name=account.depositor_name[:50],
                va_expires_at=_expiry(account.expiry_date),
            )
        if result.status_code not in confirmation.DEPOSITED:
            target = S.AWAITING_DEPOSIT
    moved = move(payment, target, expected=[S.APPROVING, S.UNKNOWN], **fields)
    if moved and target == S.PAID:
        announce_paid(payment)
    return moved


def announce_paid(payment, **extra) -> None:
    """payment_approved: pg_tid is KICC's pgCno (what a cancel needs), auth_id the window's
    authorizationId; approval_no (the card approval number) rides along for receipts."""
    announce(
        payment_approved,
        payment,
        pg_tid=payment.pg_cno,
        auth_id=payment.authorization_id,
        approval_no=payment.approval_no,
        **extra,
    )


def is_virtual_account(result) -> bool:
    # §10.1: 22 = virtual account; §10.4: TS07 = waiting for deposit (TS07 on approval is
    # inferred, not observed — §14 — so the method code decides too).
    return result.pay_method_type_code == "22" or result.status_code == WAITING_FOR_DEPOSIT


def _expiry(text: str):
    """virtualAccountInfo.expiryDate: yyyyMMddHHmmss in KST (String 14, §5.2), or yyyyMMdd."""
    try:
        if len(text) == 14:
            return kst.parse_datetime_text(text)
        if len(text) == 8:
            return kst.parse_datetime_text(text + "235959")
    except ValueError:
        pass
    return None
