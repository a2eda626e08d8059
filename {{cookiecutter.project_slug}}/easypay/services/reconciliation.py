"""Reconcile: settle what a call left open, by asking KICC with the original key (§7, §11).

- unknown payments, and approving ones older than EASYPAY_APPROVING_STALE_AFTER (the process
  died mid-call): retrieveTransaction with the approve call's shopTransactionId and KST date →
  paid / awaiting_deposit, voided when the approval cannot be kept, failed only when KICC
  definitely has nothing (see _settle_approval). Never failed on a guess (rule 3): no answer,
  or the retrieve window gone by (§7), leaves the payment unknown and reported for a human.
- cancels whose outcome is unknown (or stuck "requested"): retrieve with the cancel's key.
- pending payments older than EASYPAY_PENDING_EXPIRY: failed as expired. No approve call was
  ever made for them, so no money can have moved.
- a report of where KICC and the database disagree, for a human: nothing is "fixed" by guess —
  including failed payments whose approve call went out, and voids KICC refused.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from easypay import display, kst, methods
from easypay.client import get_client, new_shop_transaction_id
from easypay.exceptions import Declined, EasyPayError, InvalidRequest
from easypay.models import Cancellation, Notification, PgCall, get_payment_model
from easypay.results import ApprovalResult, ReviseResult
from easypay.states import PaymentStatus

from . import conf, confirmation
from .approval import apply_approval
from .cancellation import (
    IN_FLIGHT,
    apply_answer,
    fail_cancellation,
    refund_account_of,
    refuse_refund,
    void_approval,
)
from .records import call_of, close_call, log_call, open_call
from .transitions import fail, move, send_unsent

logger = logging.getLogger("easypay.services")

S = PaymentStatus


@dataclass
class ReconcileReport:
    resolved: list[str] = field(default_factory=list)  # "ORDER: unknown → paid"
    expired: list[str] = field(default_factory=list)  # order numbers
    unresolved: list[str] = field(default_factory=list)  # "ORDER: why" — still open
    differences: list[str] = field(default_factory=list)  # "ORDER: what differs" — a human looks

    def as_dict(self) -> dict:
        return {
            "resolved": self.resolved,
            "expired": self.expired,
            "unresolved": self.unresolved,
            "differences": self.differences,
        }

    def lines(self) -> list[str]:
        out = [
            f"resolved: {len(self.resolved)}, expired: {len(self.expired)}, "
            f"unresolved: {len(self.unresolved)}, differences: {len(self.differences)}"
        ]
        out += [f"  resolved   {line}" for line in self.resolved]
        out += [f"  expired    {order}" for order in self.expired]
        out += [f"  unresolved {line}" for line in self.unresolved]
        out += [f"  DIFFERENT  {line}" for line in self.differences]
        return out


def reconcile(payment, *, now=None, report: ReconcileReport | None = None, force=False):
    """Settle one payment's open calls. `force` also asks about an approval that is not
    stale yet (a 노티 10 arrived while our approve call is running). Returns it reloaded."""
    now = now or timezone.now()
    report = report if report is not None else ReconcileReport()
    before = payment.status
    _settle_cancellations(payment, now, report, force=force)
    payment.refresh_from_db()
    stale = payment.approving_at and payment.approving_at < now - conf.approving_stale_after()
    if payment.status == S.UNKNOWN or (payment.status == S.APPROVING and (stale or force)):
        _settle_approval(payment, report, stale=bool(stale))
    payment.refresh_from_db()
    if payment.status != before:
        report.resolved.append(f"{payment.shop_order_no}: {before} → {payment.status}")
    return payment


def reconcile_all(*, now=None, compare: bool = True) -> ReconcileReport:
    """The periodic job (easypay_reconcile, easypay.tasks.reconcile_payments)."""
    now = now or timezone.now()
    report = ReconcileReport()
    Payment = get_payment_model()
    manager = Payment._default_manager

    for payment in manager.filter(status=S.PENDING, created_at__lt=now - conf.pending_expiry()):
        if fail(
            payment,
            expected=[S.PENDING],
            code="expired",
            message=_("결제 시간이 초과되었습니다."),
            stage="reconcile",
        ):
            report.expired.append(payment.shop_order_no)

    stale = now - conf.approving_stale_after()
    open_cancels = Cancellation.objects.filter(
        Q(status=Cancellation.Status.UNKNOWN)
        | Q(status=Cancellation.Status.REQUESTED, created_at__lt=stale)
    ).values("payment_id")
    for payment in manager.filter(
        Q(status=S.UNKNOWN) | Q(status=S.APPROVING, approving_at__lt=stale) | Q(pk__in=open_cancels)
    ):
        try:
            reconcile(payment, now=now, report=report)
        except Exception as error:  # one bad row must not stop the others
            logger.exception("reconcile of %s failed", payment)
            report.unresolved.append(f"{payment.shop_order_no}: {error}")

    _report_refused_voids(report)
    send_unsent(conf.approving_stale_after(), report)
    # Imported here: notifications builds on this module (it reconciles what a 노티 doubts).
    from .notifications import retry_failed

    retry_failed(report)
    _report_held_notifications(report)

    for payment in manager.filter(status=S.AWAITING_DEPOSIT, va_expires_at__lt=now):
        # KICC closes an expired account; retrieve cannot look past yesterday (§7), so a
        # missed deposit 노티 cannot be ruled out here: a human checks KICC's console.
        report.differences.append(f"{payment.shop_order_no}: 입금 기한이 지났지만 입금 대기 중")

    if compare:
        _compare_recent(report)
    return report


# ------------------------------------------------------------------------------
def _settle_approval(payment, report, *, stale: bool) -> None:
    pg_call = confirmation.approve_call(payment)
    if pg_call is None:
        report.unresolved.append(f"{payment.shop_order_no}: 승인 호출 기록 없음")
        return
    if not confirmation.queryable(pg_call):
        # KICC can no longer be asked (§7) and never said yes or no: the money may have moved,
        # so the payment stays unknown and a person checks KICC's merchant console.
        if stale:
            move(payment, S.UNKNOWN, expected=[S.APPROVING])
        logger.error("%s: approval outcome unknown past the retrieve window (§7)", payment)
        report.unresolved.append(
            f"{payment.shop_order_no}: 승인 결과를 KICC에 더 조회할 수 없음(어제·오늘, §7) — "
            "KICC 관리자 화면에서 확인한 뒤 관리자의 '승인 결과 확정'으로 처리"
        )
        return
    asked = confirmation.retrieve_approval(payment, pg_call)
    error = asked.error
    if isinstance(error, Declined):
        if stale:
            move(payment, S.UNKNOWN, expected=[S.APPROVING])
        first = _refused_for_good(pg_call, asked.record)
        if first is not True:
            report.unresolved.append(
                f"{payment.shop_order_no}: KICC에 승인 내역 없음 ({error.res_cd}); "
                + _not_found_yet(first)
            )
            return
        # Twice, at least the grace apart, after the call could no longer be on its way, KICC
        # answered that it has no approval under this key: nothing moved.
        fail(
            payment,
            expected=[S.APPROVING, S.UNKNOWN],
            code="not_found",
            message=_("결제 승인 내역이 없어 실패 처리했습니다."),
            stage="reconcile",
        )
        return
    if error is not None:
        if stale:
            move(payment, S.UNKNOWN, expected=[S.APPROVING])
        report.unresolved.append(f"{payment.shop_order_no}: 조회 실패 ({error})")
        return
    result = asked.result
    if not isinstance(result, ApprovalResult):
        report.unresolved.append(f"{payment.shop_order_no}: 승인 조회에 취소 응답이 옴")
        return
    if result.status_code in confirmation.CANCELLED:
        # Approved, then cancelled (our own void went through, or KICC's console).
        fail(
            payment,
            expected=[S.APPROVING, S.UNKNOWN],
            code="voided",
            message=payment.failure_message or _("승인이 취소되었습니다."),
            stage="reconcile",
            pg_cno=result.pg_cno,
        )
        return
    # §7: a status answer carries no msgAuthValue — the amount and order are checked here.
    if result.amount != payment.amount or result.shop_order_no not in ("", payment.shop_order_no):
        void_approval(
            payment,
            pg_cno=result.pg_cno,
            amount=result.amount,
            code="amount_mismatch",
            message=_("승인 금액이 주문 금액과 달라 결제를 취소했습니다."),
            stage="reconcile",
        )
        return
    apply_approval(payment, result, stage="reconcile")


def _settle_cancellations(payment, now, report, *, force: bool) -> None:
    stale = now - conf.approving_stale_after()
    for cancellation in payment.cancellations.filter(status__in=IN_FLIGHT).select_related(
        "pg_call"
    ):
        running = cancellation.status == Cancellation.Status.REQUESTED
        if running and not force and cancellation.created_at >= stale:
            continue  # its revise call is still running
        settle_cancellation(cancellation, now, report)


def settle_cancellation(cancellation, now, report) -> ReviseResult | None:
    """Ask KICC what became of an in-flight cancel (§11 rule 6); apply it when done.

    Settled by the rule that settles an approval: a cancel is failed only when KICC, asked
    with its key, has twice answered a definite no, EASYPAY_UNKNOWN_GRACE apart, after the
    call could no longer be on its way (_refused_for_good). Anything less leaves it unknown
    — KICC may hold it — and reported; past the status window (§7) only a person can close
    it, with the figures of KICC's console (the admin's "취소 결과 확정")."""
    pg_call = cancellation.pg_call
    order = cancellation.payment.shop_order_no
    if beyond_status_window(cancellation):
        _mark_unknown(cancellation)
        report.unresolved.append(
            f"{order}: 취소 {cancellation.pk} ({display.krw(cancellation.amount)}) 결과를 KICC에 "
            "더 조회할 수 없음(§7) — KICC 관리자 화면에서 확인한 뒤 관리자의 '취소 결과 확정'으로 처리"
        )
        return None
    if _refund_in_doubt(cancellation):
        # VTIM / VT00 (§9): the status query would only say so again. Ask with the refund's
        # own body and refundQueryFlag "Y", which tells what happened and never pays twice.
        return _ask_about_refund(cancellation, now, report)
    try:
        result = get_client().retrieve(
            shop_transaction_id=pg_call.shop_transaction_id, transaction_date=pg_call.request_date
        )
    except Declined as error:
        observed = log_call(
            cancellation.payment, PgCall.Kind.RETRIEVE, error.call, original=pg_call
        )
        return _refused(cancellation, error, observed, now, report)
    except (EasyPayError, InvalidRequest) as error:
        log_call(
            cancellation.payment,
            PgCall.Kind.RETRIEVE,
            call_of(error),
            original=pg_call,
            error=str(error),
        )
        if getattr(error, "refund_query_needed", False):
            return _ask_about_refund(cancellation, now, report)
        _mark_unknown(cancellation)
        report.unresolved.append(f"{order}: 취소 {cancellation.pk} 조회 실패 ({error})")
        return None
    log_call(cancellation.payment, PgCall.Kind.RETRIEVE, result.call, original=pg_call)
    if not isinstance(result, ReviseResult):
        report.unresolved.append(f"{order}: 취소 조회에 승인 응답이 옴")
        return None
    _report_answer(cancellation, result, report)
    return result


def beyond_status_window(cancellation) -> bool:
    """KICC's status query can no longer tell what became of this cancel: no key of ours to
    ask with, or its day is before yesterday (§7). Only then may figures from elsewhere — KICC's
    console (manual.py), a 노티 20 naming exactly this cancel (notifications.py) — settle it;
    while KICC can still be asked, its answer is what counts."""
    return not confirmation.queryable(cancellation.pg_call)


def _report_answer(cancellation, result, report) -> None:
    order = cancellation.payment.shop_order_no
    before = cancellation.status
    apply_answer(cancellation, result)
    cancellation.refresh_from_db()
    if cancellation.status != before and cancellation.status != Cancellation.Status.ACCEPTED:
        what = "환불" if cancellation.is_refund else "취소"
        report.resolved.append(f"{order}: {what} {cancellation.pk} → {cancellation.status}")


def _refund_in_doubt(cancellation) -> bool:
    return cancellation.is_refund and cancellation.pg_call.res_cd in methods.REFUND_IN_DOUBT_CODES


def _ask_about_refund(cancellation, now, report):
    """refundQueryFlag "Y" (§6.1, §9): the refund's type, sub-type, amount and account again,
    under a new key stored first (rule 2) and naming the refund it asks about."""
    payment = cancellation.payment
    original = cancellation.pg_call
    query = open_call(
        payment,
        PgCall.Kind.REVISE,
        key=new_shop_transaction_id(),
        day=kst.today(),
        request={"pgCno": cancellation.pg_cno, "refundQueryFlag": "Y"},
        original=original,
    )
    try:
        result = get_client().revise(
            shop_transaction_id=query.shop_transaction_id,
            pg_cno=cancellation.pg_cno,
            revise_type_code=cancellation.revise_type_code,
            revise_sub_type_code=cancellation.revise_sub_type_code or None,
            cancel_req_date=query.request_date,
            amount=cancellation.amount if cancellation.is_partial else None,
            refund_account=refund_account_of(cancellation),
            refund_query=True,
        )
    except Declined as error:
        close_call(query, error.call)
        if error.res_cd == methods.BANK_REFUSED:
            refuse_refund(cancellation, error)  # §8.1's 51 code: the bank refused, definitely
            report.resolved.append(f"{payment.shop_order_no}: 환불 {cancellation.pk} → failed")
            return None
        return _refused(cancellation, error, query, now, report)
    except (EasyPayError, InvalidRequest) as error:
        close_call(query, call_of(error), error=str(error))
        _mark_unknown(cancellation)
        report.unresolved.append(
            f"{payment.shop_order_no}: 환불 {cancellation.pk} 결과를 아직 모름 ({error})"
        )
        return None
    close_call(query, result.call)
    _report_answer(cancellation, result, report)
    return result


def _refused(cancellation, error, observed, now, report):
    """KICC's definite no about an in-flight cancel: final only by the grace rule."""
    pg_call = cancellation.pg_call
    order = cancellation.payment.shop_order_no
    first = _refused_for_good(pg_call, observed)
    if first is not True:
        _mark_unknown(cancellation, unless_running=_may_still_be_running(pg_call, now))
        report.unresolved.append(
            f"{order}: 취소 {cancellation.pk} — KICC 조회에 내역 없음 ({error.res_cd}); "
            + _not_found_yet(first)
        )
        return None
    # Nothing was cancelled: the cancel can be asked for again (by a person).
    fail_cancellation(cancellation)
    report.resolved.append(f"{order}: 취소 {cancellation.pk} → failed (KICC에 내역 없음)")
    return None


