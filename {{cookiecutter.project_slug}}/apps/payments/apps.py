from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    verbose_name = pgettext_lazy("plural", "결제")

    def ready(self):
        # Connect the receivers in signals.py (docs/signals-and-receivers.md).
        from . import signals  # noqa: F401
