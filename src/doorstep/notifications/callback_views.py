"""The doors through which providers report delivery: Twilio's status callback, and
anymail's tracking signal, which anymail sends once it has checked the email provider's
signature. Both only read the report and hand it to callbacks.record_delivery_report.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import (  # type: ignore[import-untyped]
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from doorstep.notifications.callbacks import DeliveryOutcome, record_delivery_report

logger = logging.getLogger(__name__)

# https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
TWILIO_OUTCOMES = {
    "delivered": DeliveryOutcome.DELIVERED,
    "read": DeliveryOutcome.DELIVERED,
    "undelivered": DeliveryOutcome.FAILED,
    "failed": DeliveryOutcome.FAILED,
    "canceled": DeliveryOutcome.FAILED,
}
# The errors a status callback most often carries, in words the office understands.
TWILIO_ERRORS = {
    "21610": "the recipient has opted out by replying STOP",
    "30003": "the phone is switched off or out of reach",
    "30004": "the message was blocked by the recipient or their carrier",
    "30005": "the number is unknown to the carrier",
    "30006": "the number is a landline or its carrier cannot take texts",
    "30007": "the carrier filtered the message",
    "30008": "the carrier gave no reason",
    "30034": "the sending number is not registered for US A2P 10DLC",
}

# anymail's normalized event types; opens and clicks prove the email arrived.
ANYMAIL_OUTCOMES = {
    "delivered": DeliveryOutcome.DELIVERED,
    "opened": DeliveryOutcome.DELIVERED,
    "clicked": DeliveryOutcome.DELIVERED,
    "bounced": DeliveryOutcome.FAILED,
    "rejected": DeliveryOutcome.FAILED,
    "failed": DeliveryOutcome.FAILED,
}


@csrf_exempt  # Twilio cannot hold a CSRF token; its signature stands in for one
@require_POST
def twilio_status_callback(request: HttpRequest) -> HttpResponse:
    """Twilio's report on a text message, accepted only with Twilio's signature on it."""
    refusal = _twilio_signature_refusal(request)
    if refusal:
        logger.warning("Twilio status callback refused: %s", refusal)
        return HttpResponseForbidden(refusal, content_type="text/plain; charset=utf-8")
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "")
    if not sid or not status:
        return HttpResponse(
            "MessageSid and MessageStatus are required.", status=400, content_type="text/plain"
        )
    outcome = TWILIO_OUTCOMES.get(status, DeliveryOutcome.IN_TRANSIT)
    result = record_delivery_report(
        provider_message_id=sid, outcome=outcome, reason=_twilio_reason(request, status)
    )
    logger.info("Twilio reported %s for %s: %s", status, sid, result)
    # Any 2xx: Twilio does not retry a status callback, and has nothing to do with a body.
    return HttpResponse(status=204)


def _twilio_signature_refusal(request: HttpRequest) -> str:
    """Why the request does not carry a valid Twilio signature; empty when it does."""
    if not settings.TWILIO_AUTH_TOKEN:
        return "TWILIO_AUTH_TOKEN is not set, so no signature can be checked."
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return "The X-Twilio-Signature header is missing."
    # Twilio signs the URL it was given, which is the public one: behind a proxy, the
    # host and scheme this process sees can differ, so the URL is rebuilt from the setting.
    url = settings.DOORSTEP_BASE_URL.rstrip("/") + request.get_full_path()
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER, ""))
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    if not validator.validate(url, request.POST, signature, algorithm):
        return f"The X-Twilio-Signature does not match a request to {url}."
    return ""


def _twilio_reason(request: HttpRequest, status: str) -> str:
    code = request.POST.get("ErrorCode", "")
    if not code:
        return f"Twilio reported the message {status}."
    words = request.POST.get("ErrorMessage", "") or TWILIO_ERRORS.get(code, "see Twilio's docs")
    return (
        f"Twilio reported the message {status}, error {code}: {words}. "
        f"https://www.twilio.com/docs/errors/{code}"
    )


def record_email_event(sender: object, event: Any, esp_name: str, **kwargs: object) -> None:
    """Receiver of anymail's `tracking` signal: an email provider's report on an email."""
    outcome = ANYMAIL_OUTCOMES.get(event.event_type, DeliveryOutcome.IN_TRANSIT)
    if outcome == DeliveryOutcome.IN_TRANSIT or not event.message_id:
        return
    details = event.description or event.mta_response or event.reject_reason or ""
    result = record_delivery_report(
        provider_message_id=str(event.message_id),
        outcome=outcome,
        reason=f"{esp_name} reported the email {event.event_type}. {details}".strip(),
        at=event.timestamp,
    )
    logger.info("%s reported %s for %s: %s", esp_name, event.event_type, event.message_id, result)