def _mark_unknown(cancellation, *, unless_running: bool = False) -> None:
    """A cancel whose outcome reconcile could not learn: "requested" becomes "unknown"
    (its call is over, or its process died), so the admin and the report say so."""
    if unless_running:
        return
    Cancellation.objects.filter(pk=cancellation.pk, status=Cancellation.Status.REQUESTED).update(
        status=Cancellation.Status.UNKNOWN
    )


def _refused_for_good(pg_call, observed):
    """True when KICC's definite no about `pg_call` is final: a first one seen after the call
    could no longer be on its way, and `observed` at least EASYPAY_UNKNOWN_GRACE later.
    Otherwise the first such answer (a PgCall), or None when there is none yet."""
    first = _first_definite_not_found(pg_call)
    if first is not None and observed.created_at - first.created_at >= conf.unknown_grace():
        return True
    return first


def _not_found_yet(first) -> str:
    if first is None:
        return "요청이 아직 진행 중일 수 있음"
    return (
        f"{display.kst_datetime(first.created_at)} KST부터 EASYPAY_UNKNOWN_GRACE가 지나 "
        "다시 없으면 실패 처리"
    )


def _may_still_be_running(pg_call, now) -> bool:
    """KICC's "nothing found" is final only once the call cannot still be on its way to it."""
    return pg_call.created_at + conf.longest_call(pg_call.kind) > now


