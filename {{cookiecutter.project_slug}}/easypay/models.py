"""What the shop stores about EasyPay: the payment's own columns, and a record of every PG call,
every 노티 and every cancel.

The models are dumb on purpose: fields, constraints, properties and querysets. Only the services
change a payment's status (easypay/states.py holds the allowed moves).

The records point at the shop's concrete payment model through ``settings.EASYPAY_PAYMENT_MODEL``
(like AUTH_USER_MODEL) instead of a GenericForeignKey: a real foreign key gets a database
constraint, joins, ``on_delete=PROTECT`` (money records never vanish with a payment) and an
admin that can filter by it; and easypay stays free of any import from apps.* — the shop
names its model in settings and marks it ``swappable = "EASYPAY_PAYMENT_MODEL"``, so the
migrations below say ``settings.EASYPAY_PAYMENT_MODEL`` rather than "payments.payment".
"""

import json
import secrets
from datetime import timedelta

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import fields, kst, methods
from .masking import mask_account_number, mask_body, mask_text
from .states import PaymentStatus

# §2 "Forbidden characters": an order number is [A-Za-z0-9_-], at most 40 characters.
shop_order_no_validator = RegexValidator(
    r"\A[A-Za-z0-9_-]{1,40}\Z",
    _("주문번호는 영문, 숫자, -, _ 로 된 40자 이내여야 합니다."),
)


def new_public_token() -> str:
    """The token in the payment's URLs: 256 random bits, so nobody can walk the payments by
    guessing (integrity rule 7) — the sequential primary key never appears in a URL."""
    return secrets.token_urlsafe(32)


def new_shop_order_no() -> str:
    """KST date + 64 random bits, e.g. 20260401-3F9A1C2B7D4E5F60: sortable by day when read in
    KICC's console, unique without a counter, and inside §2's alphabet and length."""
    return f"{kst.date_text()}-{secrets.token_hex(8).upper()}"


def get_payment_model():
    """The shop's payment model named by settings.EASYPAY_PAYMENT_MODEL (like get_user_model)."""
    try:
        return django_apps.get_model(settings.EASYPAY_PAYMENT_MODEL, require_ready=False)
    except AttributeError:
        raise ImproperlyConfigured(
            "EASYPAY_PAYMENT_MODEL is not set (e.g. 'payments.Payment')."
        ) from None
    except ValueError:
        raise ImproperlyConfigured(
            "EASYPAY_PAYMENT_MODEL must be of the form 'app_label.ModelName'."
        ) from None
    except LookupError:
        raise ImproperlyConfigured(
            f"EASYPAY_PAYMENT_MODEL refers to {settings.EASYPAY_PAYMENT_MODEL!r}, "
            "which is not installed."
        ) from None


# ------------------------------------------------------------------------------
# The payment
# ------------------------------------------------------------------------------
# The payment window's resCd when the buyer pressed cancel (docs/kicc-api.md §4): KICC
# documents none; W324 ("user cancellation") is the only one seen anywhere, and the local
# emulator sends it. Any other failing resCd is a failure the buyer did not choose.
BUYER_CANCEL_CODES = frozenset({"W324"})


class PaymentQuerySet(models.QuerySet):
    """The payments reconcile looks at (easypay_reconcile)."""

    def stale_approving(self, older_than: timedelta):
        """Claimed for approval longer ago than any approve call can take (§11: 30 s timeout):
        the process died mid-call, so the outcome is unknown and must be looked up."""
        cutoff = timezone.now() - older_than
        return self.filter(status=PaymentStatus.APPROVING, approving_at__lt=cutoff)

    def unknown(self):
        return self.filter(status=PaymentStatus.UNKNOWN)

    def abandoned_pending(self, older_than: timedelta):
        """Created and never brought back from the window: no approve call was made, so no
        money moved and they can be failed as expired."""
        cutoff = timezone.now() - older_than
        return self.filter(status=PaymentStatus.PENDING, created_at__lt=cutoff)

    def overdue_deposits(self, at=None):
        """Virtual accounts past their expiry without a deposit 노티."""
        return self.filter(
            status=PaymentStatus.AWAITING_DEPOSIT, va_expires_at__lt=at or timezone.now()
        )


