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

from doorstep.notifications.sms import BaseSmsBackend, PermanentSendError, SmsMessage

MAX_SEGMENTS = 2
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


# --- Segments -----------------------------------------------------------------------------
# A text that fits the GSM-7 alphabet travels 160 characters in one segment, or 153 a
# segment once split (the rest carries the header that joins them). Anything else is
# sent as UCS-2: 70 characters in one segment, 67 a segment once split. Carriers bill, and
# some phones show, each segment: a message never takes more than MAX_SEGMENTS.

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")  # two septets each: an escape, then the character

# Typography in our templates and snippets that has a plain GSM-7 twin. Sent as they are,
# one curly apostrophe would make the whole message UCS-2 and halve what fits.
_PLAIN_TWINS = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "…": "...",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
    }
)
_TRAILING_URL = re.compile(r"(?:^|\s)(https?://\S+)\s*\Z")


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def segment_count(text: str) -> int:
    """How many SMS segments the text takes, packed as the network splits it."""
    if is_gsm7(text):
        units = [2 if char in GSM7_EXTENDED else 1 for char in text]
        single, split = 160, 153
    else:
        units = [2 if ord(char) > 0xFFFF else 1 for char in text]  # surrogate pairs
        single, split = 70, 67
    if sum(units) <= single:
        return 1
    # An escaped character or a surrogate pair is never cut in two across segments.
    segments, used = 1, 0
    for size in units:
        if used + size > split:
            segments, used = segments + 1, 0
        used += size
    return segments


def fit_to_segments(text: str, *, max_segments: int = MAX_SEGMENTS) -> str:
    """The text in at most `max_segments`, shortened at a word with an ellipsis if need be.

    A link at the end survives whole: a cut link is worse than no link.
    """
    text = text.translate(_PLAIN_TWINS).strip()
    if segment_count(text) <= max_segments:
        return text
    match = _TRAILING_URL.search(text)
    head, tail = (text[: match.start()], " " + match.group(1)) if match else (text, "")
    ellipsis = "..." if is_gsm7(text) else "…"

    def candidate(length: int) -> str:
        return head[:length].rstrip() + ellipsis + tail

    if segment_count(candidate(0)) > max_segments:  # the link alone is too long to keep
        head, tail = text, ""
    # Longer prefixes never take fewer segments, so search for the longest that fits.
    low, high = 0, len(head)
    while low < high:
        middle = (low + high + 1) // 2
        if segment_count(candidate(middle)) <= max_segments:
            low = middle
        else:
            high = middle - 1
    cut = head[:low]
    if low < len(head) and not head[low].isspace():
        # Mid-word: go back to the last space unless that throws away a lot.
        space = cut.rfind(" ")
        if space > 0 and space >= len(cut) - 20:
            cut = cut[:space]
    result = cut.rstrip(" ,;:-.\n") + ellipsis + tail
    # Going back to a word boundary moves where two-unit characters fall on segment
    # borders; shorten further in the rare case that costs a segment.
    while segment_count(result) > max_segments and cut:
        cut = cut[:-1]
        result = cut.rstrip(" ,;:-.\n") + ellipsis + tail
    return result
