"""Changes to customers that other parts of Doorstep need to hear about."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from doorstep.core import events
from doorstep.customers.models import Contact


@transaction.atomic
def save_contact(*, contact: Contact) -> Contact:
    """Save a contact; a new one is announced so that it can be invited to the portal."""
    is_new = contact._state.adding
    contact.email = contact.email.strip().lower()
    contact.save()
    if is_new:
        events.publish("contact.added", contact_id=contact.pk)
    return contact


@transaction.atomic
def update_profile(
    *,
    contact: Contact,
    first_name: str,
    last_name: str,
    phone: str,
    preferred_language: str,
    communication_preference: str,
    now: datetime | None = None,
) -> Contact:
    """The contact's own changes from the portal profile, checked like the back office's."""
    contact.first_name = first_name.strip() or contact.first_name
    contact.last_name = last_name.strip()
    contact.phone = phone
    contact.preferred_language = preferred_language
    contact.communication_preference = communication_preference
    contact.profile_reviewed_at = contact.profile_reviewed_at or now or timezone.now()
    contact.full_clean()
    contact.save()
    if contact.user is not None:
        contact.user.first_name = contact.first_name
        contact.user.last_name = contact.last_name
        contact.user.save(update_fields=["first_name", "last_name"])
    return contact


def skip_profile(*, contact: Contact, now: datetime | None = None) -> None:
    """The contact saw the profile and chose to fill it in later."""
    if contact.profile_reviewed_at is None:
        contact.profile_reviewed_at = now or timezone.now()
        Contact.objects.filter(pk=contact.pk).update(
            profile_reviewed_at=contact.profile_reviewed_at
        )
