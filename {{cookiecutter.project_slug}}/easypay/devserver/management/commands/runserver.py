"""runserver, paying through its own embedded EasyPay emulator (easypay/devserver/follow.py)."""

from importlib import import_module
from typing import TYPE_CHECKING

from django.apps import apps

from easypay.devserver import follow

APP = "easypay.devserver"


def next_runserver():
    """The runserver this one extends: the next installed app's that has one (whitenoise's
    runserver_nostatic, staticfiles'), else Django's own."""
    installed = [config.name for config in apps.get_app_configs()]
    after = installed[installed.index(APP) + 1 :] if APP in installed else installed
    for name in [*after, "django.core"]:
        path = f"{name}.management.commands.runserver"
        try:
            return import_module(path).Command
        except ModuleNotFoundError as error:
            if error.name and path.startswith(error.name):
                continue  # this app has no runserver
            raise
    raise LookupError("no runserver command")  # unreachable: django.core has one


if TYPE_CHECKING:  # whichever it is, a subclass of Django's
    from django.core.management.commands.runserver import Command as Runserver
else:
    Runserver = next_runserver()


class Command(Runserver):
    def run(self, **options):
        follow.refuse_another_servers_emulator(self.addr, int(self.port))
        super().run(**options)

    def on_bind(self, server_port):
        super().on_bind(server_port)
        self.stdout.write(follow.follow(self.addr, server_port))
