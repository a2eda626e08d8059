"""CSV export of payments for the admin: Korean headers, KST times, masked cards.

Cells are made safe for spreadsheets (CSV injection, OWASP): a text cell starting with
= + - @ (or a tab / carriage return) would be run as a formula by Excel or Sheets, so it gets
a leading apostrophe. A goods name or a buyer's name is typed by people, hence the care.
"""

import csv
from collections.abc import Callable, Iterable, Sequence

from django.http import HttpResponse
from django.utils import timezone

from . import kst

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Column = tuple[str, Callable[[object], object]]


def spreadsheet_safe(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_response(rows: Iterable[object], columns: Sequence[Column], *, name: str) -> HttpResponse:
    """A downloadable CSV; UTF-8 with a BOM so Excel shows Hangul right."""
    stamp = kst.datetime_text(timezone.now())[:12]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([spreadsheet_safe(str(header)) for header, _ in columns])
    for row in rows:
        writer.writerow([spreadsheet_safe(value(row)) for _, value in columns])
    return response
