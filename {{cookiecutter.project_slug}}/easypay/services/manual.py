"""What a person settles by hand, with the figures of KICC's merchant console, when KICC can no
longer be asked (docs/operating.md "Settling by hand").

- an approval whose outcome stayed unknown past the status window (§7): approved (its pgCno),
  a virtual account issued, or nothing;
- a cancel whose outcome stayed unknown past the status window: KICC did it (its cancel
  number) or did not;
- a held 노티 (a console cancel, a deposit) that KICC's status query could not confirm:
  applied when the console shows it, dismissed when it does not.

Each step is taken under the payment's row lock, checked against the books exactly as the
automatic path checks them (a cancel never beyond the balance, a deposit only for the account
issued), and written to AdminAuditLog in the same transaction. The admin pages
(easypay/admin_views.py) ask for confirmation and the cancel permission first.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from easypay.models import AdminAuditLog, Cancellation, Notification
from easypay.states import PaymentStatus
from easypay.validation import KICC_NUMBER  # 20 ASCII digits (§6.2, OBS)

from . import confirmation
from .approval import announce_paid
from .cancellation import (
    CANCELLABLE,
    IN_FLIGHT,
    CancelFigures,
    apply_cancellation,
    fail_cancellation,
    resolve_cancellation,
)
from .errors import PaymentError
from .notifications import record_kicc_cancel
from .reconciliation import beyond_status_window
from .transitions import fail, lock, move

logger = logging.getLogger("easypay.services")

S = PaymentStatus
N = Notification.Status


class SettleRefused(PaymentError):
    """The figures do not fit the books, or the record is not one a person may settle now."""


def can_settle_by_hand(cancellation) -> bool:
    """A cancel still in flight that KICC can no longer be asked about (§7)."""
    return cancellation.status in IN_FLIGHT and beyond_status_window(cancellation)


def settle_cancellation(cancellation, *, done: bool, cancel_pg_cno: str = "", actor, client_ip):
    """Close a cancel left unknown: `done` with KICC's cancel number as the console shows it,
    or not done (nothing was cancelled: it may be asked for again)."""
    if not can_settle_by_hand(cancellation):
        raise SettleRefused(
            _("KICC에 아직 조회할 수 있는 취소입니다. 'PG에 상태 다시 확인'으로 확인하세요."),
            code="still_queryable",
        )
    cancel_pg_cno = cancel_pg_cno.strip()
    if done and not KICC_NUMBER.fullmatch(cancel_pg_cno):
        raise SettleRefused(
            _("KICC 관리자 화면의 취소 거래번호(숫자 20자리)를 입력하세요."), code="bad_number"
        )
    if done and Cancellation.objects.filter(cancel_pg_cno=cancel_pg_cno).exists():
        raise SettleRefused(_("이미 기록된 취소 거래번호입니다."), code="duplicate")
    with transaction.atomic():
        payment = lock(cancellation.payment)
        if done:
            if cancellation.amount > payment.remaining_amount and payment.status != S.FAILED:
                raise SettleRefused(
                    _("취소 금액이 결제의 잔액보다 큽니다. 장부를 먼저 확인하세요."),
                    code="over_balance",
                )
            remain = cancellation.remaining_before - cancellation.amount
            applied = resolve_cancellation(
                cancellation, CancelFigures(cancel_pg_cno, remain), stage="manual"
            )
        else:
            applied = fail_cancellation(cancellation)
        if not applied:
            raise SettleRefused(_("이미 처리된 취소입니다."), code="settled")
        _audit(
            actor,
            client_ip,
            "cancel_settled_by_hand",
            payment,
            cancellation=cancellation.pk,
            done=done,
            cancel_pg_cno=cancel_pg_cno,
        )
    logger.warning("cancel %s settled by hand (done=%s) by %s", cancellation.pk, done, actor)


def can_settle_approval_by_hand(payment) -> bool:
    """An approval whose outcome stayed unknown that KICC can no longer be asked about (§7)."""
    if payment.status not in (S.UNKNOWN, S.APPROVING):
        return False
    return not confirmation.queryable(confirmation.approve_call(payment))


APPROVED, ISSUED, NOT_APPROVED = "paid", "awaiting_deposit", "not_approved"


def settle_approval(payment, *, outcome: str, pg_cno: str = "", amount=None, actor, client_ip):
    """Close an approval left unknown, as KICC's console shows it: approved (`pg_cno` and the
    approved `amount`), a virtual account issued and not yet paid, or no approval at all."""
    if not can_settle_approval_by_hand(payment):
        raise SettleRefused(
            _("KICC에 아직 조회할 수 있는 승인입니다. 'PG에 상태 다시 확인'으로 확인하세요."),
            code="still_queryable",
        )
    pg_cno = pg_cno.strip()
    if outcome in (APPROVED, ISSUED):
        if not KICC_NUMBER.fullmatch(pg_cno):
            raise SettleRefused(
                _("KICC 관리자 화면의 PG 거래번호(숫자 20자리)를 입력하세요."), code="bad_number"
            )
        if amount != payment.amount:
            # The shop cannot keep an approval of another amount (integrity rule 1): cancel it
            # in KICC's console; its 노티 20 records the cancel, then settle it as not approved.
            raise SettleRefused(
                _(
                    "승인 금액이 주문 금액과 다릅니다. KICC 관리자 화면에서 그 승인을 취소한 뒤 "
                    "'승인 없음'으로 확정하세요."
                ),
                code="amount_differs",
            )
        if type(payment)._default_manager.filter(pg_cno=pg_cno).exclude(pk=payment.pk).exists():
            raise SettleRefused(_("다른 결제에 이미 있는 PG 거래번호입니다."), code="duplicate")
    elif outcome != NOT_APPROVED:
        raise SettleRefused(_("알 수 없는 결과입니다."), code="bad_outcome")
    with transaction.atomic():
        current = lock(payment)
        if outcome == NOT_APPROVED:
            moved = fail(
                current,
                expected=[S.UNKNOWN, S.APPROVING],
                code="not_approved",
                message=_("KICC 관리자 화면에 승인 내역이 없습니다."),
                stage="manual",
            )
        else:
            moved = move(current, outcome, expected=[S.UNKNOWN, S.APPROVING], pg_cno=pg_cno)
            if moved and outcome == APPROVED:
                announce_paid(current)
        if not moved:
            raise SettleRefused(_("이미 처리된 결제입니다."), code="settled")
        _audit(
            actor,
            client_ip,
            "approval_settled_by_hand",
            current,
            outcome=outcome,
            pg_cno=pg_cno,
            amount=amount,
        )
    payment.refresh_from_db()
    logger.warning("approval of %s settled by hand (%s) by %s", payment, outcome, actor)


def apply_notification(record, *, cancel_pg_cno: str = "", amount: int, actor, client_ip) -> None:
    """Apply a held 노티 20 or 30 after a person found it in KICC's console, with the figures
    the console shows (they must be the 노티's)."""
    if record.status != N.HELD or record.payment is None:
        raise SettleRefused(_("확인이 필요한 노티가 아닙니다."), code="not_held")
    data = record.parsed_body()
    if record.noti_type == "20":
        _apply_cancel(record, data, cancel_pg_cno.strip(), amount, actor, client_ip)
    elif record.noti_type == "30":
        _apply_deposit(record, data, amount, actor, client_ip)
    else:
        raise SettleRefused(_("이 노티는 반영할 수 없습니다. 확인 후 무시하세요."), code="no_apply")


def dismiss_notification(record, *, note: str, actor, client_ip) -> None:
    """A held 노티 that KICC's console does not show: it moves nothing, for good."""
    if record.status != N.HELD:
        raise SettleRefused(_("확인이 필요한 노티가 아닙니다."), code="not_held")
    with transaction.atomic():
        record.status = N.DISMISSED
        record.error = f"{record.error} / 관리자 확인: {note}"[:2000]
        record.processed_at = timezone.now()
        record.save(update_fields=["status", "error", "processed_at"])
        _audit(
            actor, client_ip, "noti_dismissed", record.payment, notification=record.pk, note=note
        )


def _apply_cancel(record, data, cancel_pg_cno, amount, actor, client_ip):
    if cancel_pg_cno != record.cancel_pg_cno or str(amount) != str(data.get("cancelAmount", "")):
        raise SettleRefused(
            _("입력한 취소 거래번호·금액이 노티와 다릅니다. KICC 관리자 화면과 다시 대조하세요."),
            code="figures_differ",
        )
    if record.payment.cancellations.filter(status__in=IN_FLIGHT).exists():
        raise SettleRefused(
            _("결과를 모르는 취소가 있습니다. 그 취소를 먼저 확정하세요."), code="in_flight"
        )
    with transaction.atomic():
        payment = lock(record.payment)
        if payment.status == S.FAILED:
            # A failed order's approval cancelled in the console (a void KICC had refused).
            record_kicc_cancel(record, payment, amount, remaining=amount, reason="관리자 확인")
        else:
            if payment.status not in CANCELLABLE or amount > payment.remaining_amount:
                raise SettleRefused(
                    _("취소 금액이 결제의 잔액보다 큽니다. 장부를 먼저 확인하세요."),
                    code="over_balance",
                )
            cancellation = record_kicc_cancel(
                record, payment, amount, payment.remaining_amount, reason="관리자 확인"
            )
            apply_cancellation(cancellation, stage="manual")
        _processed(record)
        _audit(
            actor,
            client_ip,
            "noti_applied",
            payment,
            notification=record.pk,
            cancel_pg_cno=cancel_pg_cno,
            amount=amount,
        )


def _apply_deposit(record, data, amount, actor, client_ip):
    with transaction.atomic():
        payment = lock(record.payment)
        if (
            payment.status != S.AWAITING_DEPOSIT
            or amount != payment.amount
            or data.get("tlfSno") != payment.pg_cno
        ):
            raise SettleRefused(
                _("입금 대기 중인 이 결제의 가상계좌·금액과 맞지 않습니다."), code="figures_differ"
            )
        if move(payment, S.PAID, expected=[S.AWAITING_DEPOSIT]):
            announce_paid(payment, deposit_pg_cno=record.pg_cno)
        _processed(record)
        _audit(actor, client_ip, "noti_applied", payment, notification=record.pk, amount=amount)


def _processed(record) -> None:
    record.status = N.PROCESSED
    record.processed_at = timezone.now()
    try:
        with transaction.atomic():
            record.save(update_fields=["status", "processed_at"])
    except IntegrityError:
        raise SettleRefused(_("같은 노티가 이미 반영되었습니다."), code="duplicate") from None


def _audit(actor, client_ip, action, payment, **detail) -> None:
    AdminAuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_repr=str(actor or "")[:150],
        action=action,
        payment=payment,
        detail=detail,
        remote_addr=client_ip,
    )