def _first_definite_not_found(pg_call):
    """The first retrieve of `pg_call` that KICC answered with a definite business "no"
    (HTTP 200, resCd ≠ "0000": the client's Declined) once the call could no longer be on its
    way; None when there is none yet.

    KICC has no documented "not found" code (§7, §14): a throttling or system error also
    comes as a non-"0000" resCd. So one such answer proves nothing; the retrieve records
    (stored for every pass, log_call) say when the first was seen, and reconcile fails the
    payment only when another one comes EASYPAY_UNKNOWN_GRACE later. A timeout, a 5xx or an
    unparsable answer is no answer at all and never counts (OutcomeUnknown / Untrusted)."""
    return (
        pg_call.retrievals.filter(
            outcome=PgCall.Outcome.DECLINED,
            http_status=200,
            created_at__gte=pg_call.created_at + conf.longest_call(pg_call.kind),
        )
        .order_by("created_at")
        .first()
    )


def _report_refused_voids(report) -> None:
    """A void KICC refused for a payment that is already failed: the approval may still
    hold the buyer's money and nothing retries it (the order cannot go back to unknown), so
    a person must cancel it in KICC's console. Reported until a done cancel is recorded
    (a 노티 20 of that console cancel records one, notifications._cancel)."""
    refused = (
        Cancellation.objects.filter(
            origin=Cancellation.Origin.SYSTEM,
            status=Cancellation.Status.FAILED,
            payment__status=S.FAILED,
        )
        .exclude(payment__cancellations__status=Cancellation.Status.DONE)
        .select_related("payment")
        .order_by("created_at")
    )
    seen = set()
    for cancellation in refused:
        payment = cancellation.payment
        if payment.pk in seen:
            continue
        seen.add(payment.pk)
        logger.error("%s: KICC refused the void of %s; money may be held", payment, payment.pg_cno)
        report.unresolved.append(
            f"{payment.shop_order_no}: 실패한 결제의 자동 취소를 KICC가 거절함 "
            f"(PG 거래번호 {payment.pg_cno}) — KICC 관리자에서 취소 필요"
        )


