"""Model fields that can store any text a browser, a 노티 sender or KICC can send.

PostgreSQL refuses the NUL character (U+0000) in text and jsonb columns ("A string literal
cannot contain NUL (0x00) characters"). A return form field, a 노티 or a KICC answer carrying
one would make the write fail — possibly after KICC moved money, and always as an HTTP 500.
These fields replace NUL with U+FFFD (the Unicode replacement character) on the way into the
database, on every backend, so SQLite and PostgreSQL store the same thing. The bytes of a 노티
exactly as they arrived are kept apart, in Notification.raw_body (a BinaryField).

Every text column of easypay's models uses them but one: AbstractPayment.auth_page_url is still
Django's URLField, filled from KICC's register answer, so a NUL there would still fail the write
on PostgreSQL. A shop's own models may use them too.
"""

from django.db import models

NUL = "\x00"
REPLACEMENT = "\ufffd"


def without_nul(value):
    """`value` with NUL replaced in every string, also inside dicts and lists (JSON)."""
    if isinstance(value, str):
        return value.replace(NUL, REPLACEMENT) if NUL in value else value
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(item) for item in value]
    return value


class CharField(models.CharField):
    def get_prep_value(self, value):
        return without_nul(super().get_prep_value(value))


class TextField(models.TextField):
    def get_prep_value(self, value):
        return without_nul(super().get_prep_value(value))


class JSONField(models.JSONField):
    def get_prep_value(self, value):
        return super().get_prep_value(without_nul(value))
