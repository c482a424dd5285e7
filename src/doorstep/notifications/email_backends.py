"""The project's email backends, chosen with EMAIL_BACKEND=console or smtp.

console: Django's, with the codes that open the portal hidden (see masking.py).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends import console

from doorstep.notifications.masking import NOTE, hide_codes


class ConsoleBackend(console.EmailBackend):
    """Prints each email, as Django's console backend does, with visit links and
    invitation codes hidden. For development: `check --deploy` warns about it."""

    def write_message(self, message: EmailMessage) -> None:
        shown, hidden = _with_codes_hidden(message)
        super().write_message(shown)
        if hidden:
            self.stream.write(NOTE + "\n")


def _with_codes_hidden(message: EmailMessage) -> tuple[EmailMessage, int]:
    shown = copy.copy(message)
    shown.subject, in_subject = hide_codes(str(message.subject))
    shown.body, in_body = hide_codes(str(message.body))
    hidden = in_subject + in_body
    if isinstance(message, EmailMultiAlternatives):
        alternatives = []
        for alternative in message.alternatives:
            content, count = _hide_in(alternative[0])
            alternatives.append(_like(alternative, (content, *alternative[1:])))
            hidden += count
        shown.alternatives = alternatives  # type: ignore[attr-defined]
    attachments: list[Any] = []
    for attachment in message.attachments:
        if isinstance(attachment, Sequence) and len(attachment) == 3:
            content, count = _hide_in(attachment[1])
            attachments.append(_like(attachment, (attachment[0], content, attachment[2])))
            hidden += count
        else:
            attachments.append(attachment)
    shown.attachments = attachments
    return shown, hidden


def _hide_in(content: object) -> tuple[Any, int]:
    if isinstance(content, str):
        return hide_codes(content)
    return content, 0


def _like(original: Any, values: tuple[Any, ...]) -> Any:
    # Django keeps alternatives and attachments as named tuples; older code passes plain ones.
    return original._make(values) if hasattr(original, "_make") else values
