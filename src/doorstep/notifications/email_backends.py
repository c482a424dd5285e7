"""The project's email backends, chosen with EMAIL_BACKEND=console or smtp.

console: Django's, with the codes that open the portal hidden (see masking.py).
smtp: Django's, telling the sender the moment a message is about to be complete, so a
crash before it is known to have sent nothing (see reconcile.py).
"""

from __future__ import annotations

import copy
import re
import smtplib
import socket
from collections.abc import Buffer, Callable, Sequence
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends import console, smtp

from doorstep.notifications.masking import NOTE, hide_codes


class ConsoleBackend(console.EmailBackend):
    """Prints each email, as Django's console backend does, with visit links and
    invitation codes hidden. For development: `check --deploy` warns about it."""

    def write_message(self, message: EmailMessage) -> None:
        shown, hidden = _with_codes_hidden(message)
        super().write_message(shown)
        if hidden:
            self.stream.write(NOTE + "\n")


class SmtpBackend(smtp.EmailBackend):
    """Django's SMTP backend that calls `hand_over`, when set, just before the line that
    ends a message's DATA.

    A mail server takes responsibility for a message only once that line has arrived
    (RFC 5321, 4.1.1.4): a client that dies before sending it has sent nothing, and one
    that dies after it cannot know whether the server kept the message. The sender sets
    `hand_over` to record which side of that line a crash fell on.
    """

    hand_over: Callable[[], None] | None = None

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return _HandingOverSMTPSSL if self.use_ssl else _HandingOverSMTP

    def open(self) -> bool | None:
        opened = super().open()
        if isinstance(self.connection, _HandingOverSMTP):
            self.connection.backend = self
        return opened

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        try:
            return int(super().send_messages(email_messages) or 0)
        except smtplib.SMTPResponseException:
            raise  # the server answered: the connection still works
        except BaseException:
            # The connection dropped, or a message was cut off mid-DATA and its connection
            # closed: the next message needs a new one rather than this one.
            self._forget_connection()
            raise

    def _forget_connection(self) -> None:
        try:
            self.close()
        except Exception:
            self.connection = None


_LEADING_DOT = re.compile(rb"(?m)^\.")


class _HandingOverSMTP(smtplib.SMTP):
    backend: SmtpBackend | None = None

    def data(self, msg: Buffer | str) -> tuple[int, bytes]:
        """smtplib's DATA, calling the backend's `hand_over` before the line that ends
        the message."""
        hand_over = self.backend.hand_over if self.backend is not None else None
        if hand_over is None or not isinstance(msg, bytes):
            return super().data(msg)
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        content = _LEADING_DOT.sub(b"..", msg)  # dot-stuffing, as smtplib does it
        if not content.endswith(b"\r\n"):
            content += b"\r\n"
        if self.sock is not None:
            # The last line goes out on its own, after the mark: without this, the kernel
            # holds it back until the server acknowledges the content, which a server
            # delays by up to 40 ms, and that would widen the window it is meant to narrow.
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.send(content)
        try:
            hand_over()
        except BaseException:
            self.close()  # the server drops a message whose end never came
            raise
        self.send(b".\r\n")
        return self.getreply()


class _HandingOverSMTPSSL(_HandingOverSMTP, smtplib.SMTP_SSL):
    pass


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
