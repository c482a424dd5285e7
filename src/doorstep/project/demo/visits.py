"""The demo's visits: the story the sign-ins see, then everyone else's work around it.

The story: the technician sign-in has done two visits today and is on the way to the
customer sign-in's home, where another technician is already at work; the customer
sign-in has visits in every status and a short history (a furnace tune-up canceled and
booked again, a water heater service that ends in a quote for a new one).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from doorstep.project.demo import data
from doorstep.project.demo.accounts import AccountPlan
from doorstep.project.demo.diary import TRAVEL_GAP
from doorstep.project.demo.planner import (
    DraftVisit,
    NotePlan,
    StatusMove,
    VisitPlan,
    VisitPlanner,
    minutes,
    qualified,
)
from doorstep.scheduling.models import BookingStatus, WorkOrderSource

# The customer sign-in's household: Jordan, the primary contact, and Sam.
JORDAN, SAM = 0, 1


def plan_visits(*, today: date, accounts: Sequence[AccountPlan]) -> list[VisitPlan]:
    """Six weeks of visits around `today` (a day in Denver), in order of their start.

    `accounts` is `plan_accounts()`: its first account is the customer sign-in's household.
    """
    planner = VisitPlanner(today=today, accounts=accounts)
    _plan_technician_today(planner)
    _plan_customer_story(planner)
    planner.plan_other_visits()
    planner.decide_statuses()
    planner.date_bookings()
    return planner.plans()


def _plan_technician_today(planner: VisitPlanner) -> None:
    """The technician sign-in's day: two visits done, on the way to the customer sign-in.

    Sets the story's clock: a quarter of an hour after the second visit ended.
    """
    tech = planner.by_email[data.TECHNICIAN_EMAIL]
    short = [s for s in planner.services_for(tech) if s.duration_minutes <= 90]
    appliance = planner.services["Appliances – repair"]
    day: list[DraftVisit] = []
    for start, end in planner.diary.intervals(tech.email, planner.today):
        cursor = start
        while True:
            service = appliance if len(day) == 2 else planner.rng.choice(short)
            if cursor + minutes(service.duration_minutes) > end:
                break
            day.append(planner.add(tech.email, service, cursor, scripted=True))
            cursor = day[-1].end + TRAVEL_GAP
    if len(day) < 4:
        # Two done, one on the way, and at least one still to come.
        raise RuntimeError("The technician sign-in needs at least four visits today.")
    planner.now = day[1].end + minutes(15)
    for visit in day[:2]:
        planner.fill_in(visit)
        planner.complete(visit, latest=planner.now)
    _for_customer(
        planner,
        day[2],
        asset_kind="dishwasher",
        reporter=JORDAN,
        portal=True,
        instructions="Dishwasher does not drain; water stands in the bottom after a cycle.",
    )
    day[2].moves = [StatusMove(BookingStatus.TRAVELING, day[1].end + minutes(10), "technician")]
    for visit in day[3:]:
        planner.fill_in(visit)


def _plan_customer_story(planner: VisitPlanner) -> None:
    """The customer sign-in's visits: one or more in every status, and a short history."""
    # Two weeks ago: a furnace tune-up, canceled by the customer and booked again.
    first = _book_for_customer(
        planner,
        "HVAC – furnace tune-up",
        days_from_today=-15,
        asset_kind="furnace",
        reporter=JORDAN,
        portal=True,
        instructions="Yearly tune-up before the heating season.",
    )
    planner.cancel(
        first,
        by="customer",
        at=first.start - timedelta(days=2),
        reason="We are away that week; booking another day.",
    )
    again = _book_for_customer(
        planner,
        "HVAC – furnace tune-up",
        days_from_today=-11,
        asset_kind="furnace",
        reporter=JORDAN,
        portal=True,
        instructions=first.instructions,
        work_order=first.work_order,
    )
    again.booked_at = first.moves[-1].at + minutes(10)
    planner.complete(again)
    again.completion_note = again.service.completion_notes[1]
    # Last week: a water heater service that ends in a quote for a new one.
    heater = _book_for_customer(
        planner,
        "Plumbing – water heater service",
        days_from_today=-5,
        asset_kind="water_heater",
        reporter=SAM,
        portal=False,
        instructions="Water is only lukewarm.",
    )
    planner.complete(heater)
    heater.completion_note = "Flushed the tank and relit the burner; hot water is back."
    heater.notes.append(
        NotePlan(
            "The anode rod is almost gone and the tank shows rust at the seams. We "
            "recommend replacing the water heater; the quote is in your email.",
            customer_visible=True,
            at=heater.moves[-1].at + minutes(40),
        )
    )
    # Today: an electrician at work while the technician sign-in is on the way.
    _plan_customer_in_progress(planner)
    # Coming up: a tune-up, a drain cleaning canceled since, and the new water heater.
    _book_for_customer(
        planner,
        "HVAC – cooling tune-up",
        days_from_today=3,
        asset_kind="ac",
        reporter=JORDAN,
        portal=True,
        instructions="Yearly cooling check.",
    )
    drain = _book_for_customer(
        planner,
        "Plumbing – drain cleaning",
        days_from_today=8,
        asset_kind="",
        reporter=SAM,
        portal=True,
        instructions="Kitchen sink drains slowly.",
    )
    planner.cancel(
        drain,
        by="customer",
        at=planner.now - minutes(150),
        reason="Cleared it ourselves; no visit needed.",
    )
    new_heater = _book_for_customer(
        planner,
        "Plumbing – water heater replacement",
        days_from_today=12,
        asset_kind="water_heater",
        reporter=JORDAN,
        portal=False,
        instructions="Replace the 50 gal gas water heater as quoted; haul away the old tank.",
    )
    # Booked the day after the quote went out, when the customer accepted it.
    new_heater.booked_at = heater.moves[-1].at + timedelta(days=1)
    new_heater.notes_when_booked.append(("Quote accepted by phone; permit applied for.", False))


