"""A customer's service plans as the portal shows them: when the next visit is due, whether
it is booked, when the last one was done.

A due date is served by a visit of the plan's service (and equipment or site, where the
plan names one) in its period: the days nearer to it than to the dates either side
(`schedule.Period`). Served dates are skipped: a visit done a week early leaves the plan
due next at the date after. A date that passed without a visit is still shown until the
next date is the nearer one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from doorstep.plans.models import PlanStatus, ServicePlan
from doorstep.scheduling.models import OPEN_STATUSES, Booking, BookingStatus
from doorstep.scheduling.selectors import Visit, visit

# How many due dates after the next one a customer sees.
LATER_DATES = 2


@dataclass(frozen=True)
class PlanView:
    plan: ServicePlan
    running: bool  # visits fall due
    ended: bool = False  # ended, past its last day, or its last date served
    next_due: date | None = None
    booked: Visit | None = None  # the visit booked for the next due date
    later: list[date] = field(default_factory=list)
    last_done: Visit | None = None

    @property
    def paused(self) -> bool:
        return self.plan.status == PlanStatus.PAUSED and not self.ended

    @property
    def customers_book(self) -> bool:
        """Whether the customer books the plan's visits in the portal, not the office: a
        service they may book, for equipment or the main address (the booking page offers
        no sites)."""
        plan = self.plan
        return plan.service_type.portal_enabled and (
            plan.asset_id is not None or plan.site_id is None
        )


def covers(plan: ServicePlan, booking: Booking) -> bool:
    """Whether `booking` is one of the plan's visits."""
    order = booking.work_order
    if order.incident_type_id != plan.service_type_id:
        return False
    if plan.asset_id is not None:
        return order.asset_id == plan.asset_id
    if plan.site_id is not None:
        return order.site_id == plan.site_id
    return True


def account_plans(*, account_id: int, today: date) -> list[PlanView]:
    """The account's plans, running ones first, in two queries whatever their number."""
    plans = list(
        ServicePlan.objects.filter(account_id=account_id).select_related(
            "service_type", "asset", "site"
        )
    )
    if not plans:
        return []
    bookings = list(
        Booking.objects.filter(
            work_order__account_id=account_id,
            work_order__incident_type_id__in={plan.service_type_id for plan in plans},
        )
        .exclude(status=BookingStatus.CANCELED)
        .select_related("work_order__incident_type", "work_order__asset", "work_order__account")
        .order_by("start")
    )
    views = [
        plan_view(plan, [visit(b) for b in bookings if covers(plan, b)], today=today)
        for plan in plans
    ]
    return sorted(views, key=lambda view: (view.ended, view.paused))


def plan_view(plan: ServicePlan, visits: Iterable[Visit], *, today: date) -> PlanView:
    """`plan` with its next due date, from its visits (the plan's own, oldest first)."""
    visits = list(visits)
    done = [v for v in visits if v.booking.status == BookingStatus.COMPLETED]
    last_done = done[-1] if done else None
    over = plan.status == PlanStatus.ENDED or (plan.ends_on is not None and plan.ends_on < today)
    if over or plan.status != PlanStatus.ACTIVE:
        return PlanView(plan, running=False, ended=over, last_done=last_done)
    upcoming: list[tuple[date, Visit | None]] = []
    for period in plan.repeat.periods(ending_after=today, count=LATER_DATES + 4):
        near = [v for v in visits if period.starts <= v.start.date() < period.ends]
        if any(v.booking.status == BookingStatus.COMPLETED for v in near):
            continue  # served already
        booked = next((v for v in near if v.booking.status in OPEN_STATUSES), None)
        upcoming.append((period.due, booked))
    if not upcoming:  # its last date is served: nothing more falls due
        return PlanView(plan, running=False, ended=True, last_done=last_done)
    (next_due, booked), rest = upcoming[0], upcoming[1:]
    return PlanView(
        plan,
        running=True,
        next_due=next_due,
        booked=booked,
        later=[due for due, _ in rest[:LATER_DATES]],
        last_done=last_done,
    )
