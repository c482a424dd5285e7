"""factory_boy factories for every model, with believable defaults."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from doorstep.access.models import Invitation
from doorstep.catalog.models import IncidentType, IncidentTypeSkill
from doorstep.customers.models import Account, Asset, Contact, FunctionalLocation
from doorstep.plans.models import ChangeRequest, ServicePlan
from doorstep.scheduling.models import Booking, BookingStatus, TimelineNote, WorkOrder
from doorstep.users.models import User
from doorstep.workforce.models import Resource, ResourceSkill, Skill, TimeOff, WorkingHours


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def proved_address(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        # Like every sign-in the office or an invitation creates: its address is proved.
        if create:
            from doorstep.users.services import confirm_address

            confirm_address(user=self)


class StaffUserFactory(UserFactory):
    is_staff = True
    is_superuser = True

    @factory.post_generation
    def second_factor(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        # Office sign-ins have an authenticator app, as the back office asks of superusers;
        # StaffUserFactory(second_factor=False) for one that has not set it up yet.
        if create and extracted is not False:
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

            TOTP.activate(self, generate_totp_secret())


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Customer {n}")
    address_line1 = factory.Sequence(lambda n: f"{100 + n} Main Street")
    city = "Denver"
    postal_code = "80202"
    country = "US"
    latitude = Decimal("39.739200")
    longitude = Decimal("-104.990300")
    time_zone = "America/Denver"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"contact{n}@example.test")
    phone = factory.Sequence(lambda n: f"+1303555{n % 10000:04d}")


class FunctionalLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FunctionalLocation

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Building {n}")
    address_line1 = factory.Sequence(lambda n: f"{200 + n} Market Street")
    city = "Denver"
    postal_code = "80205"
    country = "US"
    latitude = Decimal("39.752000")
    longitude = Decimal("-104.998000")


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    account = factory.SubFactory(AccountFactory)
    name = "Gas boiler"
    serial_number = factory.Sequence(lambda n: f"SN-{n:05d}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Skill {n}")


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    display_name = factory.Sequence(lambda n: f"Technician {n}")
    email = factory.Sequence(lambda n: f"tech{n}@example.test")
    home_latitude = Decimal("39.700000")
    home_longitude = Decimal("-104.950000")
    time_zone = "America/Denver"


class ResourceSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceSkill

    resource = factory.SubFactory(ResourceFactory)
    skill = factory.SubFactory(SkillFactory)
    proficiency = 3


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    resource = factory.SubFactory(ResourceFactory)
    weekday = 0
    start_time = time(8, 0)
    end_time = time(17, 0)


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    resource = factory.SubFactory(ResourceFactory)
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(days=1))
    reason = "Training"


class IncidentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentType

    name = factory.Sequence(lambda n: f"Service {n}")
    display_name = factory.LazyAttribute(lambda o: o.name)
    portal_enabled = True
    estimated_duration_minutes = 60


class IncidentTypeSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentTypeSkill

    incident_type = factory.SubFactory(IncidentTypeFactory)
    skill = factory.SubFactory(SkillFactory)
    minimum_proficiency = 2


class WorkOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkOrder

    account = factory.SubFactory(AccountFactory)
    incident_type = factory.SubFactory(IncidentTypeFactory)
    number = factory.Sequence(lambda n: f"WO-T{n:05d}")
    address_line1 = factory.LazyAttribute(lambda o: o.account.address_line1)
    city = factory.LazyAttribute(lambda o: o.account.city)
    postal_code = factory.LazyAttribute(lambda o: o.account.postal_code)
    country = factory.LazyAttribute(lambda o: o.account.country)
    latitude = factory.LazyAttribute(lambda o: o.account.latitude)
    longitude = factory.LazyAttribute(lambda o: o.account.longitude)


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    work_order = factory.SubFactory(WorkOrderFactory)
    resource = factory.SubFactory(ResourceFactory)
    start = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    )
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=1))
    status = BookingStatus.SCHEDULED
    reference = factory.Sequence(lambda n: f"T{n:06d}")


class TimelineNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineNote

    work_order = factory.SubFactory(WorkOrderFactory)
    text = "Customer asks to ring twice."


class ServicePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePlan

    account = factory.SubFactory(AccountFactory)
    name = "Boiler care"
    service_type = factory.SubFactory(IncidentTypeFactory, portal_enabled=True)
    every = 6
    unit = "months"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class ChangeRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChangeRequest

    plan = factory.SubFactory(ServicePlanFactory)
    text = "Could the visits move to the spring?"


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    code: str  # read from the email, the only place the code exists in clear


def invite(contact: Contact, **options: Any) -> SentInvitation:
    """Invite the contact, have the worker send the email, and read the code from it."""
    from django.core import mail

    from doorstep.access.invitations import invite_contact
    from doorstep.notifications.sending import send_due

    invitation = invite_contact(contact=contact, **options)
    send_due(worker="tests")
    found = [
        re.search(r"code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})", message.body)
        for message in mail.outbox
        if message.to == [invitation.email]
    ]
    assert found, "the invitation email was not sent"
    assert found[-1], "the invitation email has no code"
    return SentInvitation(invitation=invitation, code=found[-1].group(1))
