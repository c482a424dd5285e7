"""A customer's service plans as the portal shows them: when the next visit is due, whether
it is booked, when the last one was done.

A due date is served by a visit of the plan's service (and equipment or site, where the
plan names one) that falls within half a period of it. Served dates are skipped: a visit
done a week early leaves the plan due next at the date after.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from doorstep.plans.models import PlanStatus, ServicePlan
from doorstep.scheduling.models import OPEN_STATUSES, Booking, BookingStatus
from doorstep.scheduling.selectors import Visit, visit

# How many due dates after the next one a customer sees.
LATER_DATES = 2


@dataclass(frozen=True)
class PlanView:
    plan: ServicePlan
    running: bool  # neither paused nor past its last day
    next_due: date | None = None
    booked: Visit | None = None  # the visit booked for the next due date
    later: list[date] = field(default_factory=list)
    last_done: Visit | None = None

    @property
    def ended(self) -> bool:
        return self.plan.status == PlanStatus.ENDED or not (self.running or self.paused)

    @property
    def paused(self) -> bool:
        return self.plan.status == PlanStatus.PAUSED


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
    open_visits = [v for v in visits if v.booking.status in OPEN_STATUSES]
    last_done = done[-1] if done else None
    ended_by_date = plan.ends_on is not None and plan.ends_on < today
    if plan.status != PlanStatus.ACTIVE or ended_by_date:
        return PlanView(plan, running=False, last_done=last_done)
    repeat = plan.repeat
    half = timedelta(days=max(1, repeat.period_days() // 2))
    upcoming: list[tuple[date, Visit | None]] = []
    for due in repeat.due_dates(on_or_after=today - half, count=LATER_DATES + 4):
        near = [v for v in visits if due - half <= v.start.date() < due + half]
        if any(v in done for v in near):
            continue  # served already (a date passed without a visit stays owed)
        booked = next((v for v in near if v in open_visits), None)
        upcoming.append((due, booked))
    if not upcoming:
        return PlanView(plan, running=False, last_done=last_done)
    (next_due, booked), rest = upcoming[0], upcoming[1:]
    return PlanView(
        plan,
        running=True,
        next_due=next_due,
        booked=booked,
        later=[due for due, _ in rest[:LATER_DATES]],
        last_done=last_done,
    )
