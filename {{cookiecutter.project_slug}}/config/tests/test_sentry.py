import pytest
import sentry_sdk
from django.http import HttpResponse
from sentry_sdk.integrations.django import DjangoIntegration

from config.request_id import RequestIdMiddleware
from config.sentry import init_sentry

DSN = "https://public@sentry.example.com/1"


@pytest.fixture
def started():
    """init_sentry(...) for the test, then back to a client that sends nothing."""
    yield lambda **options: (init_sentry(DSN, **options), sentry_sdk.get_client())[1]
    sentry_sdk.init()


def test_sentry_starts_with_the_django_integration_and_without_personal_data(started):
    client = started()

    assert client.is_active()
    assert client.dsn == DSN
    collection = client.options["data_collection"]
    assert collection["user_info"] is False
    assert collection["http_bodies"] == []
    assert collection["stack_frame_variables"] is False
    assert client.get_integration(DjangoIntegration) is not None
    assert client.options["traces_sample_rate"] == 0.0  # errors only, unless told


def test_sentry_traces_the_share_of_requests_it_is_given(started):
    client = started(traces_sample_rate=0.25)

    assert client.options["traces_sample_rate"] == 0.25


@pytest.mark.django_db  # closing the response closes old database connections too
def test_an_error_reported_during_a_request_carries_its_request_id(started, rf):
    before_send = started().options["before_send"]
    sent = {}

    def view(request):
        sent["event"] = before_send({"message": "boom"}, {})
        return HttpResponse()

    response = RequestIdMiddleware(view)(rf.get("/", headers={"X-Request-ID": "req-12345678"}))
    response.close()  # as the server does: the request is over

    assert sent["event"]["tags"] == {"request_id": "req-12345678"}
    assert before_send({"message": "later"}, {}) == {"message": "later"}


def test_an_error_outside_a_request_has_no_request_id(started):
    before_send = started().options["before_send"]

    assert before_send({"message": "worker"}, {}) == {"message": "worker"}
