"""Cancels and refunds (§6): what the shop asks for (cancel: full 40, partial 32/33; refund to a
bank account: 60/62/63), and the automatic void of an approval the shop cannot keep
(integrity rules 1 and 4: cancel 40 at once).

Claim → call → apply, like approval: the Cancellation and its PgCall (key + KST date) are
committed before revise is sent, no row lock is held during the call, and the outcome is
applied in a second short transaction. One cancel at a time per KICC transaction, whoever asks
(a unique constraint on Cancellation, and a polite check first): remainAmount is always exact
(§6.1), concurrent partial cancels never add up to more than was paid, and an approval is
voided once however many paths find that it must be. A cancel is applied to the payment only
under the payment's row lock, after checking that it fits the balance.
"""

import ipaddress
import logging
from dataclasses import dataclass
from typing import cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from easypay import kst, methods
from easypay import validation as check
from easypay.client import (
    FULL_CANCEL,
    RefundAccount,
    get_client,
    new_shop_transaction_id,
)
from easypay.exceptions import (
    Declined,
    InvalidRequest,
    OutcomeUnknown,
    RequestNotSent,
    Untrusted,
)
from easypay.models import AdminAuditLog, Cancellation, PgCall
from easypay.signals import payment_cancelled
from easypay.states import PaymentStatus

from .errors import CancelDeclined, CancelRefused
from .records import call_of, close_call, open_call
from .transitions import announce, fail, lock, move

logger = logging.getLogger("easypay.services")

S = PaymentStatus
IN_FLIGHT = Cancellation.IN_FLIGHT
CANCELLABLE = (S.PAID, S.PARTIALLY_CANCELLED, S.AWAITING_DEPOSIT)


def cancel(payment, *, amount=None, reason: str, actor=None, client_ip=None) -> Cancellation:
    """Cancel all (amount None or the whole balance → 40) or part of a payment (32/33).

    Raises CancelRefused before any PG call when the state, amount or reason is wrong, or
    another cancel of this payment is in flight; CancelDeclined when KICC refuses. Returns
    the Cancellation: "done" (the payment moved, payment_cancelled sent after commit) or
    "unknown" (no answer: reconcile asks KICC with this cancel's key, §11 rule 6).
    """
    return _revise(payment, lambda fresh: _plan_cancel(fresh, amount), reason, actor, client_ip)


def refund(
    payment,
    *,
    account: RefundAccount,
    amount=None,
    reason: str,
    real_time: bool = True,
    actor=None,
    client_ip=None,
) -> Cancellation:
    """Pay all (amount None) or part of a payment back into the buyer's bank account (§6.3):
    what undoes a deposited virtual account or a mobile payment (easypay.methods.refundable).

    real_time: 63, paid out at once (RF02 → "done"), or, when the bank does not answer in
    time (VTIM / VT00), "unknown" until reconcile asks with refundQueryFlag — never a second
    refund. Deferred: 60/62, taken by KICC (RF01 → "accepted") and paid out by the bank the
    next day: 노티 50 (→ "done") or 51 (the bank refused the account → "failed"; refund again
    to another account). Refused and declined as cancel() is.
    """
    try:
        account.refund_info()  # the account's own checks, before anything is claimed
    except InvalidRequest as error:
        raise CancelRefused(
            _("환불 계좌를 확인해 주세요: %(problem)s") % {"problem": error}, code="bad_account"
        ) from None
    return _revise(
        payment,
        lambda fresh: _plan_refund(fresh, amount, account, real_time),
        reason,
        actor,
        client_ip,
    )


@dataclass(frozen=True)
class Plan:
    """What one revise call asks for (§6.1): its code, amount, and for a refund its sub-type
    and account."""

    revise_type_code: str
    amount: int
    sub_type: str = ""
    account: RefundAccount | None = None


