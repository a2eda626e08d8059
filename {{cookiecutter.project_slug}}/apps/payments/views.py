"""The shop's pages: products, checkout, a payment's result, my payments and receipts.

Only checkout talks to EasyPay (through easypay.services); the pages that show a payment
read the database and nothing else. The return from the window and the 노티 are easypay's
views (easypay/urls.py) — they are the only CSRF-exempt endpoints.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from easypay import services
from easypay.views import within_request_budget

from .cancellations import rows_for_flagged, with_cancellation_flag
from .checkout import start_checkout
from .forms import CheckoutForm
from .models import RECEIPT_STATUSES, Payment, Product

PAYMENTS_PER_PAGE = 20
# Statuses that change without the buyer doing anything: the page reloads itself until the
# services (reconcile, 노티) settle them.
SELF_REFRESHING = {Payment.Status.APPROVING, Payment.Status.UNKNOWN}
REFRESH_SECONDS = 5


@require_GET
def product_list(request):
    return render(request, "payments/product_list.html", {"products": Product.objects.active()})


@require_GET
def product_detail(request, pk):
    product = get_object_or_404(Product.objects.active(), pk=pk)
    return render(
        request, "payments/product_detail.html", {"product": product, "form": CheckoutForm()}
    )


@require_POST
@within_request_budget
def checkout(request, pk):
    """Create the payment at the product's price and send the buyer to KICC's window.

    Only the payment method is read from the POST body (CheckoutForm: one of the offered
    codes, or none for the window's choice); whatever amount or name a browser sends is
    ignored (rule 1). A method not offered is refused before any payment is made.
    """
    product = get_object_or_404(Product.objects.active(), pk=pk)
    product_url = reverse("payments:product", args=[product.pk])
    if not request.user.is_authenticated:
        # Back to the product page after login, not to this POST-only URL.
        return redirect_to_login(product_url)

    form = CheckoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.refusal())
        return redirect(product_url)
    try:
        auth_page_url = start_checkout(
            request, product, pay_method_type_code=form.cleaned_data["pay_method"]
        )
    except services.PaymentError as error:
        messages.error(request, error.message)
        return redirect(product_url)
    return redirect(auth_page_url)


def _payment_for(request, token) -> Payment:
    """The buyer's own payment, or any payment for staff who may view payments in the admin
    (payments.view_payment); 404 for everyone else, so a token that is not yours looks
    exactly like one that does not exist."""
    payments = with_cancellation_flag(Payment.objects.select_related("product", "user"))
    if not (request.user.is_staff and request.user.has_perm(VIEW_ANY_PAYMENT)):
        payments = payments.filter(user=request.user)
    return get_object_or_404(payments, public_token=token)


VIEW_ANY_PAYMENT = f"{Payment._meta.app_label}.view_{Payment._meta.model_name}"


@login_required
@require_GET
def payment_detail(request, token):
    payment = _payment_for(request, token)
    return render(
        request,
        "payments/payment_detail.html",
        {
            "payment": payment,
            # Cancels and refunds exist only for money that moved (or was cancelled since).
            "cancellations": (
                rows_for_flagged(payment) if payment.status in RECEIPT_STATUSES else []
            ),
            "refresh_seconds": REFRESH_SECONDS if payment.status in SELF_REFRESHING else None,
        },
    )


@login_required
@require_GET
def receipt(request, token):
    payment = _payment_for(request, token)
    if not payment.has_receipt:
        raise Http404("no receipt for this payment yet")
    return render(
        request,
        "payments/receipt.html",
        {"payment": payment, "cancellations": rows_for_flagged(payment)},
    )


@login_required
@require_GET
def my_payments(request):
    payments = Payment.objects.filter(user=request.user).select_related("product")
    page = Paginator(payments, PAYMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/my_payments.html",
        {"page": page, "payments": page.object_list},
    )
