"""PostgreSQL as the tests use it (config/settings/test.py switches to it when DATABASE_URL names
PostgreSQL): Django's own backend, but a test that commits is undone with DELETE, not TRUNCATE.

Tests that commit (`django_db(transaction=True)`: the payment services, whose transactions,
row locks and on_commit hooks must be real) are undone by emptying every table. PostgreSQL's
TRUNCATE gives each table a new file and, at commit, scans the whole buffer pool for the old
ones: about 130 ms of server CPU per test for this project's tables, against 2 ms for DELETE
on tables a test filled with a few rows. The rows go either way; ids are not reset by either.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        # Restarting ids (reset_sequences) or cascading to tables outside the list
        # (allow_cascade, for available_apps) is TRUNCATE's job: Django's statement.
        if reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # Any order: Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, and the flush
        # runs in one transaction, so they are checked once every table is empty.
        return [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
