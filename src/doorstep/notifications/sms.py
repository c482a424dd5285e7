"""SMS backends, chosen by the SMS_BACKEND setting, in the manner of Django's email backends.

Shipped here: console (prints, with codes hidden), file (one file per message, for
development and tests), locmem (kept in memory, for tests) and off (sends nothing).
Provider backends implement the same interface.
"""

from __future__ import annotations

import sys
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string

from doorstep.notifications.masking import NOTE, hide_codes


class PermanentSendError(Exception):
    """The provider will never take this message (a bad number, a recipient who opted out):
    the sender fails the row at once instead of retrying it."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, for example +13035550142
    body: str
    sender: str = ""


class BaseSmsBackend:
    def send(self, message: SmsMessage) -> str:
        """Send one message and return the provider's id for it."""
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Prints each text, with visit links and invitation codes hidden. For development:
    `check --deploy` warns about it."""

    def send(self, message: SmsMessage) -> str:
        message_id = f"console-{uuid.uuid4()}"
        body, hidden = hide_codes(message.body)
        note = f"{NOTE}\n" if hidden else ""
        sys.stdout.write(f"SMS to {message.to} ({message_id}):\n{body}\n{note}{'-' * 40}\n")
        sys.stdout.flush()
        return message_id


class SwitchedOffBackend(BaseSmsBackend):
    """SMS_BACKEND=off, for a company that sends no text messages: a text that is due
    anyway fails at once, with the reason in the log."""

    def send(self, message: SmsMessage) -> str:
        raise PermanentSendError("Text messages are switched off (SMS_BACKEND=off).")


class FileBackend(BaseSmsBackend):
    def __init__(self, path: str | None = None) -> None:
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, message: SmsMessage) -> str:
        self.path.mkdir(parents=True, exist_ok=True)
        message_id = f"file-{uuid.uuid4()}"
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        (self.path / f"{stamp}-{message_id}.txt").write_text(
            f"To: {message.to}\nFrom: {message.sender}\nId: {message_id}\n\n{message.body}\n"
        )
        return message_id


class LocmemBackend(BaseSmsBackend):
    outbox: ClassVar[list[SmsMessage]] = []
    _lock = threading.Lock()

    def send(self, message: SmsMessage) -> str:
        with self._lock:
            self.outbox.append(message)
        return f"locmem-{len(self.outbox)}"


def get_sms_backend() -> BaseSmsBackend:
    backend_class: type[BaseSmsBackend] = import_string(settings.SMS_BACKEND)
    return backend_class()
