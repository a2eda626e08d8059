import pytest
import requests

from apps.payments.notifications.delivery import TIMEOUT, NotificationError, post_json

SECRET_URL = "https://hooks.example.com/services/T000/B000/SECRET-PART"


def test_the_request_carries_a_short_explicit_timeout(mocked):
    mocked.post(SECRET_URL, body="ok")

    post_json("Test", SECRET_URL, {"text": "hi"})

    assert mocked.calls[0].request.req_kwargs["timeout"] == TIMEOUT
    assert max(TIMEOUT) <= 10


@pytest.mark.parametrize(
    "failure",
    [
        requests.ConnectTimeout(f"Max retries exceeded with url: {SECRET_URL}"),
        requests.ReadTimeout(f"Read timed out. (url: {SECRET_URL})"),
        requests.ConnectionError(f"Max retries exceeded with url: {SECRET_URL}"),
    ],
)
def test_a_transport_failure_raises_without_quoting_the_url(mocked, failure):
    # requests quotes the URL in its messages; for some channels the URL is the secret.
    mocked.post(SECRET_URL, body=failure)

    with pytest.raises(NotificationError) as error:
        post_json("Test", SECRET_URL, {"text": "hi"})

    assert "SECRET-PART" not in str(error.value)
    assert error.value.__context__ is None
    assert error.value.__cause__ is None


def test_a_read_timeout_says_the_message_may_have_been_delivered(mocked):
    mocked.post(SECRET_URL, body=requests.ReadTimeout("Read timed out."))

    with pytest.raises(NotificationError, match="may still have been delivered"):
        post_json("Test", SECRET_URL, {"text": "hi"})


def test_a_redirect_is_returned_not_followed(mocked):
    mocked.post(SECRET_URL, status=302, headers={"Location": "https://elsewhere.example.com/"})

    response = post_json("Test", SECRET_URL, {"text": "hi"})

    assert response.status_code == 302
    assert len(mocked.calls) == 1
