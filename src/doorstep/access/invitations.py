"""Inviting contacts to the portal, and turning an invitation into a sign-in.

An invitation is access, not messaging: this module decides who is invited and lets
the code in. The email is written by the notifications app when it hears
"contact.invited" (inside the same transaction) and sent by a worker, which mints the
code at send time like every other code a message carries (`mint_code`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from doorstep.access.codes import hash_code, new_code
from doorstep.access.models import Invitation
from doorstep.configuration.choices import InvitePolicy
from doorstep.configuration.models import PortalSettings
from doorstep.core import events
from doorstep.core.errors import DomainError
from doorstep.customers.models import Contact
from doorstep.users import services as users
from doorstep.users.models import User
from doorstep.users.selectors import sign_in_for_address
from doorstep.workforce.models import Resource

logger = logging.getLogger(__name__)

INVITATION_VALIDITY = timedelta(days=14)


class InvitationRefused(DomainError):
    pass


@transaction.atomic
def invite_contact(
    *,
    contact: Contact,
    invited_by: User | None = None,
    automatic: bool = False,
    now: datetime | None = None,
) -> Invitation:
    """Create an invitation for the contact; its email goes out from the outbox.

    No code exists yet: the worker that sends the email mints it (`mint_code`), so the
    code lives only in the message, never in the web request or the database.
    """
    now = now or timezone.now()
    email = contact.email.strip().lower()
    if not email:
        raise InvitationRefused(f"{contact} has no email address to send an invitation to.")
    if not contact.account.active:
        raise InvitationRefused(f"{contact.account} is not active, so it cannot be invited.")
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                contact=contact,
                email=email,
                # A placeholder nobody knows the code of, until the email is sent.
                code_hash=hash_code(new_code()),
                automatic=automatic,
                invited_by=invited_by,
                created_at=now,
                expires_at=now + INVITATION_VALIDITY,
            )
    except IntegrityError:
        raise InvitationRefused(f"{email} was already invited automatically.") from None
    events.publish("contact.invited", contact_id=contact.pk, invitation_id=invitation.pk)
    return invitation


def mint_code(*, invitation_id: int) -> str:
    """A fresh code for the invitation, for the email about to be sent.

    The invitation keeps only its hash, so the latest email's code is the one that works;
    a used invitation keeps its old hash (its code is no longer accepted anyway).
    """
    code = new_code()
    Invitation.objects.filter(pk=invitation_id, used_at__isnull=True).update(
        code_hash=hash_code(code)
    )
    return code


def invite_if_new(*, contact: Contact, now: datetime | None = None) -> Invitation | None:
    """The automatic invitation, when the settings ask for one and the address never had one."""
    portal = PortalSettings.load()
    if portal.invite_contacts == InvitePolicy.OFF or not invitation_messages_on(portal):
        # With the invitation message switched off, an invitation would only be a skipped
        # row, and the address would count as invited ever after: leave it for "invite
        # all existing contacts" once the message is on.
        return None
    if not contact.email or not contact.account.active:
        return None
    if contact.user_id is not None or was_invited_automatically(contact.email):
        return None
    try:
        return invite_contact(contact=contact, automatic=True, now=now)
    except InvitationRefused:
        return None  # a concurrent automatic invitation for the same address won


def invitation_messages_on(portal: PortalSettings) -> bool:
    return portal.notifications_enabled and portal.notify_invitation


def invite_existing_contacts(*, now: datetime | None = None) -> int:
    """With "all existing contacts too": invite every contact no invitation has reached.

    That includes those whose only invitations were made while the invitation message
    was switched off: their message was skipped, so nobody received a code.
    """
    portal = PortalSettings.load()
    if portal.invite_contacts != InvitePolicy.ALL_CONTACTS or not invitation_messages_on(portal):
        return 0
    # Unused invitations whose every message was skipped reached nobody. (Invitations
    # older than their messages have none and count as sent.)
    unsent = Invitation.objects.filter(used_at__isnull=True, notifications__isnull=False).exclude(
        notifications__skip_reason=""
    )
    invited_emails = (
        Invitation.objects.exclude(pk__in=unsent.values("pk"))
        .annotate(address=Lower("email"))
        .values("address")
    )
    contacts = (
        Contact.objects.filter(account__active=True, user__isnull=True)
        .exclude(email="")
        .annotate(address=Lower("email"))
        .exclude(address__in=invited_emails)
        .select_related("account")
        .order_by("pk")
    )
    sent = 0
    seen: set[str] = set()
    for contact in contacts:
        if contact.email.lower() in seen:
            continue  # one invitation per address, even when two contacts share it
        seen.add(contact.email.lower())
        with transaction.atomic():
            if _invite_existing(contact=contact, now=now) is not None:
                sent += 1
    return sent


def _invite_existing(*, contact: Contact, now: datetime | None) -> Invitation | None:
    if not was_invited_automatically(contact.email):
        return invite_if_new(contact=contact, now=now)
    # The address's one automatic invitation was never sent: this one stands in for it.
    try:
        return invite_contact(contact=contact, now=now)
    except InvitationRefused:
        return None


def was_invited_automatically(email: str) -> bool:
    return Invitation.objects.filter(email__iexact=email.strip(), automatic=True).exists()


def find_usable_invitation(code: str, *, now: datetime | None = None) -> Invitation:
    """The invitation behind a code, or a refusal that says plainly what is wrong."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_related("contact", "contact__account")
        .filter(code_hash=hash_code(code))
        .first()
    )
    if invitation is None:
        raise InvitationRefused("That invitation code is not right. Check it and try again.")
    if invitation.used_at is not None:
        raise InvitationRefused(
            "This invitation was already used. Sign in with your email and password, "
            "or reset your password if you forgot it."
        )
    if invitation.expires_at <= now:
        raise InvitationRefused(
            "This invitation has expired. Ask us for a new one and we will send it at once."
        )
    if invitation.contact is None or not invitation.contact.account.active:
        raise InvitationRefused("This invitation is no longer valid. Please contact us.")
    return invitation