def _revise(payment, planner, reason, actor, client_ip) -> Cancellation:
    reason = _valid_reason(reason)
    client_ip = _ip_or_none(client_ip)
    cancellation = _claim(payment, planner, reason, actor, client_ip)
    pg_call = cast(PgCall, cancellation.pg_call)  # _reserve made it with one
    try:
        result = get_client().revise(
            shop_transaction_id=pg_call.shop_transaction_id,
            pg_cno=payment.pg_cno,
            revise_type_code=cancellation.revise_type_code,
            revise_sub_type_code=cancellation.revise_sub_type_code or None,
            cancel_req_date=pg_call.request_date,
            amount=cancellation.amount if cancellation.is_partial else None,
            remain_amount=cancellation.remaining_before,
            message=reason,
            client_ip=client_ip,
            refund_account=refund_account_of(cancellation),
            pay_method_type_code=payment.pay_method_type_code or None,
        )
    except (Declined, RequestNotSent, InvalidRequest) as error:
        _settle(cancellation, pg_call, error, Cancellation.Status.FAILED)
        message = getattr(error, "res_msg", "") or _("취소 요청을 보내지 못했습니다.")
        raise CancelDeclined(
            _("KICC가 취소를 처리하지 않았습니다: %(message)s") % {"message": message},
            cancellation=cancellation,
            code=getattr(error, "res_cd", "not_sent"),
        ) from error
    except (OutcomeUnknown, Untrusted) as error:
        # A refund answered VTIM / VT00 lands here too (error.refund_query_needed): in doubt,
        # never refused — reconcile asks KICC with refundQueryFlag instead of refunding again.
        logger.warning("cancel %s of %s: outcome unknown: %s", cancellation.pk, payment, error)
        _settle(cancellation, pg_call, error, Cancellation.Status.UNKNOWN)
        return cancellation
    apply_answer(cancellation, result, pg_call=pg_call)
    cancellation.refresh_from_db()
    payment.refresh_from_db()
    return cancellation


def refund_account_of(cancellation) -> RefundAccount | None:
    if not cancellation.is_refund:
        return None
    return RefundAccount(
        bank_code=cancellation.refund_bank_code,
        account_no=cancellation.refund_account_no,
        depositor_name=cancellation.refund_depositor_name,
    )


def _claim(payment, planner, reason, actor, client_ip) -> Cancellation:
    """The short transaction before the call: check, reserve (one in flight), record the key."""
    try:
        return _reserve(payment, planner, reason, actor, client_ip)
    except IntegrityError:
        # Another cancel (or a void) of this approval was claimed at the same moment: the
        # unique constraint decided, after the check below could not see it yet.
        raise CancelRefused(IN_FLIGHT_MESSAGE, code="in_flight") from None


IN_FLIGHT_MESSAGE = _("처리 중인 취소 요청이 있습니다. 잠시 후 다시 시도해 주세요.")


def _reserve(payment, planner, reason, actor, client_ip) -> Cancellation:
    with transaction.atomic():
        # The payment's row lock until this short transaction ends — never across the PG call.
        fresh = lock(payment)
        for column in fresh._meta.concrete_fields:  # the caller sees the payment as it is now
            setattr(payment, column.attname, getattr(fresh, column.attname))
        if payment.status not in CANCELLABLE:
            raise CancelRefused(_("취소할 수 없는 상태의 결제입니다."), code="not_cancellable")
        if payment.cancellations.filter(status__in=IN_FLIGHT).exists():
            raise CancelRefused(IN_FLIGHT_MESSAGE, code="in_flight")
        plan = planner(payment)
        pg_call = open_call(
            payment,
            PgCall.Kind.REVISE,
            key=new_shop_transaction_id(),
            day=kst.today(),
            request={"pgCno": payment.pg_cno, "reviseTypeCode": plan.revise_type_code},
        )
        account = plan.account
        info = account.refund_info() if account else {}  # checked in refund(): as sent
        cancellation = Cancellation.objects.create(
            payment=payment,
            pg_cno=payment.pg_cno,
            revise_type_code=plan.revise_type_code,
            revise_sub_type_code=plan.sub_type,
            amount=plan.amount,
            remaining_before=payment.remaining_amount,
            reason=reason,
            origin=Cancellation.Origin.ADMIN if actor else Cancellation.Origin.SHOP,
            requested_by=actor if getattr(actor, "pk", None) else None,
            pg_call=pg_call,
            refund_bank_code=info.get("refundBankCode", ""),
            refund_account_no=info.get("refundAccountNo", ""),
            refund_depositor_name=info.get("refundDepositName", ""),
        )
        if getattr(actor, "pk", None):
            AdminAuditLog.objects.create(
                actor=actor,
                actor_repr=str(actor)[:150],
                action="refund_requested" if account else "cancel_requested",
                payment=payment,
                detail={"cancellation": cancellation.pk, "amount": plan.amount, "reason": reason},
                remote_addr=client_ip,
            )
    return cancellation