def _compare_recent(report) -> None:
    """Compare recent approvals (retrieve covers yesterday and today, §7) with the database:
    every payment KICC gave a pgCno, and every failed one whose approve call went out — a
    failed order that KICC shows approved is money the buyer was told did not move.

    §7 leaves open whether a status answer carries the current status or the approval's
    original one (confirmation.py), so only a status that can only be current — a cancel or
    a deposit — is held against the books; an approval status agrees with any later state the
    books can explain (a recorded cancel, a recorded void)."""
    today = kst.today()
    calls = (
        PgCall.objects.filter(
            kind=PgCall.Kind.APPROVE,
            request_date__gte=today - timedelta(days=1),
        )
        .filter(~Q(payment__pg_cno="") | Q(payment__status=S.FAILED))
        .exclude(outcome=PgCall.Outcome.NOT_SENT)  # never left: KICC cannot know it
        .select_related("payment")
        .order_by("created_at")
    )
    client = get_client()
    for pg_call in calls:
        payment = pg_call.payment
        if payment.status not in COMPARED:
            continue
        try:
            result = client.retrieve(
                shop_transaction_id=pg_call.shop_transaction_id,
                transaction_date=pg_call.request_date,
            )
        except Declined as error:
            if payment.status != S.FAILED:
                report.unresolved.append(f"{payment.shop_order_no}: 비교 조회 실패 ({error})")
            continue  # a failed order KICC has no approval for: they agree
        except (EasyPayError, InvalidRequest) as error:
            report.unresolved.append(f"{payment.shop_order_no}: 비교 조회 실패 ({error})")
            continue
        if not isinstance(result, ApprovalResult):
            continue
        difference = _difference(payment, result)
        if difference:
            report.differences.append(f"{payment.shop_order_no}: {difference}")


