"""Recording the planned visits: work orders, bookings, their moves and notes.

All through the scheduling services, like any other booking, each dated with the time
the plan gives it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.utils import timezone

from doorstep.catalog.models import IncidentType
from doorstep.customers.models import Account, Asset, Contact
from doorstep.project.demo import data
from doorstep.project.demo.accounts import CUSTOMER_ACCOUNT
from doorstep.project.demo.planner import VisitPlan
from doorstep.scheduling import services
from doorstep.scheduling.models import WorkOrder, WorkOrderSource
from doorstep.users.models import User
from doorstep.workforce.models import Resource


def load_bookings(
    visits: Sequence[VisitPlan], *, users: dict[str, User], say: Callable[[str], None]
) -> int:
    """Make the planned work orders and bookings through the scheduling services."""
    real_now = timezone.now()
    admin = users[data.ADMIN_EMAIL]
    technician_user = users[data.TECHNICIAN_EMAIL]
    customer_user = users[data.CUSTOMER_EMAIL]
    technicians = {
        r.email: r for r in Resource.objects.filter(email__in={v.technician for v in visits})
    }
    incident_types = {
        t.name: t for t in IncidentType.objects.filter(name__in={v.service_type for v in visits})
    }
    accounts = {a.name: a for a in Account.objects.filter(name__in={v.account for v in visits})}
    contacts = {
        (c.account.name, c.full_name): c
        for c in Contact.objects.filter(account__in=accounts.values()).select_related("account")
    }
    assets = {
        (a.account.name, a.serial_number): a
        for a in Asset.objects.filter(account__in=accounts.values()).select_related(
            "account", "functional_location"
        )
    }

    def who(by: str, visit: VisitPlan) -> User | None:
        if by == "office":
            return admin
        if by == "technician":
            return technician_user if visit.technician == data.TECHNICIAN_EMAIL else None
        return customer_user if visit.account == CUSTOMER_ACCOUNT else None

    work_orders: dict[str, WorkOrder] = {}
    for number, visit in enumerate(visits, start=1):
        portal = visit.source == WorkOrderSource.PORTAL
        # Nothing is recorded later than the real clock, whatever day the plan is for.
        booked_at, *moved_at = not_after(
            [visit.booked_at, *(move.at for move in visit.moves)], real_now
        )
        work_order = work_orders.get(visit.external_id)
        if work_order is None:
            work_order = services.create_work_order(
                account=accounts[visit.account],
                incident_type=incident_types[visit.service_type],
                reported_by=contacts.get((visit.account, visit.reporter)),
                asset=assets.get((visit.account, visit.asset_serial)),
                instructions=visit.instructions,
                source=visit.source,
                external_id=visit.external_id,
                now=booked_at,
            )
            work_orders[visit.external_id] = work_order
        booking = services.create_booking(
            work_order=work_order,
            resource=technicians[visit.technician],
            start=visit.start,
            end=visit.end,
            created_via_portal=portal,
            created_by=who("customer" if portal else "office", visit),
            now=booked_at,
        )
        for move, at in zip(visit.moves, moved_at, strict=True):
            services.set_status(
                booking=booking,
                status=move.status,
                changed_by=who(move.by, visit),
                cancel_reason=visit.cancel_reason,
                completion_note=visit.completion_note,
                now=at,
            )
        for note in visit.notes:
            services.add_timeline_note(
                work_order=work_order,
                text=note.text,
                author=admin,
                customer_visible=note.customer_visible,
                now=min(note.at, real_now),
            )
        if number % 100 == 0:
            say(f"Bookings… {number}/{len(visits)}")
    return len(visits)


def not_after(times: Sequence[datetime], latest: datetime) -> list[datetime]:
    """The times, none later than `latest`, still one after another (a second apart at least).

    `times` must be in order, each later than the one before.
    """
    last = len(times) - 1
    return [min(at, latest - timedelta(seconds=last - i)) for i, at in enumerate(times)]
