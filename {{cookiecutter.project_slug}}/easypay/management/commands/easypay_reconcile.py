"""`python manage.py easypay_reconcile` — the periodic reconcile (easypay.services.reconciliation)."""

from django.core.management.base import BaseCommand

from easypay.services import reconcile_all


class Command(BaseCommand):
    help = (
        "Settle payments and cancels whose outcome is unknown (asking KICC with the original "
        "key), expire abandoned checkouts, and report where KICC and the database differ."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-compare",
            action="store_true",
            help="Skip comparing recent approvals with KICC (one status query per payment).",
        )

    def handle(self, *args, no_compare=False, **options):
        report = reconcile_all(compare=not no_compare)
        for line in report.lines():
            self.stdout.write(line)
        if report.differences or report.unresolved:
            self.stderr.write(
                self.style.WARNING("Some payments need a look (see above and the admin).")
            )
