"""The Twilio SMS backend, and the two-segment rule every text message keeps to.

Configured by TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, and either
TWILIO_MESSAGING_SERVICE_SID or SMS_FROM_NUMBER. Each message asks Twilio to report its
fate to DOORSTEP_BASE_URL + /hooks/twilio/status/ (see callback_views.py).
"""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from twilio.base.exceptions import TwilioException  # type: ignore[import-untyped]
from twilio.http.http_client import TwilioHttpClient  # type: ignore[import-untyped]
from twilio.rest import Client  # type: ignore[import-untyped]

from doorstep.notifications.segments import fit_to_segments
from doorstep.notifications.sms import BaseSmsBackend, PermanentSendError, SmsMessage

# Seconds to wait for Twilio's API. Without a limit, one hung connection would hold a
# worker, and the rows it claimed, until the claim times out.
API_TIMEOUT = 15.0

E164 = re.compile(r"\+[1-9]\d{1,14}")


class SmsNotSent(Exception):
    """Twilio did not take the message; the sender records the reason as a failed attempt."""


class SmsNeverSendable(SmsNotSent, PermanentSendError):
    """Twilio will never take it: the sender gives up at once."""


# Twilio errors that no retry can change: invalid or unreachable numbers, opted out.
# https://www.twilio.com/docs/api/errors
PERMANENT_TWILIO_ERRORS = frozenset({21211, 21214, 21217, 21408, 21610, 21612, 21614})


class TwilioBackend(BaseSmsBackend):
    def __init__(self) -> None:
        self._client: Client | None = None

    def send(self, message: SmsMessage) -> str:
        """Hand the message to Twilio and return its SID (SM…), which callbacks refer to."""
        if not E164.fullmatch(message.to):
            raise SmsNeverSendable(
                f"{message.to!r} is not a phone number in international E.164 form "
                "(for example +13035550142), so it was not sent."
            )
        sender: dict[str, str] = {}
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            sender["messaging_service_sid"] = settings.TWILIO_MESSAGING_SERVICE_SID
        elif message.sender or settings.SMS_FROM_NUMBER:
            sender["from_"] = message.sender or settings.SMS_FROM_NUMBER
        else:
            raise ImproperlyConfigured(
                "Twilio needs TWILIO_MESSAGING_SERVICE_SID or SMS_FROM_NUMBER to send from."
            )
        callback = status_callback_url()
        try:
            created = self.client().messages.create(
                to=message.to,
                body=fit_to_segments(message.body),
                **sender,
                **({"status_callback": callback} if callback else {}),
            )
        except TwilioException as error:
            if getattr(error, "code", None) in PERMANENT_TWILIO_ERRORS:
                raise SmsNeverSendable(_describe(error)) from error
            raise SmsNotSent(_describe(error)) from error
        return str(created.sid)

    def client(self) -> Client:
        if self._client is None:
            if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
                raise ImproperlyConfigured(
                    "The Twilio SMS backend needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN."
                )
            self._client = Client(
                settings.TWILIO_ACCOUNT_SID,
                settings.TWILIO_AUTH_TOKEN,
                http_client=shared_http_client(),
                environment={},  # the settings above, never stray TWILIO_* variables
            )
        return self._client


@functools.cache
def shared_http_client() -> TwilioHttpClient:
    # The sender makes a backend for every message; sharing the HTTP client keeps one
    # connection pool per process, so a batch does not open a TLS connection per text.
    return TwilioHttpClient(timeout=API_TIMEOUT)


def status_callback_url() -> str:
    """Where Twilio reports delivery; empty when Twilio could not reach this server anyway.

    Twilio signs each callback with the exact URL given here, and the callback view
    checks the signature against the same URL, so both are built from DOORSTEP_BASE_URL.
    """
    base = settings.DOORSTEP_BASE_URL.rstrip("/")
    host = urlsplit(base).hostname or ""
    if host == "localhost" or _is_private(host):
        return ""
    return base + reverse("twilio_status_callback")


def _is_private(host: str) -> bool:
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def _describe(error: TwilioException) -> str:
    code = getattr(error, "code", None)
    detail = (
        getattr(error, "msg", None) or getattr(error, "detail", None) or getattr(error, "title", "")
    )
    # The library puts its own words before Twilio's: they add nothing for the office.
    detail = str(detail).removeprefix("Unable to create record: ")
    if code:
        return (
            f"Twilio refused the message (error {code}: {detail}). "
            f"https://www.twilio.com/docs/errors/{code}"
        )
    return f"Twilio did not take the message: {detail or type(error).__name__}"
