"""Reading the pages a buyer sees, without a browser: their forms and a payment's status."""

import re
from html.parser import HTMLParser

# payments/payment_detail.html: <span class="status status-paid">…</span>
_STATUS = re.compile(r'class="status status-([a-z_]+)"')


class Forms(HTMLParser):
    """The forms of a page: action, method, hidden/text inputs, checked radio buttons and
    checkboxes, and submit buttons."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": attrs.get("action", ""),
                    "method": attrs.get("method", "get").lower(),
                    "fields": {},
                    "buttons": [],
                }
            )
        elif tag == "input" and self.forms and attrs.get("name"):
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                return  # a browser sends only the checked one (the pay method's default)
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and self.forms and attrs.get("name"):
            self.forms[-1]["buttons"].append((attrs["name"], attrs.get("value", "")))

    def with_button(self, name: str, value: str) -> dict:
        """The form with that submit button; StopIteration when the page has none."""
        return next(f for f in self.forms if (name, value) in f["buttons"])


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def links(html: str) -> list[str]:
    """Every <a href> of a page, in order."""
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def payment_status(html: str) -> str | None:
    """The status a payment page shows (paid, failed, awaiting_deposit…), None if it shows none."""
    found = _STATUS.search(html)
    return found.group(1) if found else None
