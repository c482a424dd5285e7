"""How the demo's visits are planned: placed in the technicians' diaries, given a customer,
statuses and the times of their moves, and handed to the loader as `VisitPlan`s.

What the story of the sign-ins is, and in what order visits are placed, is `visits.py`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from doorstep.project.demo import data
from doorstep.project.demo.accounts import AccountPlan, AssetPlan
from doorstep.project.demo.diary import Diary
from doorstep.project.demo.geography import local
from doorstep.scheduling.models import BookingStatus, WorkOrderSource

EXTERNAL_ID_PREFIX = "DEMO-"
DAYS_BACK = 21
DAYS_AHEAD = 21

# How many visits an ordinary technician gets on a working day, and with what weight.
VISITS_PER_DAY = ((0, 40), (1, 35), (2, 18), (3, 7))
# The technician sign-in gets a fuller diary, so the technician app has something to show.
VISITS_PER_DAY_SIGN_IN = ((1, 25), (2, 45), (3, 30))


@dataclass(frozen=True)
class StatusMove:
    status: str
    at: datetime
    by: str  # "technician", "customer" or "office"


@dataclass(frozen=True)
class NotePlan:
    text: str
    customer_visible: bool
    at: datetime


@dataclass(frozen=True)
class VisitPlan:
    """One booking, and the work order it belongs to (several visits may share one)."""

    external_id: str
    technician: str  # the technician's email
    service_type: str  # the service type's name
    account: str
    asset_serial: str  # "" for none
    reporter: str  # a contact's full name, "" for none
    source: str
    instructions: str
    start: datetime
    end: datetime
    booked_at: datetime  # when the booking was made (Scheduled), before every move
    moves: tuple[StatusMove, ...]  # after the booking is made, in order of time
    cancel_reason: str = ""
    completion_note: str = ""
    notes: tuple[NotePlan, ...] = ()

    @property
    def status(self) -> str:
        return self.moves[-1].status if self.moves else BookingStatus.SCHEDULED


@dataclass
class DraftVisit:
    """A visit while it is being planned."""

    technician: str
    service: data.ServiceTypeData
    start: datetime
    end: datetime
    work_order: int  # visits with the same number share a work order
    account: str = ""
    asset_serial: str = ""
    reporter: str = ""
    source: str = WorkOrderSource.BACK_OFFICE
    instructions: str = ""
    moves: list[StatusMove] = field(default_factory=list)
    cancel_reason: str = ""
    completion_note: str = ""
    notes: list[NotePlan] = field(default_factory=list)
    # Notes written when the visit was booked: their time is known once the booking's is.
    notes_when_booked: list[tuple[str, bool]] = field(default_factory=list)
    booked_at: datetime | None = None  # None: drawn once the visit's statuses are known
    scripted: bool = False  # part of the sign-ins' story: statuses set by the story


def qualified(tech: data.TechnicianData, service: data.ServiceTypeData) -> bool:
    levels = dict(tech.skills)
    return all(levels.get(skill, 0) >= level for skill, level in service.requirements)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


class VisitPlanner:
    """Six weeks of visits around `today`, drawn from a seeded random generator."""

    def __init__(self, *, today: date, accounts: Sequence[AccountPlan]) -> None:
        self.today = today
        self.rng = random.Random("doorstep demo: visits")  # noqa: S311 - invented data
        self.days = [today + timedelta(days=n) for n in range(-DAYS_BACK, DAYS_AHEAD + 1)]
        self.technicians = [t for t in data.TECHNICIANS if t.active]
        self.by_email = {t.email: t for t in self.technicians}
        self.services = {s.name: s for s in data.SERVICE_TYPES}
        self.diary = Diary(self.technicians, self.days, today)
        self.visits: list[DraftVisit] = []
        self.work_orders = 0
        self.customer = accounts[0]
        self.accounts = [a for a in accounts if a is not self.customer]
        self.with_asset: dict[str, list[tuple[AccountPlan, AssetPlan]]] = defaultdict(list)
        for account in self.accounts:
            for asset in account.assets:
                self.with_asset[asset.kind].append((account, asset))
        # The story's clock for today, set when the technician sign-in's day is planned.
        self.now = local(today, time(11))

    # Placing visits -------------------------------------------------------------------

    def add(
        self,
        technician: str,
        service: data.ServiceTypeData,
        start: datetime,
        *,
        work_order: int | None = None,
        scripted: bool = False,
    ) -> DraftVisit:
        """Place a visit in the technician's diary; a new work order unless one is given."""
        end = start + minutes(service.duration_minutes)
        self.diary.place(technician, start, end)
        if work_order is None:
            self.work_orders += 1
            work_order = self.work_orders
        visit = DraftVisit(technician, service, start, end, work_order, scripted=scripted)
        self.visits.append(visit)
        return visit

    def services_for(self, tech: data.TechnicianData) -> list[data.ServiceTypeData]:
        return [s for s in data.SERVICE_TYPES if qualified(tech, s)]

    def find_slot(
        self, service: data.ServiceTypeData, offsets: Iterable[int]
    ) -> tuple[str, datetime]:
        """A qualified technician and a free start on the first of these days that has one."""
        technicians = [t for t in self.technicians if qualified(t, service)]
        for offset in offsets:
            day = self.today + timedelta(days=offset)
            options = [
                (tech.email, start)
                for tech in technicians
                for start in self.diary.starts(tech.email, day, minutes(service.duration_minutes))
            ]
            if options:
                return self.rng.choice(options)
        raise RuntimeError(f"No technician is free for {service.display_name}.")

    @staticmethod
    def around(offset: int) -> list[int]:
        """Days near `offset` on the same side of today, nearest first."""
        near = [offset]
        for step in range(1, DAYS_BACK):
            near += [offset + step, offset - step]
        if offset < 0:
            return [n for n in near if -DAYS_BACK <= n < 0]
        return [n for n in near if 0 < n <= DAYS_AHEAD]

    def plan_other_visits(self) -> None:
        """Fill every technician's diary with ordinary visits, around what is placed."""
        for day in self.days:
            for tech in self.technicians:
                is_sign_in = tech.email == data.TECHNICIAN_EMAIL
                if is_sign_in and day == self.today:
                    continue  # planned visit by visit
                weights = VISITS_PER_DAY_SIGN_IN if is_sign_in else VISITS_PER_DAY
                wanted = self.rng.choices([n for n, _ in weights], [w for _, w in weights])[0]
                services = self.services_for(tech)
                for _ in range(wanted):
                    service = self.rng.choices(services, [s.weight for s in services])[0]
                    starts = self.diary.starts(tech.email, day, minutes(service.duration_minutes))
                    if starts:
                        self.fill_in(self.add(tech.email, service, self.rng.choice(starts)))

    def fill_in(self, visit: DraftVisit) -> None:
        """Choose the customer and the details of a visit that is not part of the story."""
        rng = self.rng
        service = visit.service
        choices = [pair for kind in service.asset_kinds for pair in self.with_asset[kind]]
        if choices and rng.random() < 0.85:
            account, asset = rng.choice(choices)
            visit.asset_serial = asset.serial_number
        else:
            account = rng.choices(self.accounts, [2 if a.business else 1 for a in self.accounts])[0]
        visit.account = account.name
        primary = account.business and rng.random() < 0.7
        visit.reporter = (
            account.contacts[0].full_name if primary else rng.choice(account.contacts).full_name
        )
        draw = rng.random()
        if service.portal_enabled and draw < 0.35:
            visit.source = WorkOrderSource.PORTAL
        elif draw > 0.9:
            visit.source = WorkOrderSource.API
        visit.instructions = rng.choice(service.instructions)
        if rng.random() < 0.2:
            visit.notes_when_booked.append((rng.choice(data.INTERNAL_NOTES), False))
        if rng.random() < 0.1:
            visit.notes_when_booked.append((rng.choice(data.CUSTOMER_NOTES), True))

    # Statuses -----------------------------------------------------------------------------

    def complete(self, visit: DraftVisit, *, latest: datetime | None = None) -> None:
        rng = self.rng
        traveling = visit.start - minutes(rng.randint(15, 35))
        arrived = visit.start + minutes(rng.randint(0, 10))
        done = visit.end + minutes(rng.randint(-10, 15))
        if latest is not None:
            arrived = min(arrived, latest - minutes(2))
            done = min(done, latest)
        visit.moves = [
            StatusMove(BookingStatus.TRAVELING, traveling, "technician"),
            StatusMove(BookingStatus.IN_PROGRESS, arrived, "technician"),
            StatusMove(BookingStatus.COMPLETED, done, "technician"),
        ]
        if rng.random() < 0.75 and not visit.completion_note:
            visit.completion_note = rng.choice(visit.service.completion_notes)

    def start_work(self, visit: DraftVisit) -> None:
        """The technician set out for the visit and is at work there by the story's clock."""
        visit.moves = [
            StatusMove(BookingStatus.TRAVELING, visit.start - minutes(20), "technician"),
            StatusMove(
                BookingStatus.IN_PROGRESS,
                min(visit.start + minutes(5), self.now - minutes(1)),
                "technician",
            ),
        ]

    def cancel(self, visit: DraftVisit, *, by: str, at: datetime, reason: str = "") -> None:
        if by == "technician":
            visit.moves = [
                StatusMove(BookingStatus.TRAVELING, visit.start - minutes(25), "technician"),
                StatusMove(BookingStatus.CANCELED, visit.start + minutes(15), "technician"),
            ]
        else:
            visit.moves = [StatusMove(BookingStatus.CANCELED, at, by)]
        visit.cancel_reason = reason or self.rng.choice(data.CANCEL_REASONS[by])

    def _cancel_ahead(self, visit: DraftVisit, *, latest: datetime) -> None:
        by = self.rng.choice(["customer", "customer", "office"])
        at = min(visit.start - minutes(self.rng.randint(3 * 60, 72 * 60)), latest)
        self.cancel(visit, by=by, at=at)

    def decide_statuses(self) -> None:
        """Past visits end Completed or Canceled; today's follow the story's clock."""
        rng = self.rng
        now = self.now
        busy_now: set[str] = set()
        for visit in sorted(self.visits, key=lambda v: v.start):
            if visit.scripted:
                if visit.moves and visit.moves[-1].status in {
                    BookingStatus.TRAVELING,
                    BookingStatus.IN_PROGRESS,
                }:
                    busy_now.add(visit.technician)
                continue
            day = visit.start.date()
            if day < self.today:
                if rng.random() < 0.1:
                    if rng.random() < 0.35:
                        self.cancel(visit, by="technician", at=visit.start)
                    else:
                        self._cancel_ahead(visit, latest=visit.start)
                else:
                    self.complete(visit)
            elif day == self.today and visit.end <= now:
                self.complete(visit, latest=now)
            elif day == self.today and visit.start <= now:
                self.start_work(visit)
                busy_now.add(visit.technician)
            elif (
                day == self.today
                and visit.technician not in busy_now
                and visit.start - now <= minutes(60)
            ):
                visit.moves = [StatusMove(BookingStatus.TRAVELING, now - minutes(5), "technician")]
                busy_now.add(visit.technician)
            elif rng.random() < 0.05:
                self._cancel_ahead(visit, latest=now)

    def date_bookings(self) -> None:
        """When each visit was booked, and its notes written: before the visit and its moves.

        Call it after `decide_statuses()`.
        """
        for visit in self.visits:
            # Booked at least an hour before the first move, the visit and the story's clock.
            latest = min(visit.start, self.now, *(m.at for m in visit.moves)) - minutes(60)
            if visit.booked_at is None:
                # During office hours, up to two weeks before.
                minute = self.rng.randrange(7 * 60, 18 * 60)
                day = latest.date() - timedelta(days=self.rng.randint(0, 13))
                booked_at = local(day, time(minute // 60, minute % 60))
                while booked_at > latest:
                    booked_at -= timedelta(days=1)
                visit.booked_at = booked_at
            visit.booked_at = min(visit.booked_at, latest)
            for text, customer_visible in visit.notes_when_booked:
                at = visit.booked_at + minutes(self.rng.randint(1, 30))
                visit.notes.append(NotePlan(text, customer_visible, at))
            visit.notes.sort(key=lambda n: n.at)

    # The plan -----------------------------------------------------------------------------

    def plans(self) -> list[VisitPlan]:
        """The visits in order of their start, work orders numbered in that order."""
        self.visits.sort(key=lambda v: (v.start, v.technician))
        numbers: dict[int, str] = {}
        result = []
        for visit in self.visits:
            if visit.booked_at is None:
                raise RuntimeError("Date the bookings before taking the plans.")
            if visit.work_order not in numbers:
                numbers[visit.work_order] = f"{EXTERNAL_ID_PREFIX}{len(numbers) + 1:04d}"
            result.append(
                VisitPlan(
                    external_id=numbers[visit.work_order],
                    technician=visit.technician,
                    service_type=visit.service.name,
                    account=visit.account,
                    asset_serial=visit.asset_serial,
                    reporter=visit.reporter,
                    source=visit.source,
                    instructions=visit.instructions,
                    start=visit.start,
                    end=visit.end,
                    booked_at=visit.booked_at,
                    moves=tuple(visit.moves),
                    cancel_reason=visit.cancel_reason,
                    completion_note=visit.completion_note,
                    notes=tuple(visit.notes),
                )
            )
        return result
