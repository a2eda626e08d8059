"""The database cache's table, made by every `migrate` (a post_migrate receiver).

Production without Redis counts the login and signup throttles in Django's database cache
(config/settings/production.py), whose table is not a migration: Django makes it with
`createcachetable`. Running that after each migrate means no deploy step can forget it, and a
shop that switches its cache to the database later gets the table on its next migrate. It is
idempotent and does nothing when no cache is a database cache (development, tests).
"""

from django.core.management import call_command


def create(sender, using="default", verbosity=1, **kwargs) -> None:
    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))
