"""How money, times and card numbers are shown to people (shop pages, admin, CSV).

One place, so a receipt, the admin list and an export never disagree: whole won with
thousands separators, times in KST whatever the server's zone (integrity rule 6: KICC's
day is Seoul's), card numbers masked even if a full one was ever stored.
"""

from datetime import datetime

from django.utils.translation import gettext as _

from . import kst, methods
from .masking import mask_card_number

KST_FORMAT = "%Y-%m-%d %H:%M"


def krw(amount: int | None) -> str:
    """12345 → "12,345원" (the won has no minor unit)."""
    if amount is None:
        return ""
    return _("%(amount)s원") % {"amount": f"{int(amount):,}"}


def kst_datetime(moment: datetime | None, fmt: str = KST_FORMAT) -> str:
    """An aware datetime as Seoul wall-clock time, e.g. "2026-04-01 09:05"."""
    if moment is None:
        return ""
    return moment.astimezone(kst.KST).strftime(fmt)


def masked_card(number: str | None) -> str:
    return str(mask_card_number(number or ""))


def pay_method_label(code: str | None) -> str:
    """payMethodTypeCode (§10.1) as words; the code itself when KICC adds a new one."""
    return methods.method_name(code or "")  # one table of names: easypay.methods
