"""The console backends, for development, print messages to the server's output: the codes
that open the portal (visit links, invitation codes and links) never appear there."""

from __future__ import annotations

import pytest

from doorstep.access import invitations
from doorstep.access.visit_links import find_valid_link
from doorstep.notifications import sending
from doorstep.notifications.models import Notification, NotificationState
from tests.factories import ContactFactory
from tests.notifications.conftest import book

CONSOLE = {"default": {"BACKEND": "doorstep.notifications.email_backends.ConsoleBackend"}}


@pytest.fixture
def console(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAILERS = CONSOLE
    settings.SMS_BACKEND = "doorstep.notifications.sms.ConsoleBackend"


@pytest.fixture
def codes_sent(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """Every code the sender puts in a message, as it makes them."""
    made: list[str] = []

    def recording(make):  # type: ignore[no-untyped-def]
        def wrapper(**kwargs):  # type: ignore[no-untyped-def]
            code = make(**kwargs)
            made.append(code)
            return code

        return wrapper

    monkeypatch.setattr(sending, "issue_visit_link", recording(sending.issue_visit_link))
    monkeypatch.setattr(invitations, "mint_code", recording(invitations.mint_code))
    return made


@pytest.mark.django_db
@pytest.mark.usefixtures("console")
def test_the_console_shows_no_visit_code_that_works(contact, codes_sent, capsys) -> None:  # type: ignore[no-untyped-def]
    booking = book(contact)

    sending.send_due(worker="test")

    printed = capsys.readouterr().out
    rows = Notification.objects.filter(booking=booking)
    assert {row.state for row in rows} == {NotificationState.SENT}
    assert {row.channel for row in rows} == {"email", "sms"}
    assert len(codes_sent) == 2  # one per message, both still valid
    assert all(find_valid_link(code) for code in codes_sent)
    assert not [code for code in codes_sent if code in printed]
    assert booking.reference in printed  # the messages themselves are there
    assert "/t/[hidden]/" in printed
    assert "Codes that open the portal are hidden here" in printed


@pytest.mark.django_db
@pytest.mark.usefixtures("console")
def test_the_console_shows_no_invitation_code(codes_sent, capsys) -> None:  # type: ignore[no-untyped-def]
    invitations.invite_contact(contact=ContactFactory(email="robin@example.test"))

    sending.send_due(worker="test")

    printed = capsys.readouterr().out
    [code] = codes_sent
    assert "robin@example.test" in printed
    assert code not in printed
    assert code.replace("-", "") not in printed
    assert "/invite/[hidden]/" in printed