class AbstractPayment(models.Model):
    """A payment through EasyPay. The shop's Payment adds who pays and for what."""

    Status = PaymentStatus

    # --- identity ---
    public_token = fields.CharField(
        _("공개 토큰"), max_length=64, unique=True, default=new_public_token, editable=False
    )
    shop_order_no = fields.CharField(
        _("주문번호"),
        max_length=40,
        unique=True,
        default=new_shop_order_no,
        validators=[shop_order_no_validator],
        help_text=_("EasyPay에 보내는 가맹점 주문번호 (shopOrderNo)"),
    )

    # --- money (KRW, whole won) ---
    amount = models.PositiveBigIntegerField(
        _("결제 금액"), help_text=_("원 단위. 브라우저가 아니라 서버가 정한 금액")
    )
    cancelled_amount = models.PositiveBigIntegerField(_("취소 금액"), default=0)
    status = fields.CharField(
        _("상태"),
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
        db_index=True,
    )
    goods_name = fields.CharField(_("상품명"), max_length=50)  # orderInfo.goodsName (§3.1)

    # --- what KICC told us (§3.2, §4, §5.2) ---
    auth_page_url = models.URLField(_("결제창 주소"), max_length=500, blank=True)
    authorization_id = fields.CharField(_("인증 거래번호"), max_length=60, blank=True)
    pg_cno = fields.CharField(
        _("PG 거래번호"), max_length=20, blank=True, help_text=_("취소·환불에 필요한 KICC 거래번호")
    )
    pay_method_type_code = fields.CharField(_("결제수단 코드"), max_length=2, blank=True)
    approval_no = fields.CharField(_("승인번호"), max_length=100, blank=True)
    card_no_masked = fields.CharField(_("카드번호 (마스킹)"), max_length=40, blank=True)
    card_issuer_name = fields.CharField(_("카드 발급사"), max_length=50, blank=True)
    # How it was paid, every value masked (easypay.methods.MethodDetails.as_dict()): the
    # wallet, the bank, the carrier — what the pages and the admin name it by.
    method_details = fields.JSONField(_("결제수단 정보"), default=dict, blank=True)
    failure_code = fields.CharField(_("실패 코드"), max_length=40, blank=True)
    failure_message = fields.TextField(_("실패 사유"), blank=True)

    # --- virtual account, while awaiting_deposit (§5.2 virtualAccountInfo) ---
    va_bank_code = fields.CharField(_("입금 은행 코드"), max_length=3, blank=True)
    va_bank_name = fields.CharField(_("입금 은행"), max_length=20, blank=True)
    va_account_no = fields.CharField(_("가상계좌 번호"), max_length=40, blank=True)
    va_depositor_name = fields.CharField(_("예금주"), max_length=50, blank=True)
    va_expires_at = models.DateTimeField(_("입금 기한"), null=True, blank=True)

    # --- the buyer's request ---
    client_ip = models.GenericIPAddressField(_("접속 IP"), null=True, blank=True)
    user_agent = fields.TextField(_("브라우저 정보"), blank=True)

    # --- when each state was reached ---
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)
    registered_at = models.DateTimeField(_("거래 등록 시각"), null=True, blank=True)
    approving_at = models.DateTimeField(_("승인 요청 시각"), null=True, blank=True)
    paid_at = models.DateTimeField(_("결제 완료 시각"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("취소 시각"), null=True, blank=True)
    failed_at = models.DateTimeField(_("실패 시각"), null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="%(app_label)s_%(class)s_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(cancelled_amount__lte=F("amount")),
                name="%(app_label)s_%(class)s_cancelled_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values),
                name="%(app_label)s_%(class)s_status_known",
            ),
            # Money held at KICC can only be refunded with its pgCno (§6.1): a payment that
            # reached these states without one could never be cancelled.
            models.CheckConstraint(
                condition=~Q(
                    status__in=[
                        PaymentStatus.AWAITING_DEPOSIT,
                        PaymentStatus.PAID,
                        PaymentStatus.PARTIALLY_CANCELLED,
                        PaymentStatus.CANCELLED,
                    ]
                )
                | ~Q(pg_cno=""),
                name="%(app_label)s_%(class)s_settled_has_pg_cno",
            ),
            # The status and the cancelled amount tell the same story.
            models.CheckConstraint(
                condition=~Q(status=PaymentStatus.PAID) | Q(cancelled_amount=0),
                name="%(app_label)s_%(class)s_paid_has_nothing_cancelled",
            ),
            models.CheckConstraint(
                condition=~Q(status=PaymentStatus.PARTIALLY_CANCELLED)
                | Q(cancelled_amount__gt=0, cancelled_amount__lt=F("amount")),
                name="%(app_label)s_%(class)s_partial_cancel_leaves_a_balance",
            ),
            # One KICC approval belongs to one payment.
            models.UniqueConstraint(
                fields=["pg_cno"],
                condition=~Q(pg_cno=""),
                name="%(app_label)s_%(class)s_unique_pg_cno",
            ),
        ]

    def __str__(self):
        return self.shop_order_no

    def get_absolute_url(self) -> str:
        """The buyer's page for this payment: easypay's return view redirects here after the
        payment window. The shop's model implements it (easypay knows no shop URLs)."""
        raise NotImplementedError(f"{type(self).__name__} must define get_absolute_url()")

    @property
    def remaining_amount(self) -> int:
        """What can still be cancelled (remainAmount in a revise request, §6.1)."""
        return self.amount - self.cancelled_amount

    @property
    def balance(self) -> int:
        """What the buyer has paid and not been refunded: the amount less its cancels once the
        money came (paid, partially cancelled), else 0 — nothing was received for a pending,
        failed or unpaid virtual-account payment, and an unknown one is not counted until
        reconcile says so."""
        if self.status in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_CANCELLED):
            return self.amount - self.cancelled_amount
        return 0

    @property
    def method(self):
        """How it was paid (easypay.methods.MethodDetails): .describe() names it for people."""
        details = methods.MethodDetails.from_dict(self.method_details)
        if not details.pay_method_type_code and self.pay_method_type_code:
            # Paid before method_details was kept: what the payment's own columns say.
            details = methods.MethodDetails(
                pay_method_type_code=self.pay_method_type_code,
                card_issuer_name=self.card_issuer_name,
                card_no_masked=self.card_no_masked,
                bank_code=self.va_bank_code,
                bank_name=self.va_bank_name,
            )
        return details

    @property
    def cancelled_by_buyer(self) -> bool:
        """Failed because the buyer cancelled in the payment window: nothing was charged, and
        the buyer's pages say so instead of "failed" (decided from the stored failure_code)."""
        return self.status == PaymentStatus.FAILED and self.failure_code in BUYER_CANCEL_CODES


