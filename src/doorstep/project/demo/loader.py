"""Loading the demo company: `load_demo()`.

It follows plans that are plain data drawn from seeded random generators, so the demo is
the same for a given day: `plan_accounts()` (accounts.py) and `plan_visits()` (visits.py).
Loading is idempotent: every record has a natural key, records that exist are left alone
(records.py), and bookings are made only on the first load, through the scheduling
services, like any other booking (bookings.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from django.db import models, transaction
from django.utils import timezone

from doorstep.catalog.models import IncidentType
from doorstep.core import events
from doorstep.customers.models import Account, Asset, Contact, FunctionalLocation
from doorstep.project.demo import data, history, plans
from doorstep.project.demo.accounts import AccountPlan, plan_accounts
from doorstep.project.demo.bookings import load_bookings
from doorstep.project.demo.geography import DENVER
from doorstep.project.demo.planner import EXTERNAL_ID_PREFIX
from doorstep.project.demo.records import (
    SignIn,
    load_accounts,
    load_portal_settings,
    load_service_types,
    load_skills,
    load_technicians,
    load_users,
)
from doorstep.project.demo.visits import plan_visits
from doorstep.scheduling.models import Booking, WorkOrder
from doorstep.workforce.models import Resource


class Writer(Protocol):
    def write(self, msg: str, /) -> object: ...


@dataclass(frozen=True)
class DemoSummary:
    today: date
    technicians: int
    service_types: int
    accounts: int
    contacts: int
    functional_locations: int
    assets: int
    work_orders: int
    bookings: int
    bookings_created: int
    sign_ins: tuple[SignIn, ...]


def load_demo(*, today: date | None = None, stdout: Writer | None = None) -> DemoSummary:
    """Load the demo company, adding only what is missing; all of it or nothing.

    `today` is a day in Denver (default: the current one); visits are planned three
    weeks either side of it. Loading again, on any day, changes nothing. Nobody is told
    of what the demo adds: no domain events are published.
    """
    today = today or timezone.localdate(timezone=DENVER)

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(f"{message}\n")

    # Subscribers to events send emails and texts: none for 500 invented bookings.
    with events.muted(), transaction.atomic():
        company = load_portal_settings()
        say(f"Portal settings… {company}")
        sign_ins, users = load_users()
        say(f"Sign-ins… {len(sign_ins)}")
        skills = load_skills()
        say(f"Skills… {len(skills)}")
        load_service_types(skills)
        say(f"Service types… {len(data.SERVICE_TYPES)}")
        load_technicians(today=today, skills=skills, user=users[data.TECHNICIAN_EMAIL])
        active = sum(1 for t in data.TECHNICIANS if t.active)
        say(f"Technicians… {len(data.TECHNICIANS)} ({active} active)")
        account_plans = plan_accounts()
        load_accounts(account_plans, customer_user=users[data.CUSTOMER_EMAIL])
        say(
            f"Accounts… {len(account_plans)} ("
            f"{sum(len(a.contacts) for a in account_plans)} contacts, "
            f"{sum(len(a.locations) for a in account_plans)} locations, "
            f"{sum(len(a.assets) for a in account_plans)} assets)"
        )
        if _demo_work_orders().exists():
            # Bookings depend on the day they were planned on: a later run must not add more.
            created = 0
            say("Bookings… already loaded, nothing added")
        else:
            visits = plan_visits(today=today, accounts=account_plans)
            created = load_bookings(visits, users=users, say=say)
        summary = _summary(today=today, account_plans=account_plans, sign_ins=sign_ins)
        say(f"Bookings… {summary.bookings} for {summary.work_orders} work orders")
        customer_account = Contact.objects.get(user=users[data.CUSTOMER_EMAIL]).account
        given = history.load_history(customer_account=customer_account)
        say(f"Service history… {given} past visits recorded, their reports asked of the worker")
        added = plans.load_plans(customer_account=customer_account, today=today)
        say(f"Service plans… {added} added")
    return replace(summary, bookings_created=created)


def _demo_work_orders() -> models.QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(external_id__startswith=EXTERNAL_ID_PREFIX)


def _summary(
    *, today: date, account_plans: Sequence[AccountPlan], sign_ins: tuple[SignIn, ...]
) -> DemoSummary:
    account_names = [a.name for a in account_plans]
    demo_work_orders = _demo_work_orders()
    return DemoSummary(
        today=today,
        technicians=Resource.objects.filter(email__in=[t.email for t in data.TECHNICIANS]).count(),
        service_types=IncidentType.objects.filter(
            name__in=[s.name for s in data.SERVICE_TYPES]
        ).count(),
        accounts=Account.objects.filter(name__in=account_names).count(),
        contacts=Contact.objects.filter(account__name__in=account_names).count(),
        functional_locations=FunctionalLocation.objects.filter(
            account__name__in=account_names
        ).count(),
        assets=Asset.objects.filter(account__name__in=account_names).count(),
        work_orders=demo_work_orders.count(),
        bookings=Booking.objects.filter(work_order__in=demo_work_orders).count(),
        bookings_created=0,
        sign_ins=sign_ins,
    )
