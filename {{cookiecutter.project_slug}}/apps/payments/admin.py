"""Basic admin for the shop's products and payments (the payment actions come with the services)."""

from django.contrib import admin

from .models import Payment, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "price", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name",)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = (
        "shop_order_no",
        "user",
        "product",
        "amount",
        "cancelled_amount",
        "status",
        "created_at",
    )
    list_filter = ("status", "pay_method_type_code", "created_at")
    list_select_related = ("user", "product")
    search_fields = ("shop_order_no", "pg_cno", "user__username", "user__phone")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        # Everything here was decided by the payment flow or told by the PG: an edit in the
        # admin would make the shop's books disagree with KICC's. Status changes go through
        # the services (easypay/states.py), never through this form.
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False  # a payment exists only through checkout

    def has_delete_permission(self, request, obj=None):
        return False  # payment records are the shop's books
