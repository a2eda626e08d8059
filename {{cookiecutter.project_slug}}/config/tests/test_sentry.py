import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

from config.sentry import init_sentry


def test_sentry_starts_with_the_django_integration_and_without_personal_data():
    init_sentry("https://public@sentry.example.com/1")
    try:
        client = sentry_sdk.get_client()

        assert client.is_active()
        assert client.dsn == "https://public@sentry.example.com/1"
        collection = client.options["data_collection"]
        assert collection["user_info"] is False
        assert collection["http_bodies"] == []
        assert collection["stack_frame_variables"] is False
        assert client.get_integration(DjangoIntegration) is not None
    finally:
        sentry_sdk.init()  # back to a client that sends nothing
