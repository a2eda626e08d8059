"""The shop's admin: products, and payments through easypay's PaymentAdminMixin (status badges,
KRW amounts, PG records inline, reconcile / cancel / CSV actions, KST totals)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from easypay.admin import PaymentAdminMixin

from .models import Payment, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "price", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name",)


@admin.register(Payment)
class PaymentAdmin(PaymentAdminMixin, admin.ModelAdmin):
    list_display = (
        "shop_order_no",
        "user",
        "product",
        *PaymentAdminMixin.list_display[1:],
    )
    list_select_related = ("user", "product")
    search_fields = (
        *PaymentAdminMixin.search_fields,
        "user__username",
        "user__email",
        "user__phone",
        "product__name",
    )
    list_filter = (*PaymentAdminMixin.list_filter, "product")

    def get_csv_columns(self, request):
        return [
            *super().get_csv_columns(request),
            (_("구매자"), lambda payment: payment.user.get_username()),
            (_("상품"), lambda payment: payment.product.name),
        ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "product")
