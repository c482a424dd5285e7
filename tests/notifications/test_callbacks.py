"""Delivery reports: Twilio's status callback and email providers' webhooks (through
anymail) move sent messages to Delivered or Failed, only with the provider's signature,
and a duplicate, late or replayed report changes nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest
from django.utils import timezone
from twilio.request_validator import RequestValidator

from doorstep.notifications import sending
from doorstep.notifications.callbacks import (
    DeliveryOutcome,
    ReportResult,
    apply_early_reports,
    record_delivery_report,
)
from doorstep.notifications.models import EarlyDeliveryReport, Notification, NotificationState
from doorstep.notifications.sms import LocmemBackend, SmsMessage
from doorstep.project.tasks import forget_early_delivery_reports
from tests.notifications.conftest import book

AUTH_TOKEN = "test-auth-token"
BASE_URL = "https://portal.example.com"
CALLBACK = "/hooks/twilio/status/"
MAILGUN_KEY = "mailgun-signing-key"


@pytest.fixture(autouse=True)
def provider_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.DOORSTEP_BASE_URL = BASE_URL
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY, "WEBHOOK_SECRET": "hook:s3cret"}


@pytest.fixture
def sent(contact) -> dict[str, Notification]:  # type: ignore[no-untyped-def]
    """A booking's email and text message, sent, by channel."""
    booking = book(contact)
    sending.send_due(worker="test")
    rows = {row.channel: row for row in Notification.objects.filter(booking=booking)}
    assert {row.state for row in rows.values()} == {NotificationState.SENT}
    return rows


def state_of(row: Notification) -> str:
    row.refresh_from_db()
    return row.state


# --- The service --------------------------------------------------------------------------


@pytest.mark.django_db
def test_delivered_moves_a_sent_message_to_delivered(sent) -> None:  # type: ignore[no-untyped-def]
    sms = sent["sms"]
    at = datetime(2030, 5, 1, 9, 30, tzinfo=UTC)

    result = record_delivery_report(
        provider_message_id=sms.provider_message_id, outcome=DeliveryOutcome.DELIVERED, at=at
    )

    assert result == ReportResult.DELIVERED
    sms.refresh_from_db()
    assert (sms.state, sms.delivered_at) == (NotificationState.DELIVERED, at)


@pytest.mark.django_db
def test_a_duplicate_or_late_report_changes_nothing(sent) -> None:  # type: ignore[no-untyped-def]
    sms = sent["sms"]
    record_delivery_report(
        provider_message_id=sms.provider_message_id, outcome=DeliveryOutcome.DELIVERED
    )
    sms.refresh_from_db()
    delivered_at = sms.delivered_at

    for outcome in (DeliveryOutcome.DELIVERED, DeliveryOutcome.IN_TRANSIT, DeliveryOutcome.FAILED):
        result = record_delivery_report(
            provider_message_id=sms.provider_message_id, outcome=outcome, reason="late"
        )
        assert result == ReportResult.UNCHANGED

    sms.refresh_from_db()
    assert (sms.state, sms.delivered_at) == (NotificationState.DELIVERED, delivered_at)
    assert sms.delivery_attempts.get().error == ""


@pytest.mark.django_db
def test_a_failure_keeps_the_providers_reason_on_the_attempt(sent) -> None:  # type: ignore[no-untyped-def]
    sms = sent["sms"]

    result = record_delivery_report(
        provider_message_id=sms.provider_message_id,
        outcome=DeliveryOutcome.FAILED,
        reason="error 30003",
    )
    later = record_delivery_report(
        provider_message_id=sms.provider_message_id, outcome=DeliveryOutcome.DELIVERED
    )

    assert (result, later) == (ReportResult.FAILED, ReportResult.UNCHANGED)
    assert state_of(sms) == NotificationState.FAILED
    attempt = sms.delivery_attempts.get()
    assert attempt.error == "error 30003"
    assert attempt.succeeded  # the hand-over itself worked; the log shows both facts
    assert state_of(sent["email"]) == NotificationState.SENT


@pytest.mark.django_db
def test_a_report_for_no_message_of_ours_changes_nothing(sent) -> None:  # type: ignore[no-untyped-def]
    empty = record_delivery_report(provider_message_id="", outcome=DeliveryOutcome.DELIVERED)
    unknown = record_delivery_report(
        provider_message_id="SMnothing", outcome=DeliveryOutcome.DELIVERED
    )

    assert (empty, unknown) == (ReportResult.UNKNOWN, ReportResult.KEPT)
    assert {state_of(row) for row in sent.values()} == {NotificationState.SENT}


# --- A report that comes before its message's id is recorded ------------------------------