def _plan_customer_in_progress(planner: VisitPlanner) -> None:
    """A technician other than the sign-in at work at the customer's home right now."""
    preferred = [
        ("Electrical – troubleshooting", "panel", "Lights flicker in the living room."),
        ("HVAC – repair", "furnace", "Furnace switches off every few minutes."),
        ("Plumbing – leak and fixture repair", "", "Drip under the bathroom sink."),
        ("Plumbing – drain cleaning", "", "Basement floor drain is slow."),
        ("Appliances – repair", "dishwasher", "Dishwasher door latch is broken."),
    ]
    now = planner.now
    for name, kind, instructions in preferred:
        service = planner.services[name]
        length = minutes(service.duration_minutes)
        for tech in planner.technicians:
            if tech.email == data.TECHNICIAN_EMAIL or not qualified(tech, service):
                continue
            starts = [
                s
                for s in planner.diary.starts(tech.email, planner.today, length, minutes(15))
                if s <= now - minutes(15) and s + length >= now + minutes(15)
            ]
            if not starts:
                continue
            visit = planner.add(tech.email, service, starts[-1], scripted=True)
            _for_customer(
                planner,
                visit,
                asset_kind=kind,
                reporter=JORDAN,
                portal=False,
                instructions=instructions,
            )
            planner.start_work(visit)
            return
    raise RuntimeError("No technician can be at work at the customer sign-in's home today.")


def _book_for_customer(
    planner: VisitPlanner,
    service_type: str,
    *,
    days_from_today: int,
    asset_kind: str,
    reporter: int,
    portal: bool,
    instructions: str,
    work_order: int | None = None,
) -> DraftVisit:
    """A visit at the customer sign-in's home on the nearest day with a free technician."""
    service = planner.services[service_type]
    tech, start = planner.find_slot(service, planner.around(days_from_today))
    visit = planner.add(tech, service, start, work_order=work_order, scripted=True)
    return _for_customer(
        planner,
        visit,
        asset_kind=asset_kind,
        reporter=reporter,
        portal=portal,
        instructions=instructions,
    )


def _for_customer(
    planner: VisitPlanner,
    visit: DraftVisit,
    *,
    asset_kind: str,
    reporter: int,
    portal: bool,
    instructions: str,
) -> DraftVisit:
    """Make the visit one at the customer sign-in's home, on that equipment ("" for none)."""
    customer = planner.customer
    visit.account = customer.name
    visit.asset_serial = (
        next(a.serial_number for a in customer.assets if a.kind == asset_kind) if asset_kind else ""
    )
    visit.reporter = customer.contacts[reporter].full_name
    visit.source = WorkOrderSource.PORTAL if portal else WorkOrderSource.BACK_OFFICE
    visit.instructions = instructions
    return visit