# ------------------------------------------------------------------------------
# Records: what was sent to and received from KICC, stored before acting on it
# ------------------------------------------------------------------------------
class PgCall(models.Model):
    """One call to the EasyPay API.

    Saved with outcome "pending" *before* the request leaves (integrity rule 2): if the
    process dies mid-call, the shopTransactionId and KST date needed for retrieveTransaction
    (§7) are already on disk. Completed with the response afterwards. Request and response
    are stored masked (no full card numbers, no secrets).
    """

    class Kind(models.TextChoices):
        REGISTER = "register", _("거래 등록")
        APPROVE = "approve", _("승인")
        REVISE = "revise", _("취소·변경")
        RETRIEVE = "retrieve", _("상태 조회")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("응답 대기")
        OK = "ok", _("성공")
        DECLINED = "declined", _("거절")
        UNKNOWN = "unknown", _("결과 모름")
        UNTRUSTED = "untrusted", _("신뢰할 수 없는 응답")
        NOT_SENT = "not_sent", _("전송 안 됨")

    payment = models.ForeignKey(
        settings.EASYPAY_PAYMENT_MODEL,
        verbose_name=_("결제"),
        on_delete=models.PROTECT,
        related_name="pg_calls",
    )
    kind = fields.CharField(_("종류"), max_length=10, choices=Kind.choices)
    # §11 idempotency: KICC keeps a key per mall per KST day; keeping ours unique forever is
    # stricter and lets a key find its call. Empty for register (which sends none) and
    # retrieve (which re-sends the original call's key: see original_call).
    shop_transaction_id = fields.CharField(
        _("거래 고유키"), max_length=60, blank=True, help_text=_("shopTransactionId")
    )
    request_date = models.DateField(
        _("요청일 (KST)"),
        default=kst.today,
        help_text=_("요청에 실어 보낸 KST 날짜 (approvalReqDate / cancelReqDate)"),
    )
    original_call = models.ForeignKey(
        "self",
        verbose_name=_("조회 대상 호출"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retrievals",
    )
    request = fields.JSONField(_("요청 (마스킹)"), default=dict, blank=True)
    response = fields.JSONField(_("응답 (마스킹)"), null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP 상태"), null=True, blank=True)
    res_cd = fields.CharField(_("응답 코드"), max_length=10, blank=True)
    res_msg = fields.TextField(_("응답 메시지"), blank=True)
    outcome = fields.CharField(
        _("결과"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )
    error = fields.TextField(_("오류"), blank=True)
    latency_ms = models.PositiveIntegerField(_("응답 시간 (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("요청 시각"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("완료 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("PG 호출")
        verbose_name_plural = pgettext_lazy("plural", "PG 호출")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop_transaction_id"],
                condition=~Q(shop_transaction_id=""),
                name="easypay_pgcall_unique_shop_transaction_id",
            ),
            # Integrity rule 2: a money-moving call cannot be recorded without its key.
            models.CheckConstraint(
                condition=~Q(kind__in=["approve", "revise"]) | ~Q(shop_transaction_id=""),
                name="easypay_pgcall_money_call_has_key",
            ),
            # §7: a status query is only ever about an earlier approve/revise call.
            models.CheckConstraint(
                condition=~Q(kind="retrieve") | Q(original_call__isnull=False),
                name="easypay_pgcall_retrieve_names_original",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.shop_transaction_id or self.pk}"


class NotificationQuerySet(models.QuerySet):
    """KICC resends a 노티 until it is acked (§8.1): its copies are the other deliveries with
    the same key (pgCno, notiType, cancelPgCno), the key the "applied once" constraint uses."""

    KEY = ("pg_cno", "noti_type", "cancel_pg_cno")

    def copies_of(self, record, statuses):
        """The other deliveries of `record`'s 노티 that are in one of `statuses`."""
        return self._copies(statuses, record.pk, {name: getattr(record, name) for name in self.KEY})

    def without_copies_in(self, statuses):
        """These 노티, less those with another delivery in one of `statuses` (one query)."""
        return self.exclude(
            Exists(
                self._copies(statuses, OuterRef("pk"), {name: OuterRef(name) for name in self.KEY})
            )
        )

    def _copies(self, statuses, pk, key):
        return self.model._default_manager.filter(status__in=statuses, **key).exclude(pk=pk)


class Notification(models.Model):
    """One 노티 (webhook) delivery, stored raw before it is parsed or applied.

    KICC resends a 노티 until it is acked, even after we processed it (§8.1), so every delivery
    is kept, and the partial unique constraint lets only one row per (pgCno, notiType,
    cancelPgCno) reach "processed": the handler that loses that race marks its row duplicate.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("수신")
        PROCESSED = "processed", _("처리됨")
        DUPLICATE = "duplicate", _("중복")
        IGNORED = "ignored", _("무시")
        FAILED = "failed", _("처리 실패")
        # It would move money and KICC could not confirm it: kept for a person to apply (or
        # dismiss) with the figures of KICC's merchant console, never applied on its own.
        HELD = "held", _("확인 필요")
        DISMISSED = "dismissed", _("확인 후 무시")  # a person found it nowhere in KICC's console

    # The bytes exactly as they arrived (up to 64 KiB), before any decoding: evidence that
    # survives a body no text column could hold (a NUL byte, invalid UTF-8).
    raw_body = models.BinaryField(_("원문"), blank=True, default=bytes)
    headers = fields.JSONField(_("헤더"), default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(_("보낸 IP"), null=True, blank=True)
    received_at = models.DateTimeField(_("수신 시각"), auto_now_add=True, db_index=True)

    # Parsed from the body; empty when it could not be parsed.
    noti_type = fields.CharField(_("노티 종류"), max_length=2, blank=True)
    pg_cno = fields.CharField(_("PG 거래번호"), max_length=20, blank=True, db_index=True)
    cancel_pg_cno = fields.CharField(_("취소 거래번호"), max_length=20, blank=True)
    shop_order_no = fields.CharField(_("주문번호"), max_length=40, blank=True, db_index=True)
    payment = models.ForeignKey(
        settings.EASYPAY_PAYMENT_MODEL,
        verbose_name=_("결제"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="easypay_notifications",
    )

    status = fields.CharField(
        _("처리 상태"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    processed_at = models.DateTimeField(_("처리 시각"), null=True, blank=True)
    error = fields.TextField(_("오류"), blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("노티")
        verbose_name_plural = pgettext_lazy("plural", "노티")
        ordering = ["-received_at"]
        constraints = [
            # §11 rule 8: dedupe on pgCno/cancelPgCno + notiType — applied once, stored always.
            models.UniqueConstraint(
                fields=["pg_cno", "noti_type", "cancel_pg_cno"],
                condition=Q(status="processed"),
                name="easypay_notification_applied_once",
            ),
        ]

    def __str__(self):
        return f"{self.noti_type or '?'} / {self.pg_cno or self.pk}"

    def parsed_body(self) -> dict[str, str] | None:
        """The JSON object that was sent, every value as text (§8.1 sends strings, even amounts)
        with NUL made harmless; None when the body is not a JSON object."""
        try:
            data = json.loads(bytes(self.raw_body or b"").decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        return {
            key: fields.without_nul(value if isinstance(value, str) else str(value))
            for key, value in data.items()
        }

    def shown_body(self) -> str:
        """The body as pages show it: masked as PgCall bodies are (a mobile payment's mobileNo,
        a card number, §8.1); the stored raw_body stays as it was sent."""
        parsed = self.parsed_body()
        if parsed is None:
            return mask_text(self.body_text)
        return json.dumps(mask_body(parsed), ensure_ascii=False, indent=2)

    @property
    def body_text(self) -> str:
        """The raw body as text for people: invalid UTF-8 and control characters made visible."""
        text = bytes(self.raw_body or b"").decode("utf-8", errors="backslashreplace")
        return "".join(c if c.isprintable() or c in "\n\t" else repr(c)[1:-1] for c in text)


class Cancellation(models.Model):
    """One cancel (full or partial), refund to a bank account (60/62/63) or void of a
    payment's approval, whoever started it.

    Saved "requested" before the revise call, like PgCall; a deferred refund KICC took (RF01)
    stays "accepted" until the bank pays it out (노티 50) or refuses it (노티 51). A cancel made elsewhere (KICC's
    merchant console) is learned from a 노티 20 and recorded here too, without a pg_call.
    cancel_pg_cno is unique, so the revise response and the 노티 20 for the same cancel are
    counted once.
    """

    class ReviseType(models.TextChoices):
        # §6.3. The seed's signal vocabulary calls every partial cancel '41'; see cancel_type.
        FULL = "40", _("전체 취소")
        PARTIAL_CARD = "32", _("부분 취소 (카드)")
        PARTIAL_TRANSFER = "33", _("부분 취소 (계좌이체·휴대폰)")
        DEFERRED_FULL_REFUND = "60", _("전체 환불 (익일)")
        DEFERRED_PARTIAL_REFUND = "62", _("부분 환불 (익일)")
        REAL_TIME_REFUND = "63", _("실시간 환불")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("요청")
        DONE = "done", _("완료")
        FAILED = "failed", _("실패")
        UNKNOWN = "unknown", _("결과 모름")
        # A deferred refund KICC took (RF01): the bank pays it out later (노티 50) or refuses
        # the account (노티 51). The amount is reserved at KICC meanwhile.
        ACCEPTED = "accepted", _("환불 처리 중")

    # Not settled yet: one at a time per KICC transaction, and reconcile asks about each.
    IN_FLIGHT = (Status.REQUESTED, Status.UNKNOWN, Status.ACCEPTED)

    class Origin(models.TextChoices):
        ADMIN = "admin", _("관리자")
        SYSTEM = "system", _("자동 취소")  # integrity rules 1 and 4: voiding a bad approval
        SHOP = "shop", _("가맹점 코드")  # services.cancel() called by the shop's own code
        PG = "pg", _("PG 노티")  # cancelled outside the shop, reported by a 노티 20

    payment = models.ForeignKey(
        settings.EASYPAY_PAYMENT_MODEL,
        verbose_name=_("결제"),
        on_delete=models.PROTECT,
        related_name="cancellations",
    )
    revise_type_code = fields.CharField(_("취소 유형"), max_length=2, choices=ReviseType.choices)
    amount = models.PositiveBigIntegerField(_("취소 금액"))
    remaining_before = models.PositiveBigIntegerField(_("취소 전 잔액"))
    remaining_after = models.PositiveBigIntegerField(_("취소 후 잔액"), null=True, blank=True)
    reason = fields.CharField(_("사유"), max_length=100, blank=True)  # reviseMessage (§6.1)
    origin = fields.CharField(_("요청 주체"), max_length=10, choices=Origin.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("요청자"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pg_call = models.ForeignKey(
        PgCall,
        verbose_name=_("PG 호출"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cancellations",
    )
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("노티"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cancellations",
    )
    status = fields.CharField(
        _("상태"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    # A refund's reviseSubTypeCode and the account it is paid into (§6.1 refundInfo): kept
    # because asking what became of a refund repeats them (refundQueryFlag "Y", §9). The
    # pages show the account number masked.
    revise_sub_type_code = fields.CharField(_("세부 유형"), max_length=4, blank=True)
    refund_bank_code = fields.CharField(_("환불 은행"), max_length=3, blank=True)
    refund_account_no = fields.CharField(_("환불 계좌번호"), max_length=14, blank=True)
    refund_depositor_name = fields.CharField(_("예금주"), max_length=50, blank=True)
    # The KICC transaction this cancels (pgCno sent in the revise, oriPgCno in the answer):
    # the payment's own approval, or for a void an approval the shop did not keep.
    pg_cno = fields.CharField(_("원거래 번호"), max_length=20, blank=True)
    cancel_pg_cno = fields.CharField(_("취소 거래번호"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("요청 시각"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("완료 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("취소")
        verbose_name_plural = pgettext_lazy("plural", "취소")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="easypay_cancellation_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=F("remaining_before")),
                name="easypay_cancellation_within_remaining",
            ),
            models.UniqueConstraint(
                fields=["cancel_pg_cno"],
                condition=~Q(cancel_pg_cno=""),
                name="easypay_cancellation_unique_cancel_pg_cno",
            ),
            # One cancel in flight per KICC transaction, whoever asks (admin, void): each revise
            # sends the exact remainAmount (docs/kicc-api.md §6.1), and two at once could not.
            models.UniqueConstraint(
                fields=["pg_cno"],
                condition=Q(status__in=["requested", "unknown", "accepted"]) & ~Q(pg_cno=""),
                name="easypay_cancellation_one_in_flight_per_approval",
            ),
            # One void per approval: the return and a 노티 10 may both find an approval the
            # shop cannot keep; only one of them may send the cancel (a second would be refused
            # by KICC and look like money held). A refused void frees the slot for a retry.
            models.UniqueConstraint(
                fields=["pg_cno"],
                condition=Q(origin="system", status__in=["requested", "unknown", "done"])
                & ~Q(pg_cno=""),
                name="easypay_cancellation_one_void_per_approval",
            ),
        ]

    def __str__(self):
        return f"{self.get_revise_type_code_display()} {self.amount:,}"

    @property
    def is_refund(self) -> bool:
        """Paid back into a bank account (60/62/63), not a card-style cancel (§6.3)."""
        return self.revise_type_code in methods.REFUND_CODES

    @property
    def is_partial(self) -> bool:
        if self.revise_type_code == self.ReviseType.REAL_TIME_REFUND:
            return self.revise_sub_type_code not in methods.FULL_REFUND_SUB_TYPES
        return self.revise_type_code not in (
            self.ReviseType.FULL,
            self.ReviseType.DEFERRED_FULL_REFUND,
        )

    @property
    def refund_account_masked(self) -> str:
        """The refund account with all but its last four digits starred (masking.py)."""
        return mask_account_number(self.refund_account_no) or ""

    @property
    def cancel_type(self) -> str:
        """The signal's vocabulary: '40' full, '41' partial (docs/signals-and-receivers.md)."""
        return "41" if self.is_partial else "40"


class AdminAuditLog(models.Model):
    """Who did what to a payment from the admin (cancel requests, manual reconcile, …)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("작업자"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as text too, so the log still reads right after the account is deleted.
    actor_repr = fields.CharField(_("작업자 이름"), max_length=150, blank=True)
    action = fields.CharField(_("작업"), max_length=50)
    payment = models.ForeignKey(
        settings.EASYPAY_PAYMENT_MODEL,
        verbose_name=_("결제"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="easypay_audit_logs",
    )
    detail = fields.JSONField(_("상세"), default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(_("접속 IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("시각"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("관리 기록")
        verbose_name_plural = pgettext_lazy("plural", "관리 기록")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.actor_repr} {self.action}"


class Announcement(models.Model):
    """A payment signal owed to the shop's receivers — payment_approved or payment_cancelled,
    the ones that announce money moving — written in the same transaction as the status
    change it announces (a transactional outbox).

    It is sent right after that transaction commits and stamped sent. If the process dies in
    between — a killed worker, a deploy — the row stays unsent, and reconcile sends it (once
    it is older than EASYPAY_APPROVING_STALE_AFTER): a paid order is always announced, never
    lost with the process. At least once, then: a process killed in the middle of sending
    may have run some receivers already, which is why the shipped tasks deduplicate.
    """

    class Signal(models.TextChoices):
        REGISTERED = "payment_registered", "payment_registered"
        APPROVED = "payment_approved", "payment_approved"
        FAILED = "payment_failed", "payment_failed"
        CANCELLED = "payment_cancelled", "payment_cancelled"

    payment = models.ForeignKey(
        settings.EASYPAY_PAYMENT_MODEL,
        verbose_name=_("결제"),
        on_delete=models.PROTECT,
        related_name="easypay_announcements",
    )
    signal = fields.CharField(_("신호"), max_length=30, choices=Signal.choices)
    arguments = fields.JSONField(_("인자"), default=dict, blank=True)
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("보낸 시각"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("다시 보낸 횟수"), default=0)

    class Meta:
        verbose_name = _("결제 신호")
        verbose_name_plural = pgettext_lazy("plural", "결제 신호")
        ordering = ["-created_at"]
        indexes = [
            # reconcile's question: which were never sent?
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="easypay_announcement_unsent",
            )
        ]

    def __str__(self):
        return f"{self.signal} {self.payment_id}"