@transaction.atomic
def redeem_invitation(*, code: str, password: str, now: datetime | None = None) -> User:
    """Set the contact's password, link them to their sign-in, and use the code up."""
    now = now or timezone.now()
    invitation = find_usable_invitation(code, now=now)
    # Lock the row: two tabs redeeming the same code at once must not both succeed.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise InvitationRefused("This invitation was already used.")
    contact = invitation.contact
    if contact is None:  # deleted since find_usable_invitation looked
        raise InvitationRefused("This invitation is no longer valid. Please contact us.")
    user = sign_in_for_address(invitation.email)
    if user is not None:
        refusal = refusal_for_existing_sign_in(user=user, contact=contact)
        if user.email.lower() != invitation.email.lower():
            refusal = "This address belongs to another sign-in. Please ask us for help."
        if refusal:
            raise InvitationRefused(refusal)
    if user is None:
        user = User(
            email=invitation.email, first_name=contact.first_name, last_name=contact.last_name
        )
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvitationRefused(" ".join(error.messages)) from None
    user.set_password(password)
    user.save()
    # The invitation reached this mailbox: its address is proved, and it is the one
    # the customer signs in with.
    users.confirm_address(user=user)
    Contact.objects.filter(pk=contact.pk).update(user=user)
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    events.publish("invitation.redeemed", invitation_id=invitation.pk, contact_id=contact.pk)
    return user


def refusal_for_existing_sign_in(*, user: User, contact: Contact) -> str:
    """Why redeeming must not set this existing sign-in's password; empty when it may.

    An invitation proves that someone reads the contact's mailbox, nothing more. It may
    set the password of a sign-in that only this contact uses; a sign-in that opens
    anything else (the back office, the technician app, another customer's account) or
    that the office switched off is left exactly as it is.
    """
    if user.is_staff or user.is_superuser or user.groups.exists() or user.user_permissions.exists():
        return "This address already signs in to the back office. Please ask us for help."
    if Resource.objects.filter(user=user).exists():
        return (
            "This address already signs in to the technician app. Sign in there, "
            "or ask us to link your customer account to it."
        )
    if Contact.objects.filter(user=user).exclude(pk=contact.pk).exists():
        return (
            "You already have a sign-in with this address. Sign in with your password, "
            "or reset it if you forgot it."
        )
    if not user.is_active:
        return "The sign-in for this address is switched off. Please contact us."
    return ""


def invitation_link(code: str) -> str:
    return settings.DOORSTEP_BASE_URL.rstrip("/") + reverse("portal:invite_code", args=[code])
