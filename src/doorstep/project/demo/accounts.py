"""The demo's customers as a plan: accounts, their contacts, places and equipment.

`plan_accounts()` is plain data drawn from a seeded random generator, so it is the same on
every run; the loader turns it into rows.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from doorstep.customers.models import CommunicationPreference
from doorstep.project.demo import data
from doorstep.project.demo.geography import STREETS_BY_NAME, Address, grid_address

# The customer sign-in's household is named after its first contact.
_HOUSEHOLDER = data.CUSTOMER_HOUSEHOLD_CONTACTS[0]
CUSTOMER_ACCOUNT = f"{_HOUSEHOLDER.first_name} {_HOUSEHOLDER.last_name}"


@dataclass(frozen=True)
class ContactPlan:
    first_name: str
    last_name: str
    email: str
    phone: str
    language: str
    preference: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class LocationPlan:
    name: str
    address: Address


@dataclass(frozen=True)
class AssetPlan:
    kind: str
    name: str
    serial_number: str
    location: str  # a LocationPlan's name, or "" when the asset is at the account's address


@dataclass(frozen=True)
class AccountPlan:
    """An account; its first contact is the primary contact."""

    name: str
    address: Address
    business: bool
    contacts: tuple[ContactPlan, ...]
    locations: tuple[LocationPlan, ...] = ()
    assets: tuple[AssetPlan, ...] = ()


def plan_accounts() -> list[AccountPlan]:
    """The demo's customers: the customer sign-in's household, businesses, households."""
    rng = random.Random("doorstep demo: accounts")  # noqa: S311 - invented data, not secrets
    drafter = _AccountDrafter(rng)
    plans = [_customer_household(drafter)]
    for business in data.BUSINESSES:
        plans.append(_business(drafter, business))
    taken = {(c.first_name, c.last_name) for plan in plans for c in plan.contacts}
    names = [
        (first, last)
        for first in data.FIRST_NAMES
        for last in data.LAST_NAMES
        if (first, last) not in taken
    ]
    rng.shuffle(names)
    households = names[: data.HOUSEHOLD_COUNT]
    taken.update(households)
    for first, last in households:
        plans.append(_household(drafter, first, last, taken))
    return plans


class _AccountDrafter:
    """Draws the invented parts of accounts: phone numbers, serial numbers, house numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # The fictional 555-01xx numbers; 303-555-0100 is the company's, 720-555-0101 to
        # 0118 are the technicians'.
        phones = [f"+1303555{n:04d}" for n in range(101, 200)]
        phones += [f"+1720555{n:04d}" for n in range(119, 200)]
        rng.shuffle(phones)
        self.phones = phones
        self.serials: set[str] = set()
        self.addresses: set[str] = set()

    def phone(self) -> str:
        return self.phones.pop()

    def asset(self, kind: str, location: str = "") -> AssetPlan:
        asset_kind = data.ASSET_KINDS[kind]
        while True:
            year = self.rng.randint(2006, 2024)
            serial = (
                f"{asset_kind.serial_prefix}{year % 100:02d}{self.rng.randint(1, 52):02d}"
                f"-{self.rng.randint(0, 99999):05d}"
            )
            if serial not in self.serials:
                self.serials.add(serial)
                break
        return AssetPlan(kind, self.rng.choice(asset_kind.names), serial, location)

    def home_address(self) -> Address:
        streets = [s for s in data.STREETS if s.name not in data.ARTERIALS]
        while True:
            street = self.rng.choice(streets)
            low, high = self.rng.choices(
                street.numbers, weights=[abs(b - a) for a, b in street.numbers]
            )[0]
            address = grid_address(street, self.rng.randint(low, high))
            if address.line1 not in self.addresses:
                self.addresses.add(address.line1)
                return address

    def fixed_address(self, street_name: str, number: int) -> Address:
        address = grid_address(STREETS_BY_NAME[street_name], number)
        self.addresses.add(address.line1)
        return address

    def contact(self, person: data.PersonData, *, email: str, business: bool) -> ContactPlan:
        language = "es" if self.rng.random() < 0.1 else "en"
        if person.phone_only:
            email, has_phone, preference = "", True, CommunicationPreference.SMS
        else:
            has_phone = business or self.rng.random() < 0.85
            preference = (
                self.rng.choices(
                    [
                        CommunicationPreference.EMAIL,
                        CommunicationPreference.SMS,
                        CommunicationPreference.BOTH,
                    ],
                    weights=[5, 2, 3],
                )[0]
                if has_phone
                else CommunicationPreference.EMAIL
            )
        phone = self.phone() if has_phone else ""
        return ContactPlan(person.first_name, person.last_name, email, phone, language, preference)


def _customer_household(drafter: _AccountDrafter) -> AccountPlan:
    street, number = data.CUSTOMER_HOUSEHOLD_STREET
    preferences = (CommunicationPreference.BOTH, CommunicationPreference.SMS)
    return AccountPlan(
        name=CUSTOMER_ACCOUNT,
        address=drafter.fixed_address(street, number),
        business=False,
        contacts=tuple(
            ContactPlan(p.first_name, p.last_name, p.email, drafter.phone(), "en", preference)
            for p, preference in zip(data.CUSTOMER_HOUSEHOLD_CONTACTS, preferences, strict=True)
        ),
        assets=tuple(drafter.asset(kind) for kind in data.CUSTOMER_HOUSEHOLD_EQUIPMENT),
    )


def _business(drafter: _AccountDrafter, business: data.BusinessData) -> AccountPlan:
    contacts = tuple(
        drafter.contact(
            person, email=person.email or _email(person, business.domain), business=True
        )
        for person in business.contacts
    )
    return AccountPlan(
        name=business.name,
        address=drafter.fixed_address(business.street, business.number),
        business=True,
        contacts=contacts,
        locations=tuple(
            LocationPlan(loc.name, drafter.fixed_address(loc.street, loc.number))
            for loc in business.locations
        ),
        assets=tuple(drafter.asset(kind, location) for kind, location in business.equipment),
    )


def _household(
    drafter: _AccountDrafter, first: str, last: str, taken: set[tuple[str, str]]
) -> AccountPlan:
    rng = drafter.rng
    domain = rng.choice(data.CUSTOMER_EMAIL_DOMAINS)
    people = [data.PersonData(first, last)]
    extra = rng.choices([0, 1, 2], weights=[40, 45, 15])[0]
    while len(people) < 1 + extra:
        other_first = rng.choice(data.FIRST_NAMES)
        other_last = last if rng.random() < 0.6 else rng.choice(data.LAST_NAMES)
        if (other_first, other_last) in taken or other_first == first:
            continue
        taken.add((other_first, other_last))
        people.append(data.PersonData(other_first, other_last, phone_only=rng.random() < 0.1))
    contacts = tuple(
        drafter.contact(person, email=_email(person, domain), business=False) for person in people
    )
    kinds = [kind for kind, chance in data.HOUSEHOLD_EQUIPMENT if rng.random() < chance]
    if "furnace" in kinds and rng.random() < data.BOILER_INSTEAD_OF_FURNACE:
        kinds[kinds.index("furnace")] = "boiler"
    if not kinds:
        kinds = ["water_heater"]
    return AccountPlan(
        name=f"{first} {last}",
        address=drafter.home_address(),
        business=False,
        contacts=contacts,
        assets=tuple(drafter.asset(kind) for kind in kinds),
    )


def _email(person: data.PersonData, domain: str) -> str:
    return f"{_ascii(person.first_name)}.{_ascii(person.last_name)}@{domain}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
