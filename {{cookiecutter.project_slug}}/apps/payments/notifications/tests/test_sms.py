import hashlib
import hmac
import json
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest

from apps.payments.notifications.delivery import NotificationError
from apps.payments.notifications.sms import approval_text, send_sms

SEND_URL = "https://api.solapi.com/messages/v4/send"
API_KEY = "NCSAYU7YDBXYORXC"
API_SECRET = "SECRET-api-secret-value"
ACCEPTED = {
    "groupId": "G4V202009091423236IK8I5YYTFB09VE",
    "messageId": "M4V20200909142323TVYRX0MQPPPXD3W",
    "accountId": "12925149",
    "statusCode": "2000",
    "statusMessage": "정상 접수(이통사로 접수 예정) ",
    "to": "01012345678",
    "from": "029302266",
    "type": "SMS",
    "country": "82",
}
HEADER = re.compile(
    r"HMAC-SHA256 apiKey=(?P<key>[^,]+), date=(?P<date>[^,]+), "
    r"salt=(?P<salt>[^,]+), signature=(?P<signature>[0-9a-f]{64})"
)


@pytest.fixture
def configured(settings):
    settings.SOLAPI_API_KEY = API_KEY
    settings.SOLAPI_API_SECRET = API_SECRET
    settings.SMS_SENDER = "029302266"
    return settings


def expected_signature(date, salt):
    """SOLAPI's documented formula: hex HMAC-SHA256, key = API secret, data = date + salt."""
    return hmac.new(API_SECRET.encode(), f"{date}{salt}".encode(), hashlib.sha256).hexdigest()


def test_the_request_is_signed_and_shaped_as_solapi_documents(configured, mocked):
    mocked.post(SEND_URL, json=ACCEPTED)
    date, salt = "2019-07-01T00:41:48Z", "jqsba2jxjnrjor"

    assert send_sms("01012345678", "결제가 완료되었습니다.", date=date, salt=salt) is True

    request = mocked.calls[0].request
    assert request.url == SEND_URL
    assert request.method == "POST"
    assert request.headers["Authorization"] == (
        f"HMAC-SHA256 apiKey={API_KEY}, date=2019-07-01T00:41:48Z, salt=jqsba2jxjnrjor, "
        f"signature={expected_signature(date, salt)}"
    )
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {
        "message": {"to": "01012345678", "from": "029302266", "text": "결제가 완료되었습니다."}
    }


def test_phone_numbers_are_sent_as_digits_only(configured, mocked):
    configured.SMS_SENDER = "02-930-2266"
    mocked.post(SEND_URL, json=ACCEPTED)

    send_sms("010-1234-5678", "hi")

    message = json.loads(mocked.calls[0].request.body)["message"]
    assert (message["to"], message["from"]) == ("01012345678", "029302266")


def test_each_request_is_signed_with_the_current_utc_time_and_a_fresh_salt(configured, mocked):
    mocked.post(SEND_URL, json=ACCEPTED)
    mocked.post(SEND_URL, json=ACCEPTED)

    send_sms("01012345678", "one")
    send_sms("01012345678", "two")

    headers = [HEADER.fullmatch(call.request.headers["Authorization"]) for call in mocked.calls]
    assert all(headers)
    for header in headers:
        assert header["key"] == API_KEY
        # ISO 8601 in UTC as SOLAPI's docs write it; the server refuses ±15 minutes of skew.
        sent_at = datetime.strptime(header["date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert abs(datetime.now(UTC) - sent_at) < timedelta(minutes=1)
        assert 12 <= len(header["salt"].encode()) <= 64
        assert header["signature"] == expected_signature(header["date"], header["salt"])
    # A signature reused within 15 minutes is refused (DuplicatedSignature).
    assert headers[0]["salt"] != headers[1]["salt"]


def test_emoji_are_dropped_from_the_text(configured, mocked):
    mocked.post(SEND_URL, json=ACCEPTED)

    send_sms("01012345678", "💰 결제 완료 ✓")

    # Outside the Basic Multilingual Plane goes; ✓ (U+2713, 3 bytes) stays.
    assert json.loads(mocked.calls[0].request.body)["message"]["text"] == " 결제 완료 ✓"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "ValidationError"),
        (403, "SignatureDoesNotMatch"),
        (403, "RequestTimeTooSkewed"),
        (500, "InternalError"),
    ],
)
def test_an_error_answer_raises_with_solapis_error_code(configured, mocked, status, code):
    mocked.post(SEND_URL, status=status, json={"errorCode": code, "errorMessage": "설명"})

    with pytest.raises(NotificationError, match=code) as error:
        send_sms("01012345678", "hi")

    assert f"HTTP {status}" in str(error.value)


