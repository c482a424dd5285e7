"""The addresses providers post delivery reports to, as anyone on the internet can reach
them: every email provider's tracking webhook the portal mounts, and Twilio's status
callback. Whatever the body, the answer is a 4xx with a reason, never a server error;
and a door whose secret is not set takes no report at all."""

from __future__ import annotations

import base64
import importlib.util
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import URLPattern, get_resolver
from twilio.request_validator import RequestValidator

from doorstep.notifications import sending
from doorstep.notifications.callback_views import email_report_refusals
from doorstep.notifications.models import Notification, NotificationState
from tests.notifications.conftest import book
from tests.notifications.test_callbacks import (
    AUTH_TOKEN,
    BASE_URL,
    CALLBACK,
    mailgun_event,
    post_mailgun,
    twilio_params,
)

SECRET = "hook:s3cret"
BASIC_AUTH = "Basic " + base64.b64encode(SECRET.encode()).decode()


def postal_public_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


# Every secret each provider's webhook can check, so that every door is open here.
ALL_SECRETS = {
    "WEBHOOK_SECRET": SECRET,
    "MAILGUN_WEBHOOK_SIGNING_KEY": "mailgun-signing-key",
    "MANDRILL_WEBHOOK_KEY": "mandrill-key",
    "MAILERSEND_SIGNING_SECRET": "mailersend-secret",
    "POSTAL_WEBHOOK_KEY": postal_public_key(),
    "UNISENDER_GO_API_KEY": "unisender-key",
}


def email_report_addresses() -> list[str]:
    """Every address under /hooks/anymail/ that the portal answers."""
    [hooks] = [
        entry
        for entry in get_resolver().url_patterns
        if str(getattr(entry, "pattern", "")) == "hooks/anymail/"
    ]
    return [
        f"/hooks/anymail/{entry.pattern}"
        for entry in hooks.url_patterns
        if isinstance(entry, URLPattern)
    ]


EMAIL_REPORT_ADDRESSES = email_report_addresses()

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
BODIES: list[tuple[str, bytes | str]] = [
    ("empty", b""),
    ("empty form", b""),
    ("not JSON", b"this is not json"),
    ("JSON null", b"null"),
    ("JSON number", b"12345678901234567890"),
    ("JSON string", b'"delivered"'),
    ("empty list", b"[]"),
    ("empty object", b"{}"),
    ("list of junk", b'[1, "two", null, {"event": 3}]'),
    ("wrong types", json.dumps({"event-data": [], "signature": "x", "RecordType": 7}).encode()),
    ("nested deep", b"[" * 100_000 + b"]" * 100_000),
    ("not UTF-8", b"\xff\xfe\x00junk"),
    ("huge", b"{" + b" " * (6 * 1024 * 1024) + b"}"),
]
CONTENT_TYPES = [JSON, FORM, "text/plain", "multipart/form-data", "application/xml"]


@pytest.fixture
def every_door_open(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ANYMAIL = dict(ALL_SECRETS)
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.DOORSTEP_BASE_URL = BASE_URL


def assert_refused_with_a_reason(response, what: str) -> None:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, (what, response.status_code, response.content[:300])
    if response.status_code != 405:
        assert response.content.strip(), f"{what}: {response.status_code} without a reason"


def test_every_email_provider_the_portal_takes_reports_from_is_mounted() -> None:
    names = {address.split("/")[3] for address in EMAIL_REPORT_ADDRESSES}

    assert {"mailgun", "mandrill", "brevo", "postmark", "sendgrid", "amazon_ses"} <= names
    # The portal takes no inbound email: those webhooks are not mounted.
    assert not [address for address in EMAIL_REPORT_ADDRESSES if "inbound" in address]


@pytest.mark.django_db
@pytest.mark.usefixtures("every_door_open")
def test_every_email_door_is_open_with_its_secrets() -> None:
    # Amazon SES's also needs boto3, which this install does not carry.
    missing_package = set() if importlib.util.find_spec("boto3") else {"amazon_ses"}

    assert {esp for esp, why in email_report_refusals().items() if why} == missing_package


@pytest.mark.django_db
@pytest.mark.usefixtures("every_door_open")
@pytest.mark.parametrize("address", EMAIL_REPORT_ADDRESSES)
def test_an_email_door_answers_any_body_with_a_4xx_and_a_reason(client, address: str) -> None:  # type: ignore[no-untyped-def]
    client.raise_request_exception = False  # a server error must show as a 500, not raise
    for auth in (BASIC_AUTH, None):
        headers = {"Authorization": auth} if auth else {}
        for what, body in BODIES:
            for content_type in CONTENT_TYPES:
                response = client.post(address, body, content_type=content_type, headers=headers)
                assert_refused_with_a_reason(response, f"{address} {what} as {content_type}")


@pytest.mark.django_db
@pytest.mark.usefixtures("every_door_open")
def test_the_twilio_door_answers_any_body_with_a_4xx_and_a_reason(client) -> None:  # type: ignore[no-untyped-def]
    client.raise_request_exception = False
    too_many_fields = "&".join(f"f{n}=1" for n in range(5000))
    bodies = [*BODIES, ("too many fields", too_many_fields.encode()), ("bad escapes", b"%zz=%")]
    for signature in ("not-a-signature", None):
        headers = {"X-Twilio-Signature": signature} if signature else {}
        for what, body in bodies:
            for content_type in CONTENT_TYPES:
                response = client.post(CALLBACK, body, content_type=content_type, headers=headers)
                assert_refused_with_a_reason(response, f"Twilio {what} as {content_type}")


# --- Signed reports with odd values: taken, and they change nothing -----------------------


@pytest.fixture
def sent(contact, every_door_open) -> dict[str, Notification]:  # type: ignore[no-untyped-def]
    booking = book(contact)
    sending.send_due(worker="test")
    return {row.channel: row for row in Notification.objects.filter(booking=booking)}


ODD_IDS = ["\u0000", "SM\u0000x", "M" * 5000, "²", "<>", " "]


@pytest.mark.django_db
def test_a_signed_twilio_report_with_odd_values_changes_nothing(client, sent) -> None:  # type: ignore[no-untyped-def]
    for sid in ODD_IDS:
        for extra in ({}, {"ErrorCode": "\u0000" * 3, "ErrorMessage": "x\u0000" * 3000}):
            params = twilio_params(sid, "failed", **extra)
            signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE_URL + CALLBACK, params)

            response = client.post(CALLBACK, params, headers={"X-Twilio-Signature": signature})

            assert response.status_code == 204
    assert {row.state for row in Notification.objects.all()} == {NotificationState.SENT}