def _plan_cancel(payment, amount) -> Plan:
    """A cancel of `amount` (None: everything left), or CancelRefused. Runs inside the claim."""
    remaining = _valid_amount(payment, amount)
    method = payment.pay_method_type_code
    if method == methods.VIRTUAL_ACCOUNT and payment.status != S.AWAITING_DEPOSIT:
        # Deposited money goes back to a bank account (60/62/63 + refundInfo, §6.3).
        raise CancelRefused(
            _(
                "입금된 가상계좌 결제는 취소가 아니라 환불합니다. '환불'에서 환불 계좌를 입력하세요."
            ),
            code="refund_needed",
        )
    if amount is None or amount == remaining:
        return Plan(FULL_CANCEL, remaining)
    if payment.status == S.AWAITING_DEPOSIT:
        raise CancelRefused(_("입금 전 가상계좌는 전체 취소만 할 수 있습니다."), code="partial_va")
    code = methods.partial_cancel_code(method)
    if code is None:
        raise CancelRefused(_("이 결제수단은 부분 취소를 할 수 없습니다."), code="no_partial")
    return Plan(code, amount)


def _plan_refund(payment, amount, account, real_time) -> Plan:
    """A refund of `amount` (None: everything left), or CancelRefused. Runs inside the claim."""
    remaining = _valid_amount(payment, amount)
    if not methods.refundable(payment.pay_method_type_code):
        raise CancelRefused(_("이 결제수단은 환불이 아니라 취소합니다."), code="not_refundable")
    if payment.status == S.AWAITING_DEPOSIT:
        raise CancelRefused(
            _("입금 전 가상계좌는 환불이 아니라 발급을 취소합니다 (전체 취소)."),
            code="not_deposited",
        )
    partial = amount is not None and amount < remaining
    code, sub_type = methods.refund_codes(partial=partial, real_time=real_time)
    return Plan(code, amount if partial else remaining, sub_type, account)


def _valid_amount(payment, amount) -> int:
    """What is left to cancel, after checking `amount` against it."""
    remaining = payment.remaining_amount
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
        raise CancelRefused(_("취소 금액은 원 단위 정수여야 합니다."), code="bad_amount")
    if amount is not None and amount <= 0:
        raise CancelRefused(_("취소 금액은 0원보다 커야 합니다."), code="bad_amount")
    if amount is not None and amount > remaining:
        raise CancelRefused(
            _("취소 가능 금액(%(remaining)s원)보다 많이 취소할 수 없습니다.")
            % {"remaining": f"{remaining:,}"},
            code="over_cancel",
        )
    return remaining


def _valid_reason(reason) -> str:
    try:
        return check.text("reason", reason or "", max_bytes=100, required=False)
    except InvalidRequest:
        raise CancelRefused(
            _("취소 사유는 100바이트 이내로, 특수문자(' \" < > \\ ; | &) 없이 적어 주세요."),
            code="bad_reason",
        ) from None


def _ip_or_none(value) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


def _settle(cancellation, pg_call, error, status) -> None:
    """Record a cancel that did not go through (failed) or whose outcome is unknown."""
    with transaction.atomic():
        close_call(pg_call, call_of(error), error=str(error))
        _finish(cancellation, status)
    cancellation.refresh_from_db()


