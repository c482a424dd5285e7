"""The demo customer's service plans: one whose next visit is booked, one due soon and
not booked, one paused, drawn from the customer's own equipment and visits so that each
shows on the portal as it would for a real customer.

Loading again adds nothing: the plans are found by their external IDs.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from doorstep.customers.models import Account
from doorstep.plans.models import Every, PlanStatus, ServicePlan
from doorstep.plans.schedule import Repeat, Unit
from doorstep.project.demo.planner import EXTERNAL_ID_PREFIX
from doorstep.scheduling.models import Booking, BookingStatus

NOTES = {
    "booked": "Each visit: a full service of the equipment, a safety check and a written "
    "report. Parts are charged at cost; labour is included.",
    "due": "Each visit: cleaning, filters changed, and the settings checked for the season.",
    "paused": "Paused at the customer's request until the site reopens.",
}


def load_plans(*, customer_account: Account, today: date) -> int:
    """The customer's three plans; how many were added."""
    visits = list(
        Booking.objects.filter(
            work_order__account=customer_account,
            work_order__external_id__startswith=EXTERNAL_ID_PREFIX,
            work_order__asset__isnull=False,
        )
        .select_related("work_order__incident_type", "work_order__asset")
        .order_by("start", "pk")
    )
    booked = next((b for b in visits if b.status == BookingStatus.SCHEDULED), None)
    done = next(
        (
            b
            for b in reversed(visits)
            if b.status == BookingStatus.COMPLETED
            and (booked is None or b.work_order.asset_id != booked.work_order.asset_id)
        ),
        None,
    )
    used = {b.work_order.asset_id for b in (booked, done) if b is not None}
    other = next((b for b in visits if b.work_order.asset_id not in used), None)
    zone = ZoneInfo(customer_account.time_zone)
    added = 0
    if booked is not None:
        # Every three months since half a year ago, the booked visit's day being due.
        due = timezone.localtime(booked.start, zone).date()
        first = Repeat(every=3, unit=Unit.MONTHS, starts_on=due).nth(-2)
        added += _plan("booked", customer_account, booked, every=3, starts_on=first)
    if done is not None:
        # Every six months from the last visit done: the next one not booked yet.
        added += _plan(
            "due",
            customer_account,
            done,
            every=6,
            starts_on=timezone.localtime(done.start, zone).date(),
        )
    if other is not None:
        added += _plan(
            "paused",
            customer_account,
            other,
            every=12,
            starts_on=today + timedelta(days=60),
            status=PlanStatus.PAUSED,
        )
    return added


def _plan(
    key: str,
    account: Account,
    visit: Booking,
    *,
    every: int,
    starts_on: date,
    status: str = PlanStatus.ACTIVE,
) -> int:
    """A plan for the service and equipment of `visit`."""
    service = visit.work_order.incident_type
    _, created = ServicePlan.objects.get_or_create(
        external_id=f"{EXTERNAL_ID_PREFIX}plan-{key}",
        defaults={
            "account": account,
            "name": f"{service.shown_name} plan"[:200],
            "service_type": service,
            "asset": visit.work_order.asset,
            "every": every,
            "unit": Every.MONTHS,
            "starts_on": starts_on,
            "status": status,
            "customer_note": NOTES[key],
        },
    )
    return int(created)
