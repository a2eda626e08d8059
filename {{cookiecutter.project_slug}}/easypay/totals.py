"""Today / this week / this month takings, with days that start at midnight in Seoul.

KICC settles by KST day (integrity rule 6) and so does the shop's bookkeeping: a payment at
23:30 UTC belongs to the next KST day. Counted by when the money arrived (paid_at); what was
later cancelled of those payments is subtracted.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from . import kst

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class PeriodTotal:
    label: str
    start: datetime  # aware, KST midnight
    count: int
    amount: int
    cancelled: int

    @property
    def net(self) -> int:
        return self.amount - self.cancelled


def period_starts(now: datetime | None = None) -> list[tuple["StrPromise", datetime]]:
    """KST midnight of today, of this week's Monday and of the month's first day."""
    moment = (now or kst.now()).astimezone(kst.KST)
    today = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        (_("오늘"), today),
        (_("이번 주"), today - timedelta(days=today.weekday())),
        (_("이번 달"), today.replace(day=1)),
    ]


def payment_totals(payments, now: datetime | None = None) -> list[PeriodTotal]:
    """payments: a queryset of the payment model. Three small aggregate queries."""
    moment = now or kst.now()
    received = payments.filter(paid_at__isnull=False, paid_at__lte=moment)
    totals = []
    for label, start in period_starts(moment):
        row = received.filter(paid_at__gte=start).aggregate(
            count=Count("pk"), amount=Sum("amount"), cancelled=Sum("cancelled_amount")
        )
        totals.append(
            PeriodTotal(
                label=str(label),
                start=start,
                count=row["count"],
                amount=row["amount"] or 0,
                cancelled=row["cancelled"] or 0,
            )
        )
    return totals