def fail_cancellation(cancellation) -> bool:
    """An in-flight cancel that did not go through: failed — nothing moved, and it may be asked
    for again. Conditional: of the paths that may learn it, one writes it. Returns whether this
    call did. Only on a definite no (never for money that may have moved, rule 3)."""
    return _finish(cancellation, Cancellation.Status.FAILED)


def _finish(cancellation, status) -> bool:
    return bool(
        Cancellation.objects.filter(pk=cancellation.pk, status__in=IN_FLIGHT).update(
            status=status, finished_at=timezone.now()
        )
    )


# ------------------------------------------------------------------------------
# Applying a cancel KICC confirmed (revise answer, retrieve, 노티 20, or a person)
# ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CancelFigures:
    """What KICC did, as a 노티 20 or KICC's console reports it (not a revise answer)."""

    cancel_pg_cno: str
    remain_amount: int | None


def apply_answer(
    cancellation, result, *, pg_call=None, notification=None, stage: str = "reconcile"
) -> bool:
    """Act on what KICC answered about a cancel or refund (its revise answer, a status query,
    a refund query): done, taken by KICC for the bank to pay later (RF01, a deferred refund),
    or refused by the bank (RF03). Returns whether the payment's books changed. `stage`: see
    apply_cancellation."""
    status = getattr(result, "status_code", "")
    if status == methods.REFUND_REQUESTED:
        accept_refund(cancellation, result, pg_call=pg_call)
        return False
    if status == methods.REFUND_REFUSED:
        refuse_refund(cancellation, result, pg_call=pg_call, notification=notification)
        return False
    return resolve_cancellation(
        cancellation, result, pg_call=pg_call, notification=notification, stage=stage
    )


def accept_refund(cancellation, result, *, pg_call=None) -> bool:
    """A deferred refund KICC took (RF01): the amount is reserved there; the bank pays it out
    the next day (노티 50). Still in flight: nothing changes in the books until then."""
    with transaction.atomic():
        if pg_call is not None:
            close_call(pg_call, result.call)
        fields = {"status": Cancellation.Status.ACCEPTED}
        if result.cancel_pg_cno:
            fields["cancel_pg_cno"] = result.cancel_pg_cno
        return bool(
            Cancellation.objects.filter(
                pk=cancellation.pk,
                status__in=(Cancellation.Status.REQUESTED, Cancellation.Status.UNKNOWN),
            ).update(**fields)
        )


def refuse_refund(cancellation, result, *, pg_call=None, notification=None) -> bool:
    """The bank refused the refund account (RF03, 노티 51): nothing was paid out, the amount
    is refundable again — to another account, by a person."""
    with transaction.atomic():
        if pg_call is not None:
            close_call(pg_call, result.call)
        fields = {"status": Cancellation.Status.FAILED, "finished_at": timezone.now()}
        if notification is not None:
            fields["notification"] = notification
        refused = Cancellation.objects.filter(pk=cancellation.pk, status__in=IN_FLIGHT).update(
            **fields
        )
    if refused:
        logger.error(
            "refund %s of %s refused by the bank: refund again to another account",
            cancellation.pk,
            cancellation.payment,
        )
    return bool(refused)


def resolve_cancellation(
    cancellation, result, *, pg_call=None, notification=None, stage: str
) -> bool:
    """Mark an in-flight cancel done and apply it to the payment. Idempotent: the revise
    answer, a 노티 20 and reconcile may all bring the same news; only the first applies it
    (and only it sends payment_cancelled). Returns whether this call applied it.

    `result` says what KICC did: a ReviseResult, or CancelFigures (a 노티 20, KICC's console).
    `stage`: who settled it (apply_cancellation)."""
    with transaction.atomic():
        if pg_call is not None:
            close_call(pg_call, result.call)
        done = {
            "status": Cancellation.Status.DONE,
            "cancel_pg_cno": result.cancel_pg_cno,
            "remaining_after": result.remain_amount,
            "finished_at": timezone.now(),
        }
        if notification is not None:
            done["notification"] = notification
        updated = Cancellation.objects.filter(pk=cancellation.pk, status__in=IN_FLIGHT).update(
            **done
        )
        if not updated:
            return False
        cancellation.refresh_from_db()
        apply_cancellation(cancellation, stage=stage)
    return True


