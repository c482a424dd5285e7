"""What `doorstep check --deploy` says about messages: backends that print or keep them
instead of sending them, and delivery reports that would never be taken."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

from doorstep.notifications.callback_views import email_report_refusals
from doorstep.notifications.sms_twilio import status_callback_url

# Backends that never reach a customer: they print messages (visit codes included) to the
# server's output, write them to files, or keep them in memory.
DEVELOPMENT_EMAIL_BACKENDS = {
    "doorstep.notifications.email_backends.ConsoleBackend": "prints every email to the server log",
    "django.core.mail.backends.console.EmailBackend": "prints every email to the server log",
    "django.core.mail.backends.filebased.EmailBackend": "writes every email to a file",
    "django.core.mail.backends.locmem.EmailBackend": "keeps every email in memory",
}
DEVELOPMENT_SMS_BACKENDS = {
    "doorstep.notifications.sms.ConsoleBackend": "prints every text to the server log",
    "doorstep.notifications.sms.FileBackend": "writes every text to a file",
    "doorstep.notifications.sms.LocmemBackend": "keeps every text in memory",
}
TWILIO_BACKEND = "doorstep.notifications.sms_twilio.TwilioBackend"
ANYMAIL_BACKENDS = "anymail.backends."


@register(deploy=True)
def messages_reach_customers(**kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    email_backend = str(settings.MAILERS["default"]["BACKEND"])
    if email_backend in DEVELOPMENT_EMAIL_BACKENDS:
        found.append(
            Warning(
                f"EMAIL_BACKEND {DEVELOPMENT_EMAIL_BACKENDS[email_backend]} instead of "
                "sending it: it is meant for development.",
                hint="Set EMAIL_BACKEND=smtp with EMAIL_HOST (and its user and password), "
                "or an email provider's anymail backend.",
                id="doorstep.notifications.W001",
            )
        )
    if settings.SMS_BACKEND in DEVELOPMENT_SMS_BACKENDS:
        found.append(
            Warning(
                f"SMS_BACKEND {DEVELOPMENT_SMS_BACKENDS[settings.SMS_BACKEND]} instead of "
                "sending it: it is meant for development.",
                hint="Set SMS_BACKEND=twilio with its TWILIO_* settings, or SMS_BACKEND=off "
                "when the company sends no text messages.",
                id="doorstep.notifications.W002",
            )
        )
    if email_backend.startswith(ANYMAIL_BACKENDS):
        found += _email_reports_refused(email_backend)
    if settings.SMS_BACKEND == TWILIO_BACKEND:
        found += _twilio_incomplete()
    return found


def _email_reports_refused(email_backend: str) -> list[CheckMessage]:
    esp = email_backend.removeprefix(ANYMAIL_BACKENDS).split(".", 1)[0]
    refusal = email_report_refusals().get(esp, "")
    if not refusal:
        return []
    return [
        Warning(
            refusal,
            hint="Until then the message log never learns of bounces. See the README, "
            "'Running it in production'.",
            id="doorstep.notifications.W003",
        )
    ]


def _twilio_incomplete() -> list[CheckMessage]:
    found: list[CheckMessage] = []
    if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
        found.append(
            Warning(
                "SMS_BACKEND=twilio without TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: no "
                "text message can be sent.",
                id="doorstep.notifications.W004",
            )
        )
    elif not status_callback_url():
        found.append(
            Warning(
                f"Twilio cannot reach DOORSTEP_BASE_URL ({settings.DOORSTEP_BASE_URL}) to "
                "report whether texts were delivered.",
                hint="Set DOORSTEP_BASE_URL to the portal's public https address.",
                id="doorstep.notifications.W005",
            )
        )
    return found