# The local statuses reconcile compares with KICC, and the statuses KICC may show for each when
# its answer is the current status (a cancel, a deposit: confirmation.py).
COMPARED = (S.PAID, S.AWAITING_DEPOSIT, S.PARTIALLY_CANCELLED, S.CANCELLED, S.FAILED)
AGREEING_CHANGES = {
    # A refund taken but not paid out yet (RF01), or refused by the bank (RF03), moved nothing.
    S.PAID: confirmation.DEPOSITED | confirmation.REFUND_REQUESTED | confirmation.REFUND_REFUSED,
    S.AWAITING_DEPOSIT: frozenset(),
    S.PARTIALLY_CANCELLED: confirmation.PARTIALLY_CANCELLED
    | confirmation.REFUND_REQUESTED
    | confirmation.REFUNDED
    | confirmation.REFUND_REFUSED,
    S.CANCELLED: confirmation.CANCELLED | confirmation.REFUNDED,
    S.FAILED: confirmation.CANCELLED,  # an approval the shop voided
}


def _difference(payment, result) -> str:
    """What KICC's answer about the payment's approval says that the books do not, or ""."""
    kicc = f"KICC {result.status_code} {result.status_message}".rstrip()
    if result.status_code not in confirmation.APPROVAL_STATUSES:
        if result.status_code not in AGREEING_CHANGES[payment.status]:
            return f"DB {payment.status}, {kicc}"
    elif payment.status == S.FAILED and not _voided(payment, result.pg_cno):
        return f"DB failed, {kicc} — 돈이 남아 있을 수 있음"
    if payment.status == S.FAILED:
        return ""  # the approval was voided: its amount may be the very reason
    if result.pg_cno != payment.pg_cno or result.amount != payment.amount:
        return f"DB {payment.pg_cno}/{payment.amount}원, KICC {result.pg_cno}/{result.amount}원"
    return ""


def _voided(payment, pg_cno: str) -> bool:
    return payment.cancellations.filter(pg_cno=pg_cno, status=Cancellation.Status.DONE).exists()


def _report_held_notifications(report) -> None:
    """노티 that would move money and that KICC could not confirm: a person applies or
    dismisses each in the admin, with the figures of KICC's console (notifications.py)."""
    held = (
        Notification.objects.filter(status=Notification.Status.HELD)
        # A person (or a later copy) applied or dismissed it after it was held.
        .without_copies_in((Notification.Status.PROCESSED, Notification.Status.DISMISSED))
        .select_related("payment")
        .order_by("received_at")
    )
    seen = set()
    for record in held:
        key = (record.pg_cno, record.noti_type, record.cancel_pg_cno)
        if key in seen:
            continue
        seen.add(key)
        report.unresolved.append(
            f"{record.shop_order_no or '-'}: 노티 {record.noti_type} ({record.pk}) 확인 필요 — "
            f"{record.error}"
        )
