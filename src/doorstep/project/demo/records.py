"""The demo's records other than bookings, each added only where it is missing.

Every record has a natural key (a name, an email address): records that exist are left
alone, and the details of a technician or an account (hours, time off, contacts,
equipment) are only added together with it, so loading again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models

from doorstep.catalog.models import IncidentType, IncidentTypeSkill
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Account, Asset, Contact, FunctionalLocation
from doorstep.project.demo import data, words
from doorstep.project.demo.accounts import AccountPlan
from doorstep.project.demo.diary import time_off
from doorstep.project.demo.geography import Address
from doorstep.users.models import User
from doorstep.workforce.models import Resource, ResourceSkill, Skill, TimeOff, WorkingHours

DEMO_PASSWORD = "doorstep-demo"  # noqa: S105 - printed for anyone trying the demo

SIGN_INS = (
    ("office staff", data.ADMIN_EMAIL, "Casey", "Nguyen"),
    ("customer", data.CUSTOMER_EMAIL, "Jordan", "Avery"),
    ("technician", data.TECHNICIAN_EMAIL, "Alex", "Moreno"),
)


@dataclass(frozen=True)
class SignIn:
    role: str
    email: str
    password: str
    created: bool  # False: the sign-in existed and was left as it was


def load_portal_settings() -> str:
    """Brand the portal as the demo company, unless staff have already branded it."""
    settings = PortalSettings.load()
    default_name = PortalSettings._meta.get_field("company_name").get_default()
    if settings.company_name not in {default_name, data.COMPANY_SETTINGS["company_name"]}:
        return f"{settings.company_name} (left as it was)"
    wanted: dict[str, object] = {
        **data.COMPANY_SETTINGS,
        # The company's words in the other languages, unless staff have written their own.
        "translations": settings.translations or words.COMPANY_TRANSLATIONS,
    }
    changed = [name for name, value in wanted.items() if getattr(settings, name) != value]
    if changed:
        for name in changed:
            setattr(settings, name, wanted[name])
        settings.full_clean()
        settings.save(update_fields=[*changed, "updated_at"])
    return settings.company_name


def load_users() -> tuple[tuple[SignIn, ...], dict[str, User]]:
    """The three sign-ins; one that exists is left as it is, password included."""
    sign_ins = []
    users = {}
    for role, email, first_name, last_name in SIGN_INS:
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if user is None:
            create = (
                User.objects.create_superuser
                if email == data.ADMIN_EMAIL
                else User.objects.create_user
            )
            user = create(email, DEMO_PASSWORD, first_name=first_name, last_name=last_name)
        users[email] = user
        sign_ins.append(SignIn(role, email, DEMO_PASSWORD, created))
    return tuple(sign_ins), users


def load_skills() -> dict[str, Skill]:
    """The skills by name, whatever the case of the names that existed."""
    names = [s.name for s in data.SKILLS]
    existing = {s.name.lower(): s for s in Skill.objects.all()}
    Skill.objects.bulk_create(
        [
            Skill(name=s.name, description=s.description)
            for s in data.SKILLS
            if s.name.lower() not in existing
        ]
    )
    by_lower = {s.name.lower(): s for s in Skill.objects.all()}
    return {name: by_lower[name.lower()] for name in names}


def load_service_types(skills: dict[str, Skill]) -> None:
    """The demo's service types, in every offered language; one that exists keeps its own
    details, and gets the demo's translations only if it has none."""
    untranslated = IncidentType.objects.filter(
        name__in=[s.name for s in data.SERVICE_TYPES], translations={}
    )
    by_name = {s.name: s for s in data.SERVICE_TYPES}
    for service_type in untranslated:
        found = words.SERVICE_TYPE_TRANSLATIONS.get(by_name[service_type.name].display_name)
        if found and service_type.display_name == by_name[service_type.name].display_name:
            service_type.translations = found
            service_type.save(update_fields=["translations", "updated_at"])
    new = _missing(data.SERVICE_TYPES, IncidentType, "name", lambda s: s.name)
    created = IncidentType.objects.bulk_create(
        [
            IncidentType(
                name=s.name,
                display_name=s.display_name,
                description=s.description,
                translations=words.SERVICE_TYPE_TRANSLATIONS.get(s.display_name, {}),
                portal_enabled=s.portal_enabled,
                estimated_duration_minutes=s.duration_minutes,
            )
            for s in new
        ]
    )
    IncidentTypeSkill.objects.bulk_create(
        [
            IncidentTypeSkill(
                incident_type=incident_type, skill=skills[skill], minimum_proficiency=level
            )
            for s, incident_type in zip(new, created, strict=True)
            for skill, level in s.requirements
        ]
    )


