"""The Twilio SMS backend, against a fake of Twilio's HTTP API: nothing leaves this machine."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st
from twilio.http import HttpClient
from twilio.http.response import Response

from doorstep.notifications import sending, sms_twilio
from doorstep.notifications.models import Notification, NotificationState
from doorstep.notifications.segments import fit_to_segments, segment_count
from doorstep.notifications.sms import SmsMessage
from doorstep.notifications.sms_twilio import SmsNotSent, TwilioBackend
from tests.notifications.conftest import book

ACCOUNT_SID = "AC" + "a" * 32
MESSAGE_SID = "SM" + "0123456789abcdef" * 2


class FakeTwilioApi(HttpClient):  # type: ignore[misc]
    """Answers like Twilio's Messages resource and remembers what it was asked."""

    def __init__(self, *, status: int = 201, payload: dict[str, object] | None = None) -> None:
        super().__init__(logging.getLogger("tests.twilio"), is_async=False)
        self.status = status
        self.payload = payload
        self.requests: list[dict[str, object]] = []

    def request(self, method, uri, **kwargs):  # type: ignore[no-untyped-def]
        data = kwargs.get("data") or {}
        self.requests.append({"method": method, "uri": uri, "data": data, "auth": kwargs["auth"]})
        return Response(self.status, json.dumps(self.payload or message_resource(data)))


def message_resource(data: dict[str, object]) -> dict[str, object]:
    """The JSON Twilio answers a created message with (2010-04-01 API)."""
    return {
        "account_sid": ACCOUNT_SID,
        "api_version": "2010-04-01",
        "body": data.get("Body"),
        "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
        "date_sent": None,
        "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000",
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": data.get("From"),
        "messaging_service_sid": data.get("MessagingServiceSid"),
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": MESSAGE_SID,
        "status": "queued",
        "subresource_uris": {
            "media": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{MESSAGE_SID}/Media.json"
        },
        "to": data.get("To"),
        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{MESSAGE_SID}.json",
    }


@pytest.fixture
def twilio(settings, monkeypatch) -> FakeTwilioApi:  # type: ignore[no-untyped-def]
    settings.SMS_BACKEND = "doorstep.notifications.sms_twilio.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = "test-auth-token"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.SMS_FROM_NUMBER = "+15005550006"
    settings.DOORSTEP_BASE_URL = "https://portal.example.com"
    api = FakeTwilioApi()
    monkeypatch.setattr(sms_twilio, "shared_http_client", lambda: api)
    return api


