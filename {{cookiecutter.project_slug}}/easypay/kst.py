"""KICC's clock: every date sent to or read from EasyPay is Korea Standard Time
(integrity rule 6, docs/payment-lifecycle.md).

The server may run in UTC (most hosts do); KICC's "today" starts at 00:00 in Seoul, so a
request at 23:30 UTC is already dated the next day.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

KST = ZoneInfo("Asia/Seoul")


def now() -> datetime:
    return timezone.now().astimezone(KST)


def today() -> date:
    return now().date()


def date_text(day: date | None = None) -> str:
    """yyyyMMdd, as approvalReqDate / cancelReqDate / transactionDate want it (§5.1, §6.1, §7)."""
    return (day or today()).strftime("%Y%m%d")


def datetime_text(moment: datetime | None = None) -> str:
    """yyyyMMddHHmmss in KST, the shape of a response's transactionDate (§5.2)."""
    return (moment or now()).astimezone(KST).strftime("%Y%m%d%H%M%S")


def parse_date_text(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()


def parse_datetime_text(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=KST)


def is_yesterday_or_today(day: date) -> bool:
    """retrieveTransaction only covers these two KST days (§7)."""
    return today() - timedelta(days=1) <= day <= today()
