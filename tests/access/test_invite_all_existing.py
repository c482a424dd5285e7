"""'Invite all existing contacts' reaches everyone no invitation reached, whenever they came."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from doorstep.access import invitations
from doorstep.access.models import Invitation
from doorstep.configuration.choices import InvitePolicy
from doorstep.configuration.models import PortalSettings
from doorstep.customers import services as customers
from doorstep.customers.models import Contact
from doorstep.notifications.sending import send_due
from tests.factories import AccountFactory, ContactFactory


def settings(**values: object) -> None:
    portal = PortalSettings.load()
    for name, value in values.items():
        setattr(portal, name, value)
    portal.save()


def add_contact(email: str) -> Contact:
    return customers.save_contact(
        contact=ContactFactory.build(account=AccountFactory(), email=email)
    )


def invited_by_email() -> list[str]:
    send_due(worker="tests")
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "switched_off",
    [{"notify_invitation": False}, {"notifications_enabled": False}],
    ids=["invitation-message-off", "all-messages-off"],
)
def test_contacts_added_while_the_invitation_message_was_off_are_invited_later(
    switched_off: dict[str, bool],
) -> None:
    settings(invite_contacts=InvitePolicy.NEW_CONTACTS, **switched_off)
    add_contact("quiet@example.test")
    assert invited_by_email() == []

    settings(invite_contacts=InvitePolicy.ALL_CONTACTS, **dict.fromkeys(switched_off, True))
    sent = invitations.invite_existing_contacts()

    assert sent == 1
    assert invited_by_email() == ["quiet@example.test"]
    assert invitations.invite_existing_contacts() == 0


@pytest.mark.django_db(transaction=True)
def test_an_invitation_made_while_the_message_was_off_is_made_again() -> None:
    # Before invitations waited for the message: a row whose email was skipped.
    settings(invite_contacts=InvitePolicy.NEW_CONTACTS, notify_invitation=False)
    contact = add_contact("early@example.test")
    invitations.invite_contact(contact=contact, automatic=True)
    settings(invite_contacts=InvitePolicy.ALL_CONTACTS, notify_invitation=True)

    assert invitations.invite_existing_contacts() == 1
    assert invited_by_email() == ["early@example.test"]
    assert Invitation.objects.filter(email="early@example.test").count() == 2
    assert invitations.invite_existing_contacts() == 0


@pytest.mark.django_db(transaction=True)
def test_nothing_is_made_while_the_invitation_message_is_off() -> None:
    settings(invite_contacts=InvitePolicy.ALL_CONTACTS, notify_invitation=False)
    add_contact("later@example.test")

    assert invitations.invite_existing_contacts() == 0
    assert not Invitation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_switching_the_invitation_message_on_in_the_settings_queues_the_invitations(
    staff_client: Client,
) -> None:
    from django.core.management import call_command

    from tests.configuration.test_admin import posted_values

    settings(invite_contacts=InvitePolicy.ALL_CONTACTS, notify_invitation=False)
    add_contact("waiting@example.test")
    page = reverse("admin:configuration_portalsettings_change", args=[1])
    form = staff_client.get(page).context["adminform"].form

    staff_client.post(page, posted_values(form) | {"notify_invitation": "on"})
    call_command("worker", batch=True, verbosity=0)

    assert invited_by_email() == ["waiting@example.test"]