def test_an_error_code_in_a_200_answer_raises(configured, mocked):
    mocked.post(SEND_URL, json={"errorCode": "NotEnoughBalance", "errorMessage": "잔액 부족"})

    with pytest.raises(NotificationError, match="NotEnoughBalance"):
        send_sms("01012345678", "hi")


def test_a_redirect_raises_instead_of_being_followed(configured, mocked):
    mocked.post(SEND_URL, status=302, json=ACCEPTED, headers={"Location": "https://example.com/"})

    with pytest.raises(NotificationError, match="HTTP 302"):
        send_sms("01012345678", "hi")


@pytest.mark.parametrize(("status", "body"), [(502, "<html>Bad Gateway</html>"), (200, "")])
def test_an_answer_that_is_not_a_json_object_raises(configured, mocked, status, body):
    mocked.post(SEND_URL, status=status, body=body)

    with pytest.raises(NotificationError, match=f"HTTP {status} without a JSON object"):
        send_sms("01012345678", "hi")


@pytest.mark.parametrize("to", ["", None, "---"])
def test_a_recipient_without_a_phone_number_raises_and_nothing_is_sent(configured, mocked, to):
    with pytest.raises(NotificationError, match="no phone number"):
        send_sms(to, "hi")

    assert len(mocked.calls) == 0


@pytest.mark.parametrize("missing", ["SOLAPI_API_KEY", "SOLAPI_API_SECRET", "SMS_SENDER"])
def test_without_credentials_the_text_is_logged_with_a_masked_number_and_nothing_is_sent(
    configured, mocked, caplog, missing
):
    setattr(configured, missing, "")
    caplog.set_level(logging.INFO, logger="apps.payments.notifications")

    assert send_sms("010-1234-5678", "[샵] 결제가 완료되었습니다. 금액: 12,345원") is False

    assert len(mocked.calls) == 0
    [record] = [r for r in caplog.records if r.name == "apps.payments.notifications"]
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert "[샵] 결제가 완료되었습니다. 금액: 12,345원" in message
    assert "010****5678" in message
    assert "01012345678" not in message
    assert API_SECRET not in caplog.text


def test_neither_the_secret_nor_the_signature_appears_in_logs_or_errors(configured, mocked, caplog):
    caplog.set_level(logging.DEBUG)
    date, salt = "2019-07-01T00:41:48Z", "jqsba2jxjnrjor"
    mocked.post(SEND_URL, json=ACCEPTED)
    mocked.post(
        SEND_URL, status=403, json={"errorCode": "InvalidAPIKey", "errorMessage": "invalid"}
    )

    send_sms("01012345678", "hi", date=date, salt=salt)
    with pytest.raises(NotificationError) as error:
        send_sms("01012345678", "hi")

    assert "SMS sent to 010****5678" in caplog.text
    for secret in (API_SECRET, expected_signature(date, salt)):
        assert secret not in caplog.text
        assert secret not in str(error.value)


def test_the_buyers_text_names_the_shop_and_the_amount_without_emoji(settings, payment):
    settings.SHOP_NAME = "테스트샵"

    text = approval_text(payment)

    assert text == "[테스트샵] 결제가 완료되었습니다. 금액: 12,345원"
    assert all(ord(character) <= 0xFFFF for character in text)
