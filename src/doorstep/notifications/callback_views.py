"""The doors through which providers report delivery: Twilio's status callback, and the
email providers' tracking webhooks of anymail, which send anymail's tracking signal once
the report is checked. All of them only read the report and hand it to
callbacks.record_delivery_report.

Anyone can post to these addresses, so a report is taken only with a secret that proves
who sent it: a door whose secret is not set is off, and says so (403). Whatever a body
holds, of any size or shape, is answered with a 4xx and a reason, never a server error.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailInsecureWebhookWarning, AnymailWebhookValidationFailure
from anymail.webhooks.base import AnymailCoreWebhookView
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
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
    try:
        refusal = _twilio_signature_refusal(request)
    except (RequestDataTooBig, TooManyFieldsSent) as error:
        return _refused(413, f"The report is larger than this address takes: {error}")
    if refusal:
        logger.warning("Twilio status callback refused: %s", refusal)
        return _refused(403, refusal)
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "")
    if not sid or not status:
        return _refused(400, "MessageSid and MessageStatus are required.")
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


# --- Email providers' tracking webhooks -----------------------------------------------------

EmailReportView = Callable[..., HttpResponse]


def email_report_urls() -> list[URLPattern]:
    """anymail's tracking webhook of each email provider, at anymail's own addresses.

    Only those: the portal takes no inbound email, so anymail's inbound webhooks are not
    mounted at all.
    """
    return [
        URLPattern(pattern.pattern, email_report_view(view_class, initkwargs), name=pattern.name)
        for pattern, view_class, initkwargs in _anymail_tracking_patterns()
    ]


def email_report_refusals() -> dict[str, str]:
    """For each email provider (anymail's backend module name), why its reports are
    refused; empty when they are taken."""
    return {
        str(pattern.pattern).split("/", 1)[0]: _email_report_hook(view_class, initkwargs)[1]
        for pattern, view_class, initkwargs in _anymail_tracking_patterns()
    }


def email_report_view(
    view_class: type[AnymailCoreWebhookView], initkwargs: dict[str, Any]
) -> EmailReportView:
    """anymail's webhook `view_class`, off until it can check who posts, and never a 500.

    anymail reads the provider's body with no guard (an empty body is a JSONDecodeError,
    a server error); anything that goes wrong while a report is checked and read is the
    sender's, and answered 400 with the reason. What our receiver of the tracking signal
    does with a well-formed report is not caught here: a fault there is ours.
    """

    @csrf_exempt  # providers cannot hold a CSRF token; their secret stands in for one
    def view(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        hook, refusal = _email_report_hook(view_class, initkwargs)
        if hook is None:
            logger.info("Email delivery report refused: %s", refusal)
            return _refused(403, refusal)
        hook.setup(request, *args, **kwargs)
        if request.method != "POST":  # HEAD: a provider tries the address
            response: HttpResponse = hook.dispatch(request, *args, **kwargs)
            return response
        status, reason = _check_email_report(hook, request)
        if reason:
            return _refused(status, reason)
        esp = hook.esp_name
        try:
            events = list(hook.parse_events(request))
        except Exception as error:  # an empty body, not JSON, JSON of another shape …
            return _refused(400, f"The report could not be read as {esp}'s: {_describe(error)}")
        if not any(getattr(event, "message_id", None) for event in events):
            # JSON of some other shape reads as events about nothing: say so, rather than
            # let the sender believe a report was taken.
            return _refused(400, f"The report names no message that {esp} sent.")
        for event in events:
            hook.signal.send(sender=view_class, event=event, esp_name=esp)
        return HttpResponse()

    return view


def _anymail_tracking_patterns() -> list[tuple[URLPattern, Any, dict[str, Any]]]:
    found = []
    for pattern in anymail_urls.urlpatterns:
        name = getattr(pattern, "name", None) or ""
        callback = getattr(pattern, "callback", None)
        view_class = getattr(callback, "view_class", None)
        # Mandrill posts tracking and inbound events to one combined address.
        if view_class is None or not (
            name.endswith("_tracking_webhook") or name == "mandrill_webhook"
        ):
            continue
        found.append((pattern, view_class, dict(getattr(callback, "view_initkwargs", {}))))
    return found


def _email_report_hook(
    view_class: type[AnymailCoreWebhookView], initkwargs: dict[str, Any]
) -> tuple[AnymailCoreWebhookView | None, str]:
    """anymail's view, ready to check a report; or None and why the door is off."""
    esp = getattr(view_class, "esp_name", view_class.__name__)
    with warnings.catch_warnings():
        # anymail warns, and then takes any report, when nothing checks who posts; that
        # door is refused below instead.
        warnings.simplefilter("ignore", AnymailInsecureWebhookWarning)
        try:
            hook = view_class(**initkwargs)
        except ImproperlyConfigured as error:
            return None, f"{esp} delivery reports are off: {error}"
    if getattr(hook, "webhook_key", "") is None:
        # Mandrill's view leaves its required key unread until a report comes.
        key = f"ANYMAIL_{esp.upper().replace(' ', '_')}_WEBHOOK_KEY"
        return None, f"{esp} delivery reports are off until {key} is set."
    if not getattr(hook, "basic_auth", None) and getattr(hook, "warn_if_no_basic_auth", True):
        # The provider signs nothing (Postmark, Brevo …), or its signing key is not set: a
        # forged "bounced" would fail a message, and silence the rest of its visit's.
        return None, (
            f"{esp} delivery reports are off until ANYMAIL_WEBHOOK_SECRET is set "
            "(USER:PASS, also given in the address the provider posts to), so that "
            "nobody else can post one."
        )
    return hook, ""


def _check_email_report(hook: AnymailCoreWebhookView, request: HttpRequest) -> tuple[int, str]:
    """anymail's checks of who sent the report: the status and reason of a refusal, or 200
    and no reason."""
    try:
        hook.run_validators(request)
    except ImproperlyConfigured as error:
        return 403, f"{hook.esp_name} delivery reports are off: {error}"
    except (RequestDataTooBig, TooManyFieldsSent) as error:
        return 413, f"The report is larger than this address takes: {error}"
    except AnymailWebhookValidationFailure as error:
        return 400, f"The report's signature was not accepted: {error}"
    except Exception as error:  # a body the checks cannot even read
        return 400, f"The report could not be read: {_describe(error)}"
    return 200, ""


def _refused(status: int, reason: str) -> HttpResponse:
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


def _describe(error: Exception) -> str:
    # The exception's own words say what was wrong with the body; bounded, since they can
    # quote it.
    words = str(error)[:200]
    return f"{type(error).__name__}: {words}" if words else type(error).__name__
