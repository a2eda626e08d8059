"""Starting a payment: the Payment row from the product, then registration at EasyPay.

Everything sent to KICC is decided here on the server: the amount is the product's price
(integrity rule 1 — a browser can post whatever it likes; only the method the buyer picked,
checked against the offered ones in forms.py, is read), the goods name is cleaned to what KICC
accepts (docs/kicc-api.md §2, §3.1).
"""

import logging

from django.urls import reverse

from easypay import services
from easypay.services import sources
from easypay.validation import fit_text, refused_by_kicc

from .device import device_type_code
from .models import Payment, Product

logger = logging.getLogger(__name__)

GOODS_NAME_MAX_BYTES = 50  # orderInfo.goodsName: String 50 (§3.1), counted in UTF-8 bytes
USER_AGENT_MAX_CHARS = 500  # enough to tell the browser; a header is not a place to store essays


def goods_name_for(product: Product) -> str:
    """The product's name as KICC accepts it: §2's forbidden characters and 4-byte characters
    (emoji) removed, whitespace collapsed, cut to 50 UTF-8 bytes on a character boundary."""
    # Whitespace (tabs, newlines: control characters KICC refuses) becomes one plain space.
    kept = "".join(
        " " if c.isspace() else c for c in product.name if c.isspace() or not refused_by_kicc(c)
    )
    cleaned = " ".join(kept.split())
    if not cleaned:  # a name made only of emoji: KICC still needs a goodsName
        cleaned = str(product._meta.verbose_name)
    return fit_text(cleaned, GOODS_NAME_MAX_BYTES)


def client_ip(request) -> str | None:
    """The buyer's address: REMOTE_ADDR, or what a proxy named in EASYPAY_TRUSTED_PROXIES
    reports in X-Forwarded-For — never that header from an unknown peer."""
    return sources.client_ip(request.META)


def start_checkout(request, product: Product, *, pay_method_type_code: str = "00") -> str:
    """Create the payment for the logged-in buyer and register it; returns the authPageUrl.
    pay_method_type_code: the method the buyer picked (CheckoutForm), "00" for the window's
    choice. Raises services.PaymentError (a message for the buyer) when registration fails."""

    user_agent = request.headers.get("user-agent", "")[:USER_AGENT_MAX_CHARS]
    ip = client_ip(request)
    payment = Payment.objects.create(
        user=request.user,
        product=product,
        amount=product.price,
        goods_name=goods_name_for(product),
        client_ip=ip,
        user_agent=user_agent,
    )
    return_url = request.build_absolute_uri(reverse("easypay:return", args=[payment.public_token]))
    return services.register(
        payment,
        pay_method_type_code=pay_method_type_code,
        return_url=return_url,
        device_type_code=device_type_code(user_agent),
        client_ip=ip,
        user_agent=user_agent,
    )