class ReportingFirstBackend(LocmemBackend):
    """Twilio at its quickest: the delivery report is on its way before `send` returns."""

    report: ClassVar[Callable[[str], object]]

    def send(self, message: SmsMessage) -> str:
        sid = "SM" + uuid.uuid4().hex
        type(self).report(sid)
        return sid


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "final"), [("delivered", "delivered"), ("failed", "failed")])
def test_a_twilio_report_before_the_sid_is_recorded_is_applied_once_it_is(
    client, contact, settings, status: str, final: str
) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_BACKEND = f"{__name__}.ReportingFirstBackend"
    answers: list[int] = []

    def report(sid: str) -> None:
        params = twilio_params(
            sid, status, **({"ErrorCode": "30003"} if status == "failed" else {})
        )
        answers.append(post_status(client, params, twilio_signature(params)).status_code)

    ReportingFirstBackend.report = report
    booking = book(contact)

    sending.send_due(worker="test")

    sms = Notification.objects.get(booking=booking, channel="sms")
    assert answers == [204]
    assert sms.state == final
    assert not EarlyDeliveryReport.objects.exists()
    if final == "failed":
        assert "error 30003" in sms.delivery_attempts.get().error


@pytest.mark.django_db
def test_an_early_report_waits_for_its_message(sent) -> None:  # type: ignore[no-untyped-def]
    sms = sent["sms"]
    Notification.objects.filter(pk=sms.pk).update(provider_message_id="")

    kept = record_delivery_report(provider_message_id="SMlate", outcome=DeliveryOutcome.DELIVERED)
    Notification.objects.filter(pk=sms.pk).update(provider_message_id="SMlate")
    applied = apply_early_reports(provider_message_ids=["SMlate", "SMother"])

    assert (kept, applied) == (ReportResult.KEPT, {"SMlate": ReportResult.DELIVERED})
    assert state_of(sms) == NotificationState.DELIVERED
    assert not EarlyDeliveryReport.objects.exists()


@pytest.mark.django_db
def test_a_report_whose_sender_stopped_before_looking_is_applied_within_the_hour(sent) -> None:  # type: ignore[no-untyped-def]
    sms = sent["sms"]
    Notification.objects.filter(pk=sms.pk).update(provider_message_id="")
    record_delivery_report(provider_message_id="SMlate", outcome=DeliveryOutcome.DELIVERED)
    # Its worker recorded the id, then died before it looked for early reports.
    Notification.objects.filter(pk=sms.pk).update(provider_message_id="SMlate")

    forget_early_delivery_reports.call()

    assert state_of(sms) == NotificationState.DELIVERED
    assert not EarlyDeliveryReport.objects.exists()


@pytest.mark.django_db
def test_reports_that_no_message_claims_are_forgotten_after_a_day(sent) -> None:  # type: ignore[no-untyped-def]
    record_delivery_report(provider_message_id="SMold", outcome=DeliveryOutcome.FAILED)
    EarlyDeliveryReport.objects.update(received_at=timezone.now() - timedelta(days=2))
    record_delivery_report(provider_message_id="SMnew", outcome=DeliveryOutcome.FAILED)

    forgotten = forget_early_delivery_reports.call()

    assert forgotten == 1
    assert list(EarlyDeliveryReport.objects.values_list("provider_message_id", flat=True)) == [
        "SMnew"
    ]


@pytest.mark.django_db
def test_a_message_not_yet_sent_is_not_moved(contact) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)
    row = Notification.objects.get(booking=booking, channel="sms")
    Notification.objects.filter(pk=row.pk).update(provider_message_id="SMpending")

    result = record_delivery_report(
        provider_message_id="SMpending", outcome=DeliveryOutcome.DELIVERED
    )

    assert result == ReportResult.UNCHANGED
    assert state_of(row) == NotificationState.PENDING


# --- Twilio's status callback -------------------------------------------------------------


def twilio_params(sid: str, status: str, **extra: str) -> dict[str, str]:
    """What Twilio posts to a message's status callback."""
    return {
        "AccountSid": "AC" + "a" * 32,
        "ApiVersion": "2010-04-01",
        "From": "+15005550006",
        "MessageSid": sid,
        "MessageStatus": status,
        "SmsSid": sid,
        "SmsStatus": status,
        "To": "+13035550101",
        **extra,
    }


def twilio_signature(params: dict[str, str], *, url: str = BASE_URL + CALLBACK) -> str:
    return str(RequestValidator(AUTH_TOKEN).compute_signature(url, params))


def post_status(client, params: dict[str, str], signature: str | None = None):  # type: ignore[no-untyped-def]
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    return client.post(CALLBACK, params, headers=headers)


