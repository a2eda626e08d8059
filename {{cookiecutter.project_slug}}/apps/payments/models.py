"""The shop's own payment models (Product, Payment) build on easypay.models."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from easypay.models import AbstractPayment
from easypay.states import PaymentStatus


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Product(models.Model):
    """Something the shop sells. Its price is the only source of a payment's amount
    (integrity rule 1: never an amount from the browser)."""

    name = models.CharField(_("상품명"), max_length=50)  # sent as goodsName (50, §3.1)
    price = models.PositiveBigIntegerField(_("가격 (원)"))
    description = models.TextField(_("설명"), blank=True)
    active = models.BooleanField(_("판매 중"), default=True)
    created_at = models.DateTimeField(_("등록 시각"), auto_now_add=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("상품")
        verbose_name_plural = pgettext_lazy("plural", "상품")
        ordering = ["price", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0), name="payments_product_price_positive"
            ),
        ]

    def __str__(self):
        return self.name


RECEIPT_STATUSES = {
    PaymentStatus.PAID,
    PaymentStatus.PARTIALLY_CANCELLED,
    PaymentStatus.CANCELLED,
}


class Payment(AbstractPayment):
    """A user's payment for a product: ``payment.user.phone`` and ``payment.product.name`` are
    what the receivers in signals.py read (docs/signals-and-receivers.md)."""

    # PROTECT: payment records outlive accounts and products (they are the shop's books).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("구매자"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("상품"),
        on_delete=models.PROTECT,
        related_name="payments",
    )

    class Meta(AbstractPayment.Meta):
        # easypay's records point here through settings.EASYPAY_PAYMENT_MODEL.
        swappable = "EASYPAY_PAYMENT_MODEL"
        verbose_name = _("결제")
        verbose_name_plural = pgettext_lazy("plural", "결제")
        permissions = [("cancel_payment", "결제 취소 가능")]

    def get_absolute_url(self) -> str:
        # The result page, by the unguessable token (integrity rule 7), never the id.
        return reverse("payments:detail", args=[self.public_token])

    @property
    def has_receipt(self) -> bool:
        """A receipt is for money that moved: paid, and what was later cancelled of it (a
        virtual account voided before any deposit is "cancelled" too, but was never paid:
        no paid_at)."""
        return self.status in RECEIPT_STATUSES and self.paid_at is not None


class SentNotification(models.Model):
    """A message a task sent about a payment, at most once per (payment, kind).

    The tasks in tasks.py claim this row before they send: a task that runs twice (a queue
    redelivering it, or someone re-enqueueing it) finds the row and does not send again. The
    unique constraint settles two runs racing for the same claim.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("보내는 중")  # claimed; stays so if the worker died mid-send
        SENT = "sent", _("보냄")
        LOGGED = "logged", _("기록만 함")  # no credentials: the message went to the log
        FAILED = "failed", _("실패")  # the API refused or did not answer; may be retried

    payment = models.ForeignKey(
        Payment,
        verbose_name=_("결제"),
        on_delete=models.PROTECT,
        related_name="sent_notifications",
    )
    # The notification_type a task was given, e.g. the channel's name.
    kind = models.CharField(_("종류"), max_length=30)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices)
    error = models.TextField(_("오류"), blank=True)
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)
    updated_at = models.DateTimeField(_("수정 시각"), auto_now=True)

    class Meta:
        verbose_name = _("보낸 알림")
        verbose_name_plural = pgettext_lazy("plural", "보낸 알림")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "kind"], name="payments_sentnotification_once"
            ),
        ]

    def __str__(self):
        return f"{self.payment_id} {self.kind} {self.status}"


class PaymentReport(models.Model):
    """The shop's record of an approved payment, written once by generate_payment_report:
    what was sold, to whom, for how much, as the PG confirmed it (for the books)."""

    payment = models.OneToOneField(
        Payment,
        verbose_name=_("결제"),
        on_delete=models.PROTECT,
        related_name="report",
    )
    data = models.JSONField(_("내용"))
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)

    class Meta:
        verbose_name = _("결제 보고서")
        verbose_name_plural = pgettext_lazy("plural", "결제 보고서")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return str(self.payment)
