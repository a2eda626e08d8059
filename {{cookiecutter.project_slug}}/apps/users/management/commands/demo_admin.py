"""Create (or reset) the demo's admin account and print its credentials. Development only."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

USERNAME = "admin"


class Command(BaseCommand):
    help = "Create or reset the demo admin with a fresh random password and print it (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="the address of the dev server that serves the admin (make demo passes PORT)",
        )

    def handle(self, *args, url, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_admin only runs with DEBUG on: a printed password has no place in production. "
                "Use `manage.py createsuperuser` there."
            )
        password = secrets.token_urlsafe(12)
        user, _created = get_user_model().objects.get_or_create(username=USERNAME)
        user.is_staff = user.is_superuser = True
        user.email = user.email or "admin@example.com"
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: {url.rstrip('/')}{reverse('admin:index')}  "
                f"username {USERNAME}  password {password}"
            )
        )
