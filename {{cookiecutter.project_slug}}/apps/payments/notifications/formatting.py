"""Text helpers shared by the approval messages of every channel."""

from django.utils.translation import gettext as _


def won(amount: int) -> str:
    """12345 → "12,345원": Korean won have no minor unit, thousands are comma-separated."""
    return _("%(amount)s원") % {"amount": f"{int(amount):,}"}