def load_technicians(*, today: date, skills: dict[str, Skill], user: User) -> None:
    new = _missing(data.TECHNICIANS, Resource, "email", lambda t: t.email)
    user_is_free = not Resource.objects.filter(user=user).exists()
    created = Resource.objects.bulk_create(
        [
            Resource(
                display_name=t.display_name,
                email=t.email,
                phone=t.phone,
                home_latitude=Decimal(t.home[0]),
                home_longitude=Decimal(t.home[1]),
                time_zone=data.TIME_ZONE,
                active=t.active,
                user=user if t.email == data.TECHNICIAN_EMAIL and user_is_free else None,
            )
            for t in new
        ]
    )
    pairs = list(zip(new, created, strict=True))
    ResourceSkill.objects.bulk_create(
        [
            ResourceSkill(resource=resource, skill=skills[skill], proficiency=level)
            for t, resource in pairs
            for skill, level in t.skills
        ]
    )
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(resource=resource, weekday=weekday, start_time=start, end_time=end)
            for t, resource in pairs
            for weekdays, start, end in data.WORKING_HOURS[t.hours]
            for weekday in weekdays
        ]
    )
    # Time off is relative to the first load's day, and only added with the technician,
    # so a later load does not add the same leave again on other dates.
    leave = [
        (resource, off, time_off(off, today=today)) for t, resource in pairs for off in t.time_off
    ]
    TimeOff.objects.bulk_create(
        [
            TimeOff(resource=resource, start=start, end=end, reason=off.reason)
            for resource, off, (start, end) in leave
        ]
    )


def load_accounts(plans: Sequence[AccountPlan], *, customer_user: User) -> None:
    new = _missing(plans, Account, "name", lambda p: p.name)
    accounts = Account.objects.bulk_create(
        [Account(name=p.name, time_zone=data.TIME_ZONE, **_place(p.address)) for p in new]
    )
    pairs = list(zip(new, accounts, strict=True))
    user_is_free = not Contact.objects.filter(user=customer_user).exists()
    contacts_by_account = [
        [
            Contact(
                account=account,
                first_name=c.first_name,
                last_name=c.last_name,
                email=c.email,
                phone=c.phone,
                preferred_language=c.language,
                communication_preference=c.preference,
                user=customer_user if c.email == data.CUSTOMER_EMAIL and user_is_free else None,
            )
            for c in p.contacts
        ]
        for p, account in pairs
    ]
    Contact.objects.bulk_create([c for contacts in contacts_by_account for c in contacts])
    # Each plan's first contact is its primary contact.
    for account, contacts in zip(accounts, contacts_by_account, strict=True):
        account.primary_contact = contacts[0]
    Account.objects.bulk_update(accounts, ["primary_contact"])
    locations = FunctionalLocation.objects.bulk_create(
        [
            FunctionalLocation(account=account, name=loc.name, **_place(loc.address))
            for p, account in pairs
            for loc in p.locations
        ]
    )
    location_by_key = {(loc.account.name, loc.name): loc for loc in locations}
    Asset.objects.bulk_create(
        [
            Asset(
                account=account,
                name=a.name,
                serial_number=a.serial_number,
                functional_location=location_by_key[p.name, a.location] if a.location else None,
            )
            for p, account in pairs
            for a in p.assets
        ]
    )


def _missing[T](
    items: Sequence[T], model: type[models.Model], field: str, key: Callable[[T], str]
) -> list[T]:
    """The items that have no row of `model` yet, by their natural key in `field`."""
    rows = model._default_manager.filter(**{f"{field}__in": [key(i) for i in items]})
    existing = set(rows.values_list(field, flat=True))
    return [i for i in items if key(i) not in existing]


def _place(address: Address) -> dict[str, object]:
    """The postal address fields of an account or a location in Denver."""
    return {
        "address_line1": address.line1,
        "city": data.CITY,
        "postal_code": address.postal_code,
        "country": data.COUNTRY,
        "latitude": address.latitude,
        "longitude": address.longitude,
    }
