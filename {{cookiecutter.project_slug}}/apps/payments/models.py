"""The shop's own payment models (Product, Payment) build on easypay.models."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from easypay.models import AbstractPayment


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
        verbose_name_plural = _("상품")
        ordering = ["price", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0), name="payments_product_price_positive"
            ),
        ]

    def __str__(self):
        return self.name


class Payment(AbstractPayment):
    """A user's payment for a product: ``payment.user.phone`` and ``payment.product.name`` are
    what the receivers in signals.py read (seed-signals.md)."""

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
        verbose_name_plural = _("결제")
        permissions = [("cancel_payment", "결제 취소 가능")]
