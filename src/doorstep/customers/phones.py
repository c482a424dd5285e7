"""Phone numbers as people type them: national ones read in the country they belong to.

A customer in Denver types `720 555 0199`, not `+1 720 555 0199`. A number without its
international prefix is read in the contact's account's country (the country of its
address), or else in `PHONENUMBER_DEFAULT_REGION`; numbers are stored in E.164 either way.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from phonenumber_field.phonenumber import PhoneNumber, to_python

from doorstep.customers.models import Account


def phone_region(account: Account | None) -> str | None:
    """The country whose national numbers a contact of `account` may type, as ISO 3166 code."""
    return country_region(account.country if account is not None else "")


def country_region(country: str) -> str | None:
    """`country` (ISO 3166) where phone numbers know it, else the default region."""
    country = country.strip().upper()
    if country in phonenumbers.SUPPORTED_REGIONS:
        return country
    default: str | None = getattr(settings, "PHONENUMBER_DEFAULT_REGION", None)
    return default


def read_phone(value: str | PhoneNumber | None, *, region: str | None) -> PhoneNumber | str:
    """`value` as a phone number read in `region`, "" for nothing; a bad one as it came.

    A number that cannot be read is handed back as typed, so that validation refuses it
    with its own message and the form shows what was typed.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, PhoneNumber):
        return value
    number = to_python(value.strip(), region=region)
    return number if isinstance(number, PhoneNumber) and number.is_valid() else value