def apply_cancellation(cancellation, *, stage: str) -> bool:
    """Move the payment for a done cancel, under its row lock. Runs inside the caller's
    transaction. Returns whether the payment's books changed. `stage`: what settled the cancel
    ("reconcile", "notification", "manual"…), payment_failed's stage when a void fails the
    payment."""
    payment = lock(cancellation.payment)
    if cancellation.origin == Cancellation.Origin.SYSTEM and payment.status == S.FAILED:
        # The void of an approval that arrived for an order already failed (a late 노티 10, a
        # late answer): KICC gave the money back, and the order stays failed (states.py).
        return False
    if cancellation.origin == Cancellation.Origin.SYSTEM and payment.status in (
        S.APPROVING,
        S.UNKNOWN,
    ):
        # The void of an approval the shop could not keep: the order ends failed (states.py).
        return fail(
            payment,
            expected=[S.APPROVING, S.UNKNOWN],
            code=payment.failure_code or "voided",
            message=payment.failure_message or cancellation.reason,
            stage=stage,
        )
    if cancellation.pg_cno and cancellation.pg_cno != payment.pg_cno:
        # The void of another approval for this order (one the shop did not keep): the
        # payment's own balance is untouched.
        return False
    remaining = payment.remaining_amount
    if cancellation.amount > remaining or payment.status not in CANCELLABLE:
        logger.error(
            "cancel %s (%s원) done at KICC but payment %s is %s with %s원 left: needs a look",
            cancellation.pk,
            cancellation.amount,
            payment,
            payment.status,
            remaining,
        )
        return False
    full = not cancellation.is_partial or cancellation.amount == remaining
    if full:
        moved = move(
            payment, S.CANCELLED, expected=list(CANCELLABLE), cancelled_amount=payment.amount
        )
    else:
        moved = move(
            payment,
            S.PARTIALLY_CANCELLED,
            expected=[S.PAID, S.PARTIALLY_CANCELLED],
            cancelled_amount=payment.cancelled_amount + cancellation.amount,
        )
    if moved:
        announce(
            payment_cancelled,
            payment,
            cancel_type=cancellation.cancel_type,
            cancel_amount=cancellation.amount,
            # Beyond the seed's contract (receivers take **kwargs): a refund to a bank account,
            # and KICC's own code (40/32/33, 60/62/63).
            refund=cancellation.is_refund,
            revise_type_code=cancellation.revise_type_code,
            cancellation_id=cancellation.pk,  # one message per cancel, however often sent
        )
    cancellation.payment = payment  # the caller sees the payment as the cancel left it
    return moved