@pytest.mark.django_db
def test_a_signed_delivered_callback_marks_the_text_delivered(client, sent) -> None:  # type: ignore[no-untyped-def]
    params = twilio_params(sent["sms"].provider_message_id, "delivered")

    response = post_status(client, params, twilio_signature(params))

    assert response.status_code == 204
    assert state_of(sent["sms"]) == NotificationState.DELIVERED


@pytest.mark.django_db
def test_an_undelivered_callback_fails_the_text_with_twilios_error(client, sent) -> None:  # type: ignore[no-untyped-def]
    params = twilio_params(sent["sms"].provider_message_id, "undelivered", ErrorCode="30003")

    response = post_status(client, params, twilio_signature(params))

    assert response.status_code == 204
    assert state_of(sent["sms"]) == NotificationState.FAILED
    error = sent["sms"].delivery_attempts.get().error
    assert "undelivered, error 30003: the phone is switched off or out of reach" in error
    assert "https://www.twilio.com/docs/errors/30003" in error


@pytest.mark.django_db
def test_a_replayed_callback_is_harmless(client, sent) -> None:  # type: ignore[no-untyped-def]
    sid = sent["sms"].provider_message_id
    early = twilio_params(sid, "sent")
    delivered = twilio_params(sid, "delivered")
    assert post_status(client, early, twilio_signature(early)).status_code == 204
    assert post_status(client, delivered, twilio_signature(delivered)).status_code == 204
    sent["sms"].refresh_from_db()
    delivered_at = sent["sms"].delivered_at

    # Each is replayed: the same bytes and the same valid signature.
    for params in (delivered, early, delivered):
        assert post_status(client, params, twilio_signature(params)).status_code == 204

    sent["sms"].refresh_from_db()
    assert sent["sms"].state == NotificationState.DELIVERED
    assert sent["sms"].delivered_at == delivered_at


@pytest.mark.django_db
def test_callbacks_out_of_order_end_delivered(client, sent) -> None:  # type: ignore[no-untyped-def]
    sid = sent["sms"].provider_message_id
    for status in ("delivered", "sent", "queued"):
        params = twilio_params(sid, status)
        assert post_status(client, params, twilio_signature(params)).status_code == 204

    assert state_of(sent["sms"]) == NotificationState.DELIVERED


@pytest.mark.django_db
def test_a_callback_with_a_wrong_signature_is_refused(client, sent) -> None:  # type: ignore[no-untyped-def]
    params = twilio_params(sent["sms"].provider_message_id, "delivered")
    forged = str(
        RequestValidator("someone-elses-token").compute_signature(BASE_URL + CALLBACK, params)
    )

    response = post_status(client, params, forged)

    assert response.status_code == 403
    assert "X-Twilio-Signature does not match" in response.content.decode()
    assert state_of(sent["sms"]) == NotificationState.SENT


@pytest.mark.django_db
def test_a_signed_callback_with_changed_fields_is_refused(client, sent) -> None:  # type: ignore[no-untyped-def]
    sid = sent["sms"].provider_message_id
    signature = twilio_signature(twilio_params(sid, "delivered"))

    response = post_status(client, twilio_params(sid, "failed"), signature)

    assert response.status_code == 403
    assert state_of(sent["sms"]) == NotificationState.SENT


@pytest.mark.django_db
def test_a_callback_signed_for_another_address_is_refused(client, sent) -> None:  # type: ignore[no-untyped-def]
    params = twilio_params(sent["sms"].provider_message_id, "delivered")
    elsewhere = twilio_signature(params, url="https://attacker.example/hooks/twilio/status/")

    response = post_status(client, params, elsewhere)

    assert response.status_code == 403
    assert f"a request to {BASE_URL}{CALLBACK}" in response.content.decode()
    assert state_of(sent["sms"]) == NotificationState.SENT


@pytest.mark.django_db
def test_a_callback_without_a_signature_is_refused(client, sent) -> None:  # type: ignore[no-untyped-def]
    response = post_status(client, twilio_params(sent["sms"].provider_message_id, "delivered"))

    assert response.status_code == 403
    assert "X-Twilio-Signature header is missing" in response.content.decode()
    assert state_of(sent["sms"]) == NotificationState.SENT


@pytest.mark.django_db
def test_callbacks_are_refused_while_no_auth_token_is_set(client, sent, settings) -> None:  # type: ignore[no-untyped-def]
    params = twilio_params(sent["sms"].provider_message_id, "delivered")
    signature = twilio_signature(params)
    settings.TWILIO_AUTH_TOKEN = ""

    response = post_status(client, params, signature)

    assert response.status_code == 403
    assert "TWILIO_AUTH_TOKEN is not set" in response.content.decode()