def test_a_message_goes_to_twilio_with_the_status_callback(twilio: FakeTwilioApi) -> None:
    sid = TwilioBackend().send(SmsMessage(to="+13035550101", body="Hello", sender="+15005550006"))

    assert sid == MESSAGE_SID
    [request] = twilio.requests
    assert request["method"] == "POST"
    assert (
        request["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    )
    assert request["auth"] == (ACCOUNT_SID, "test-auth-token")
    assert request["data"] == {
        "To": "+13035550101",
        "From": "+15005550006",
        "Body": "Hello",
        "StatusCallback": "https://portal.example.com/hooks/twilio/status/",
    }


def test_the_messaging_service_is_used_instead_of_the_number_when_set(
    twilio: FakeTwilioApi, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "b" * 32

    TwilioBackend().send(SmsMessage(to="+13035550101", body="Hello", sender="+15005550006"))

    data = twilio.requests[0]["data"]
    assert isinstance(data, dict)
    assert data["MessagingServiceSid"] == "MG" + "b" * 32
    assert "From" not in data


def test_no_status_callback_when_twilio_could_not_reach_the_server(
    twilio: FakeTwilioApi, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DOORSTEP_BASE_URL = "http://127.0.0.1:8000"

    TwilioBackend().send(SmsMessage(to="+13035550101", body="Hello", sender="+15005550006"))

    data = twilio.requests[0]["data"]
    assert isinstance(data, dict)
    assert "StatusCallback" not in data


@pytest.mark.parametrize("number", ["3035550101", "+1 303 555 0101", "001303555010", "+0123", ""])
def test_a_number_not_in_e164_is_refused_without_asking_twilio(
    twilio: FakeTwilioApi, number: str
) -> None:
    with pytest.raises(SmsNotSent, match=r"E\.164"):
        TwilioBackend().send(SmsMessage(to=number, body="Hello"))

    assert twilio.requests == []


def test_twilio_refusing_says_why_with_its_error_code(twilio: FakeTwilioApi) -> None:
    twilio.status = 400
    twilio.payload = {
        "code": 21610,
        "message": "Attempt to send to unsubscribed recipient",
        "more_info": "https://www.twilio.com/docs/errors/21610",
        "status": 400,
    }

    with pytest.raises(SmsNotSent, match=r"error 21610: Attempt to send to unsubscribed"):
        TwilioBackend().send(SmsMessage(to="+13035550101", body="Hello", sender="+15005550006"))


def test_missing_credentials_are_named(twilio: FakeTwilioApi, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TWILIO_AUTH_TOKEN = ""

    with pytest.raises(ImproperlyConfigured, match="TWILIO_AUTH_TOKEN"):
        TwilioBackend().send(SmsMessage(to="+13035550101", body="Hello", sender="+15005550006"))


@pytest.mark.django_db
def test_the_sender_stores_twilios_sid_as_the_provider_id(twilio: FakeTwilioApi, contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)

    sending.send_due(worker="test")

    row = Notification.objects.get(booking=booking, channel="sms")
    assert row.state == NotificationState.SENT
    assert row.provider_message_id == MESSAGE_SID
    assert row.delivery_attempts.get().provider_message_id == MESSAGE_SID
    data = twilio.requests[0]["data"]
    assert isinstance(data, dict)
    assert data["To"] == "+13035550101"
    assert "/t/" in str(data["Body"])


@pytest.mark.django_db
def test_a_number_that_is_not_e164_is_a_failed_attempt_in_the_log(
    twilio: FakeTwilioApi, contact
) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)
    Notification.objects.filter(booking=booking, channel="sms").update(address="303-555-0101")

    sending.send_due(worker="test")

    row = Notification.objects.get(booking=booking, channel="sms")
    assert row.state == NotificationState.FAILED  # no retry can make it a number
    attempt = row.delivery_attempts.get()
    assert not attempt.succeeded
    assert "not a phone number in international E.164 form" in attempt.error
    assert twilio.requests == []


# --- Segments -----------------------------------------------------------------------------

LINK = "https://portal.example.com/t/Zk3q9v0aB1cD2eF3gH4iJ5kL6mN7oP8q/"


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # an escaped character takes two of the 160
        ("€" * 81, 2),
        ("a" * 152 + "€" + "a" * 10, 2),  # the escape pair is not cut: 152 + (2 + 10)
        ("é" * 160, 1),  # é is in the GSM-7 alphabet
        ("á" * 70, 1),  # á is not: UCS-2
        ("á" * 71, 2),
        ("á" * 134, 2),
        ("á" * 135, 3),
        ("😀" * 35, 1),  # two UTF-16 units each
        ("😀" * 36, 2),
    ],
)
def test_segment_count(text: str, segments: int) -> None:
    assert segment_count(text) == segments


def test_a_message_that_fits_is_left_alone() -> None:
    text = f"Acme: your visit is booked for Tue 3 Jun 08:00-10:00. {LINK}"

    assert fit_to_segments(text) == text


def test_typographic_quotes_and_dashes_do_not_halve_the_room() -> None:
    text = "Acme’s technician arrives 08:00–10:00 … “soon”"

    fitted = fit_to_segments(text)

    assert fitted == 'Acme\'s technician arrives 08:00-10:00 ... "soon"'
    assert segment_count(fitted) == 1


def test_a_long_message_is_cut_at_a_word_and_keeps_its_link() -> None:
    words = "Acme Heating and Plumbing of Greater Denver: your boiler service visit " * 8
    text = f"{words}is booked. {LINK}"

    fitted = fit_to_segments(text)

    assert segment_count(fitted) == 2
    assert fitted.endswith(f"... {LINK}")
    kept = fitted.removesuffix(f"... {LINK}")
    assert text.startswith(kept)
    assert text[len(kept)] == " "  # cut between words
    assert len(fitted) > 280  # and little room lost


def test_a_long_non_gsm_message_uses_the_one_character_ellipsis() -> None:
    text = "Fontanería Martínez: su técnico está en camino. " * 6 + LINK

    fitted = fit_to_segments(text)

    assert segment_count(fitted) == 2
    assert fitted.endswith(f"… {LINK}")


def test_a_link_too_long_to_keep_is_cut_like_the_rest() -> None:
    text = "See https://example.com/" + "x" * 400

    fitted = fit_to_segments(text)

    assert segment_count(fitted) <= 2
    assert fitted.endswith("...")


@given(
    words=st.lists(
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1),
        max_size=80,
    ),
    with_link=st.booleans(),
)
def test_any_message_fits_two_segments(words: list[str], with_link: bool) -> None:
    text = " ".join(words) + (f" {LINK}" if with_link else "")

    fitted = fit_to_segments(text)

    assert segment_count(fitted) <= 2
    if with_link:
        assert fitted.endswith(LINK)


@pytest.mark.django_db
def test_a_number_twilio_will_never_reach_fails_at_once(contact, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from doorstep.notifications import sending
    from doorstep.notifications.models import Notification, NotificationState
    from doorstep.notifications.sms import LocmemBackend
    from doorstep.notifications.sms_twilio import SmsNeverSendable
    from tests.notifications.conftest import book

    def opted_out(self, message):  # type: ignore[no-untyped-def]
        raise SmsNeverSendable("Twilio refused the message (error 21610: unsubscribed)")

    monkeypatch.setattr(LocmemBackend, "send", opted_out)
    book(contact)
    sending.send_due(worker="test")

    sms = Notification.objects.get(channel="sms")
    assert sms.state == NotificationState.FAILED
    assert sms.attempts == 1
