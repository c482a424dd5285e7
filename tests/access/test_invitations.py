"""Invitations: once per address automatically, by hand on request, used up only by a POST."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from doorstep.access import invitations
from doorstep.access.codes import hash_code, normalise
from doorstep.access.models import Invitation
from doorstep.configuration.choices import InvitePolicy
from doorstep.configuration.models import PortalSettings
from doorstep.customers import services as customers
from doorstep.customers.models import Contact
from doorstep.notifications.sending import send_due
from doorstep.users.models import User
from tests.factories import AccountFactory, ContactFactory, invite

PASSWORD = "a long enough password 42"


def set_policy(policy: str) -> None:
    settings = PortalSettings.load()
    settings.invite_contacts = policy
    settings.save()


def add_contact(**fields: object) -> Contact:
    contact = ContactFactory.build(
        account=fields.pop("account", None) or AccountFactory(), **fields
    )
    return customers.save_contact(contact=contact)


def code_in(message: mail.EmailMessage) -> str:
    found = re.search(r"code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", message.body)
    assert found, message.body
    return found.group(1)


@pytest.mark.django_db(transaction=True)
def test_a_new_contact_is_invited_by_an_email_the_worker_sends() -> None:
    from django.core.management import call_command

    set_policy(InvitePolicy.NEW_CONTACTS)

    contact = add_contact(email="Pat@Example.test")

    invitation = Invitation.objects.get()
    assert invitation.email == "pat@example.test"
    assert invitation.automatic
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    # Nothing is sent from the request that saved the contact: a worker sends it.
    assert mail.outbox == []
    call_command("db_worker", "--batch", verbosity=0)
    [message] = mail.outbox
    assert message.to == ["pat@example.test"]
    code = code_in(message)
    assert reverse("portal:invite_code", args=[code]) in message.body
    # Only the hash is stored, and the code carries at least 64 random bits (16 × 5).
    invitation.refresh_from_db()
    assert invitation.code_hash == hash_code(code) != code
    assert len(normalise(code)) * 5 >= 64
    assert contact.invitations.count() == 1


@pytest.mark.django_db(transaction=True)
def test_no_invitation_when_the_settings_say_off_or_the_account_is_inactive() -> None:
    set_policy(InvitePolicy.OFF)
    add_contact()
    set_policy(InvitePolicy.NEW_CONTACTS)
    add_contact(account=AccountFactory(active=False))
    add_contact(email="", phone="+13035550100", communication_preference="sms")

    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_an_address_is_invited_automatically_only_once_ever() -> None:
    set_policy(InvitePolicy.NEW_CONTACTS)
    first = add_contact(email="sam@example.test")
    first.delete()

    again = add_contact(email="SAM@example.test")
    send_due(worker="tests")

    assert Invitation.objects.filter(email="sam@example.test").count() == 1
    assert len(mail.outbox) == 1
    # Staff can still send one by hand to the re-added address.
    invite(contact=again)
    assert Invitation.objects.filter(email="sam@example.test").count() == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_all_existing_contacts_are_invited_when_asked_once_per_address() -> None:
    set_policy(InvitePolicy.OFF)
    old = add_contact(email="old@example.test")
    add_contact(email="twice@example.test")
    add_contact(email="twice@example.test")  # a second account, same person
    signed_in = add_contact(email="member@example.test")
    Contact.objects.filter(pk=signed_in.pk).update(
        user=User.objects.create_user("member@example.test")
    )
    invite(contact=old)  # already has one

    set_policy(InvitePolicy.ALL_CONTACTS)
    sent = invitations.invite_existing_contacts()

    assert sent == 1
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "old@example.test",
        "twice@example.test",
    ]
    assert invitations.invite_existing_contacts() == 0


@pytest.mark.django_db
def test_opening_the_link_shows_the_form_and_uses_nothing(client: Client) -> None:
    sent = invite(contact=ContactFactory())

    response = client.get(reverse("portal:invite_code", args=[sent.code]), follow=True)

    assert response.status_code == 200
    assert sent.code in response.content.decode()
    sent.invitation.refresh_from_db()
    assert sent.invitation.used_at is None


@pytest.mark.django_db
def test_redeeming_sets_the_password_links_the_contact_and_lands_on_the_profile(
    client: Client,
) -> None:
    contact = ContactFactory(email="lee@example.test")
    sent = invite(contact=contact)

    response = client.post(
        reverse("portal:invite"),
        {"code": sent.code.lower().replace("-", " "), "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:profile")
    contact.refresh_from_db()
    assert contact.user is not None
    assert contact.user.email == "lee@example.test"
    assert contact.user.check_password(PASSWORD)
    sent.invitation.refresh_from_db()
    assert sent.invitation.used_at is not None
    assert client.get(reverse("portal:profile")).status_code == 200  # signed in


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unknown", "not right"),
        ("used", "already used"),
        ("expired", "has expired"),
        ("weak", "too common"),
        ("mismatch", "not the same"),
    ],
)
def test_bad_codes_and_passwords_are_refused_and_the_form_keeps_the_code(
    client: Client, case: str, message: str
) -> None:
    sent = invite(contact=ContactFactory())
    code, password, again = sent.code, PASSWORD, PASSWORD
    if case == "unknown":
        code = "AAAA-BBBB-CCCC-DDDD"
    if case == "used":
        Invitation.objects.update(used_at=timezone.now())
    if case == "expired":
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    if case == "weak":
        password = again = "password"
    if case == "mismatch":
        again = "another long password 43"

    response = client.post(
        reverse("portal:invite"), {"code": code, "password1": password, "password2": again}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'value="{code}"' in page
    assert not User.objects.exists()


@pytest.mark.django_db
def test_staff_create_an_invitation_from_the_contact_page(staff_client: Client) -> None:
    contact = ContactFactory(email="new@example.test")
    page = reverse("admin:customers_contact_change", args=[contact.pk])
    assert "Create invitation" in staff_client.get(page).content.decode()

    response = staff_client.post(
        reverse("admin:customers_contact_invite", args=[contact.pk]), follow=True
    )

    assert "Invitation sent to new@example.test" in response.content.decode()
    assert contact.invitations.get().invited_by is not None
    assert (
        staff_client.get(reverse("admin:customers_contact_invite", args=[contact.pk])).status_code
        == 405
    )


@pytest.mark.django_db(transaction=True)
def test_choosing_all_existing_contacts_in_the_settings_queues_their_invitations(
    staff_client: Client,
) -> None:
    from django.core.management import call_command

    from tests.configuration.test_admin import posted_values

    set_policy(InvitePolicy.OFF)
    add_contact(email="waiting@example.test")
    page = reverse("admin:configuration_portalsettings_change", args=[1])
    form = staff_client.get(page).context["adminform"].form
    data = posted_values(form) | {"invite_contacts": InvitePolicy.ALL_CONTACTS}

    staff_client.post(page, data)
    assert not Invitation.objects.exists()  # queued, not sent inside the request
    call_command("worker", batch=True, verbosity=0)

    assert Invitation.objects.filter(email="waiting@example.test").exists()


@pytest.mark.django_db
def test_an_invitation_cannot_reset_a_staff_password(client: Client) -> None:
    staff = User.objects.create_user("office@example.test", "the office password 1", is_staff=True)
    sent = invite(contact=ContactFactory(email="office@example.test"))

    response = client.post(
        reverse("portal:invite"), {"code": sent.code, "password1": PASSWORD, "password2": PASSWORD}
    )

    assert "already signs in to the back office" in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password("the office password 1")


@pytest.mark.django_db
def test_a_person_who_is_a_contact_of_two_accounts_is_told_to_sign_in(client: Client) -> None:
    first = ContactFactory(email="manager@example.test")
    invitations.redeem_invitation(code=invite(contact=first).code, password=PASSWORD)
    second = ContactFactory(email="manager@example.test")  # another account, same person
    sent = invite(contact=second)

    response = client.post(
        reverse("portal:invite"), {"code": sent.code, "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 200
    assert "You already have a sign-in" in response.content.decode()
    second.refresh_from_db()
    assert second.user is None


@pytest.mark.django_db(transaction=True)
def test_the_invitation_goes_through_the_outbox_without_its_code() -> None:
    from doorstep.notifications.models import Notification, NotificationState

    sent = invite(contact=ContactFactory(email="logged@example.test"))

    row = Notification.objects.get(invitation=sent.invitation)
    assert row.state == NotificationState.SENT
    assert "[invitation code]" in row.body
    assert sent.code not in row.body + row.body_html
    [message] = mail.outbox
    assert sent.code in message.body


@pytest.mark.django_db(transaction=True)
def test_a_failed_invitation_is_retried_with_a_new_code_that_works(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.core.mail.backends.locmem import EmailBackend

    from doorstep.notifications import sending
    from doorstep.notifications.models import Notification, NotificationState

    original = EmailBackend.send_messages
    minted: list[str] = []
    real_mint = invitations.mint_code

    def mint(*, invitation_id: int) -> str:
        minted.append(real_mint(invitation_id=invitation_id))
        return minted[-1]

    monkeypatch.setattr(invitations, "mint_code", mint)
    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, messages: 0)
    invitation = invitations.invite_contact(contact=ContactFactory(email="retry@example.test"))
    sending.send_due(worker="test")
    row = Notification.objects.get(invitation=invitation)
    assert row.state == NotificationState.PENDING
    assert mail.outbox == []
    [lost_code] = minted

    monkeypatch.setattr(EmailBackend, "send_messages", original)
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    sending.send_due(worker="test")

    [message] = mail.outbox
    new_code = code_in(message)
    assert new_code != lost_code
    with pytest.raises(invitations.InvitationRefused):
        invitations.find_usable_invitation(lost_code)
    assert invitations.find_usable_invitation(new_code).pk == invitation.pk


@pytest.mark.django_db(transaction=True)
def test_invitations_switched_off_are_logged_as_skipped() -> None:
    from doorstep.notifications.models import Notification, NotificationState

    settings = PortalSettings.load()
    settings.notify_invitation = False
    settings.save()

    invitation = invitations.invite_contact(contact=ContactFactory())

    row = Notification.objects.get(invitation=invitation)
    assert (row.state, row.skip_reason) == (
        NotificationState.SKIPPED,
        "invitation messages are switched off",
    )
    assert mail.outbox == []
