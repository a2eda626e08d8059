"""`python manage.py easypay_emulator --port 9100`: the EasyPay emulator on its own port.

Point the shop at it with EASYPAY_API_URL=http://127.0.0.1:9100. Refuses to run with DEBUG
off: the emulator approves anything, so it must never be reachable in production.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the local EasyPay emulator (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9100)
        parser.add_argument(
            "--database", help="SQLite file (default: settings.EASYPAY_EMULATOR['DATABASE'])"
        )

    def handle(self, *args, host, port, database, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The EasyPay emulator only runs with DEBUG on; it must never face real traffic."
            )
        from easypay.emulator.engine import Emulator
        from easypay.emulator.server import EmulatorServer

        server = EmulatorServer(Emulator.from_settings(database), host, port)
        self.stdout.write(f"EasyPay emulator on {server.url}  (EASYPAY_API_URL={server.url})")
        self.stdout.write(f"State: {server.emulator.store.path}. Quit with CONTROL-C.")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.httpd.server_close()