@pytest.mark.django_db
def test_a_signed_email_report_with_odd_values_changes_nothing(client, sent) -> None:  # type: ignore[no-untyped-def]
    for message_id in ODD_IDS:
        body = mailgun_event(
            message_id,
            "failed",
            severity="permanent",
            **{"delivery-status": {"description": "\u0000" * 10}},
        )
        postmark = client.post(
            "/hooks/anymail/postmark/tracking/",
            postmark_bounce(message_id),
            content_type=JSON,
            headers={"Authorization": BASIC_AUTH},
        )
        # Taken and ignored, or, for an id that reads as none, refused as naming nothing.
        for response in (post_mailgun(client, body), postmark):
            assert response.status_code in (200, 400), (message_id, response.content)
    assert {row.state for row in Notification.objects.all()} == {NotificationState.SENT}


# --- Off until their secret is set -----------------------------------------------------------


def postmark_bounce(message_id: str) -> str:
    """A Postmark bounce report, which Postmark does not sign: only the secret vouches for it."""
    return json.dumps(
        {
            "RecordType": "Bounce",
            "ID": 4323372036854775807,
            "Type": "HardBounce",
            "TypeCode": 1,
            "MessageID": message_id,
            "Description": "The server was unable to deliver your message",
            "Email": "pat@example.test",
            "BouncedAt": "2026-01-01T00:00:00Z",
        }
    )


@pytest.mark.django_db
def test_a_forged_bounce_is_refused_while_no_webhook_secret_is_set(client, sent, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ANYMAIL = {}
    email = sent["email"]

    response = client.post(
        "/hooks/anymail/postmark/tracking/",
        postmark_bounce(email.provider_message_id),
        content_type=JSON,
    )

    assert response.status_code == 403
    assert "ANYMAIL_WEBHOOK_SECRET" in response.content.decode()
    email.refresh_from_db()
    assert email.state == NotificationState.SENT


@pytest.mark.django_db
def test_with_the_webhook_secret_a_bounce_with_it_is_taken(client, sent, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    email = sent["email"]
    body = postmark_bounce(email.provider_message_id)
    address = "/hooks/anymail/postmark/tracking/"

    forged = client.post(address, body, content_type=JSON)
    genuine = client.post(address, body, content_type=JSON, headers={"Authorization": BASIC_AUTH})

    assert (forged.status_code, genuine.status_code) == (400, 200)
    email.refresh_from_db()
    assert email.state == NotificationState.FAILED


@pytest.mark.django_db
@pytest.mark.parametrize("address", EMAIL_REPORT_ADDRESSES)
def test_every_email_door_is_off_without_its_secret(client, address: str, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ANYMAIL = {}

    response = client.post(address, "{}", content_type=JSON)

    assert response.status_code == 403
    assert "reports are off" in response.content.decode()


@pytest.mark.django_db
def test_mandrill_reports_are_off_until_its_webhook_key_is_set(client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}

    refusal = email_report_refusals()["mandrill"]
    response = client.post(
        "/hooks/anymail/mandrill/", {"mandrill_events": "[]"}, headers={"Authorization": BASIC_AUTH}
    )

    assert refusal == "Mandrill delivery reports are off until ANYMAIL_MANDRILL_WEBHOOK_KEY is set."
    assert (response.status_code, response.content.decode()) == (403, refusal)
