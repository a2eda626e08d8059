"""Checkout: register the transaction with KICC (§3) and hand back the window's address."""

import ipaddress
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from easypay import methods
from easypay.client import get_client
from easypay.exceptions import Declined, EasyPayError, InvalidRequest
from easypay.models import PgCall
from easypay.signals import payment_registered
from easypay.states import PaymentStatus
from easypay.validation import fit_text

from .errors import PaymentError
from .records import call_of, log_call
from .transitions import announce, fail

logger = logging.getLogger("easypay.services")

REGISTER_FAILED = _("결제를 시작하지 못했습니다. 잠시 후 다시 시도해 주세요.")


def register(
    payment,
    *,
    return_url: str,
    device_type_code: str,
    client_ip: str | None = None,
    user_agent: str = "",
    pay_method_type_code: str = methods.ANY,
) -> str:
    """Register `payment` (saved, pending, its amount set by the server from the product —
    integrity rule 1) and return authPageUrl, where the buyer's browser goes next.

    On failure the payment is failed (payment_failed, stage "registration") and PaymentError
    is raised with a message for the buyer. Register moves no money (the window approves
    nothing by itself, §4), so its PgCall is written after the call, in one insert.
    """
    if payment.status != PaymentStatus.PENDING:
        raise PaymentError(_("이미 진행된 결제입니다."), code="not_pending")
    try:
        result = get_client().register(
            shop_order_no=payment.shop_order_no,
            amount=payment.amount,
            goods_name=fit_text(payment.goods_name, 50),  # goodsName: 50 bytes (§3.1)
            return_url=return_url,
            device_type_code=device_type_code,
            pay_method_type_code=pay_method_type_code,  # "00": the buyer chooses in the window
        )
    except (EasyPayError, InvalidRequest) as error:
        logger.warning("register failed for %s: %s", payment, error)
        code = error.res_cd if isinstance(error, Declined) else getattr(error, "kind", "invalid")
        with transaction.atomic():
            log_call(payment, PgCall.Kind.REGISTER, call_of(error), error=str(error))
            fail(
                payment,
                expected=[PaymentStatus.PENDING],
                code=code,
                message=getattr(error, "res_msg", "") or REGISTER_FAILED,
                stage="registration",
            )
        raise PaymentError(REGISTER_FAILED, code=code) from error

    now = timezone.now()
    registered = {
        "auth_page_url": result.auth_page_url,
        "registered_at": now,
        "client_ip": _ip_or_none(client_ip),
        "user_agent": (user_agent or "")[:1000],
        "updated_at": now,
    }
    with transaction.atomic():
        log_call(payment, PgCall.Kind.REGISTER, result.call)
        updated = (
            type(payment)
            ._default_manager.filter(pk=payment.pk, status=PaymentStatus.PENDING)
            .update(**registered)
        )
        if not updated:  # expired (or failed) while KICC answered: do not send the buyer on
            raise PaymentError(_("결제 시간이 초과되었습니다. 다시 시도해 주세요."), code="expired")
        for name, value in registered.items():  # the row is what we just wrote: no re-read
            setattr(payment, name, value)
        announce(payment_registered, payment)
    return payment.auth_page_url


def _ip_or_none(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None
