"""Changes to customers, sites and equipment, checked the same way whichever door they
come through (back office, portal, API); the ones other parts of Doorstep need to hear
about are announced."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from doorstep.core import events, records
from doorstep.customers.models import Account, Asset, Contact, FunctionalLocation
from doorstep.customers.phones import phone_region, read_phone


def save_account(*, account: Account) -> Account:
    """Save an account after checking it (raises ValidationError, saving nothing)."""
    return records.save_checked(account)


def save_site(*, site: FunctionalLocation) -> FunctionalLocation:
    """Save a site (a functional location) after checking it."""
    return records.save_checked(site)


def save_asset(*, asset: Asset) -> Asset:
    """Save a piece of equipment after checking it (its site must be the account's)."""
    return records.save_checked(asset)


def remove(*, record: Account | Contact | FunctionalLocation | Asset) -> None:
    """Delete a customer record; refused (ProtectedError) while visits need it."""
    records.delete(record)


@transaction.atomic
def save_contact(*, contact: Contact) -> Contact:
    """Save a contact after checking it; a new one is announced so that it can be invited
    to the portal."""
    is_new = contact._state.adding
    contact.email = contact.email.strip().lower()
    _read_national_phone(contact)
    contact.full_clean()
    contact.save()
    if is_new:
        events.publish("contact.added", contact_id=contact.pk)
    return contact


@transaction.atomic
def set_preferred_language(*, contact: Contact, language: str) -> Contact:
    """The contact's choice from the language switch: pages and messages speak it."""
    contact.preferred_language = language
    contact.clean_fields(
        exclude=[f.name for f in contact._meta.fields if f.name != "preferred_language"]
    )
    contact.save(update_fields=["preferred_language"])
    events.publish("contact.updated", contact_id=contact.pk)
    return contact


@transaction.atomic
def update_profile(
    *,
    contact: Contact,
    first_name: str,
    last_name: str,
    phone: str | PhoneNumber,
    preferred_language: str,
    communication_preference: str,
    now: datetime | None = None,
) -> Contact:
    """The contact's own changes from the portal profile, checked like the back office's."""
    contact.first_name = first_name.strip() or contact.first_name
    contact.last_name = last_name.strip()
    contact.phone = phone
    _read_national_phone(contact)
    contact.preferred_language = preferred_language
    contact.communication_preference = communication_preference
    contact.profile_reviewed_at = contact.profile_reviewed_at or now or timezone.now()
    contact.full_clean()
    contact.save()
    if contact.user is not None:
        contact.user.first_name = contact.first_name
        contact.user.last_name = contact.last_name
        contact.user.save(update_fields=["first_name", "last_name"])
    events.publish("contact.updated", contact_id=contact.pk)
    return contact


def _read_national_phone(contact: Contact) -> None:
    """A number typed without its international prefix, read in the account's country."""
    phone = contact.phone
    if isinstance(phone, PhoneNumber) and not phone.is_valid() and phone.raw_input:
        contact.phone = read_phone(phone.raw_input, region=phone_region(contact.account))
    elif isinstance(phone, str):
        contact.phone = read_phone(phone, region=phone_region(contact.account))


def skip_profile(*, contact: Contact, now: datetime | None = None) -> None:
    """The contact saw the profile and chose to fill it in later."""
    if contact.profile_reviewed_at is None:
        contact.profile_reviewed_at = now or timezone.now()
        Contact.objects.filter(pk=contact.pk).update(
            profile_reviewed_at=contact.profile_reviewed_at
        )