# ------------------------------------------------------------------------------
# Voiding an approval the shop cannot keep (integrity rules 1 and 4)
# ------------------------------------------------------------------------------
def void_approval(payment, *, pg_cno: str, amount: int, code: str, message, stage: str) -> None:
    """Cancel (40) an approval at KICC at once and fail the payment. When the void's own
    outcome is not a clear yes, the payment goes to unknown instead — money may be held —
    and reconcile finishes the job.

    Once per approval: the return, a 노티 10 and reconcile can each find that an approval
    must be voided, at the same moment. The claim (a Cancellation row under a unique
    constraint) lets one of them send the revise; the others leave it to that one."""
    message = str(message)
    amount = amount if amount and amount > 0 else payment.amount
    claimed = _claim_void(payment, pg_cno=pg_cno, amount=amount, code=code, message=message)
    if claimed is None:
        logger.info("void of %s for %s: already claimed by another path", pg_cno, payment)
        payment.refresh_from_db()
        return
    cancellation, pg_call = claimed
    logger.error("voiding approval %s of %s (%s): %s", pg_cno, payment, code, message)
    try:
        result = get_client().revise(
            shop_transaction_id=pg_call.shop_transaction_id,
            pg_cno=pg_cno,
            revise_type_code=FULL_CANCEL,
            cancel_req_date=pg_call.request_date,  # the date stored first (rule 2), read once
            message=cancellation.reason,
        )
    except (Declined, RequestNotSent, InvalidRequest, OutcomeUnknown, Untrusted) as error:
        certain_no = isinstance(error, Declined | RequestNotSent | InvalidRequest)
        status = Cancellation.Status.FAILED if certain_no else Cancellation.Status.UNKNOWN
        _settle(cancellation, pg_call, error, status)
        logger.error("void of %s for %s did not go through: %s", pg_cno, payment, error)
        move(payment, S.UNKNOWN, expected=[S.APPROVING])
        payment.refresh_from_db()
        if certain_no and payment.status == S.FAILED:
            # A failed order never goes back to unknown, so reconcile will not void it again:
            # only a person can (KICC's console). reconcile_all reports it as unresolved
            # until a done cancel is recorded (reconciliation._report_refused_voids).
            logger.error(
                "KICC refused the void of %s for %s, which is failed: money may be held, "
                "cancel it in KICC's console",
                pg_cno,
                payment,
            )
        return
    with transaction.atomic():
        close_call(pg_call, result.call)
        # Conditional: a 노티 20 may have confirmed this void already (resolve_cancellation).
        done = Cancellation.objects.filter(pk=cancellation.pk, status__in=IN_FLIGHT).update(
            status=Cancellation.Status.DONE,
            cancel_pg_cno=result.cancel_pg_cno,
            remaining_after=result.remain_amount,
            finished_at=timezone.now(),
        )
        failed = fail(
            payment, expected=[S.APPROVING, S.UNKNOWN], code=code, message=message, stage=stage
        )
        payment.refresh_from_db()
        if done and not failed and payment.pg_cno == pg_cno and payment.status in CANCELLABLE:
            # A 노티 10 (confirmed through retrieve) recorded this approval as paid while our
            # own answer was being judged: KICC has now cancelled it, so must the books.
            cancellation.refresh_from_db()
            apply_cancellation(cancellation, stage=stage)
            payment.refresh_from_db()


def _claim_void(payment, *, pg_cno, amount, code, message):
    """(Cancellation, PgCall) for the void, committed before the revise is sent (rule 2), or
    None when another void of this approval — or a cancel of it — is in flight or done."""
    if Cancellation.objects.filter(
        pg_cno=pg_cno, status__in=(*IN_FLIGHT, Cancellation.Status.DONE)
    ).exists():
        return None
    try:
        with transaction.atomic():
            pg_call = open_call(
                payment,
                PgCall.Kind.REVISE,
                key=new_shop_transaction_id(),
                day=kst.today(),
                request={"pgCno": pg_cno, "reviseTypeCode": FULL_CANCEL},
            )
            cancellation = Cancellation.objects.create(
                payment=payment,
                pg_cno=pg_cno,
                revise_type_code=FULL_CANCEL,
                amount=amount,
                remaining_before=amount,
                reason=check.fit_text(f"자동 취소: {code}", 100),
                origin=Cancellation.Origin.SYSTEM,
                pg_call=pg_call,
            )
            # Remember what failed and which KICC transaction it was — but never over another
            # approval's pgCno: that one is still held, and refunds need it.
            type(payment)._default_manager.filter(pk=payment.pk, pg_cno__in=("", pg_cno)).update(
                pg_cno=pg_cno,
                failure_code=code[:40],
                failure_message=message,
                updated_at=timezone.now(),  # .update() skips auto_now; every other write stamps it
            )
    except IntegrityError:
        return None  # the other path's claim committed first (the unique constraint decided)
    payment.refresh_from_db()
    return cancellation, pg_call