@pytest.mark.django_db
def test_a_signed_callback_about_an_unknown_message_is_accepted_and_ignored(client) -> None:  # type: ignore[no-untyped-def]
    params = twilio_params("SM" + "f" * 32, "delivered")

    assert post_status(client, params, twilio_signature(params)).status_code == 204


@pytest.mark.django_db
def test_the_callback_only_takes_post(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(CALLBACK).status_code == 405


# --- Email providers, through anymail (Mailgun as the example) ------------------------------

MAILGUN_HOOK = "/hooks/anymail/mailgun/tracking/"
BASIC_AUTH = "Basic " + base64.b64encode(b"hook:s3cret").decode()


def mailgun_event(message_id: str, event: str, *, key: str = MAILGUN_KEY, **data: object) -> str:
    """A Mailgun webhook body, signed the way Mailgun signs it."""
    timestamp, token = "1767225600", "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return json.dumps(
        {
            "signature": {"timestamp": timestamp, "token": token, "signature": signature},
            "event-data": {
                "event": event,
                "timestamp": 1767225600.5,
                "id": "CPgfbmQMTCKtHW6uIWtuVe",
                "recipient": "pat@example.test",
                # Mailgun leaves out the angle brackets; anymail puts them back.
                "message": {"headers": {"message-id": message_id.strip("<>")}},
                **data,
            },
        }
    )


def post_mailgun(client, body: str, *, auth: str = BASIC_AUTH):  # type: ignore[no-untyped-def]
    return client.post(
        MAILGUN_HOOK, body, content_type="application/json", headers={"Authorization": auth}
    )


@pytest.mark.django_db
def test_a_signed_delivery_report_marks_the_email_delivered(client, sent) -> None:  # type: ignore[no-untyped-def]
    email = sent["email"]

    response = post_mailgun(client, mailgun_event(email.provider_message_id, "delivered"))

    assert response.status_code == 200
    email.refresh_from_db()
    assert email.state == NotificationState.DELIVERED
    assert email.delivered_at == datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)
    assert state_of(sent["sms"]) == NotificationState.SENT


@pytest.mark.django_db
def test_a_bounce_fails_the_email_with_the_providers_words(client, sent) -> None:  # type: ignore[no-untyped-def]
    email = sent["email"]
    body = mailgun_event(
        email.provider_message_id,
        "failed",
        severity="permanent",
        reason="bounce",
        **{"delivery-status": {"description": "No such mailbox", "code": 550}},
    )

    assert post_mailgun(client, body).status_code == 200

    assert state_of(email) == NotificationState.FAILED
    assert "Mailgun reported the email bounced. No such mailbox" in (
        email.delivery_attempts.get().error
    )


@pytest.mark.django_db
def test_a_temporary_failure_leaves_the_email_sent(client, sent) -> None:  # type: ignore[no-untyped-def]
    email = sent["email"]
    body = mailgun_event(email.provider_message_id, "failed", severity="temporary")

    assert post_mailgun(client, body).status_code == 200

    assert state_of(email) == NotificationState.SENT


@pytest.mark.django_db
def test_a_replayed_email_report_is_harmless(client, sent) -> None:  # type: ignore[no-untyped-def]
    email = sent["email"]
    delivered = mailgun_event(email.provider_message_id, "delivered")
    bounced = mailgun_event(email.provider_message_id, "failed", severity="permanent")
    assert post_mailgun(client, delivered).status_code == 200

    for body in (delivered, bounced, delivered):
        assert post_mailgun(client, body).status_code == 200

    assert state_of(email) == NotificationState.DELIVERED


@pytest.mark.django_db
def test_an_email_report_with_a_wrong_signature_is_refused(client, sent) -> None:  # type: ignore[no-untyped-def]
    email = sent["email"]
    forged = mailgun_event(email.provider_message_id, "delivered", key="not-the-key")

    response = post_mailgun(client, forged)

    assert response.status_code == 400
    assert state_of(email) == NotificationState.SENT


@pytest.mark.django_db
def test_an_email_report_without_the_webhook_secret_is_refused(client, sent) -> None:  # type: ignore[no-untyped-def]
    email = sent["email"]
    body = mailgun_event(email.provider_message_id, "delivered")

    response = post_mailgun(client, body, auth="Basic " + base64.b64encode(b"hook:guess").decode())

    assert response.status_code == 400
    assert state_of(email) == NotificationState.SENT


@pytest.mark.django_db
def test_opening_an_email_proves_it_was_delivered(client, sent) -> None:  # type: ignore[no-untyped-def]
    email = sent["email"]

    assert (
        post_mailgun(client, mailgun_event(email.provider_message_id, "opened")).status_code == 200
    )

    assert state_of(email) == NotificationState.DELIVERED
