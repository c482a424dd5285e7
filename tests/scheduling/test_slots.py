"""The availability engine, tested against its rules rather than against its own code.

The property tests draw small random worlds (a few technicians with skills, working hours,
time off and bookings around one city, on ordinary days and on the days daylight saving
time starts or ends) and check every promise the engine makes, with an oracle that
re-derives the rules by brute force: linear scans, no bisecting, no caching.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorstep.scheduling.slots import (
    Point,
    Slot,
    SlotRequest,
    Stop,
    Technician,
    find_slots,
    is_offered_start,
    slot_candidates,
    slots_by_day,
)
from doorstep.scheduling.travel import (
    OfflineEstimator,
    SpeedProfile,
    TravelEstimator,
    great_circle_km,
)

DETERMINISTIC = settings(
    derandomize=True,
    database=None,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ZONES = ("America/Denver", "Europe/Paris")
CENTRES = {"America/Denver": (39.74, -104.99), "Europe/Paris": (48.86, 2.35)}
# The days of 2026 on which daylight saving time starts and ends in each zone.
DST_DAYS = {
    "America/Denver": (date(2026, 3, 8), date(2026, 11, 1)),
    "Europe/Paris": (date(2026, 3, 29), date(2026, 10, 25)),
}
ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)
ALL_DAY = ((time(0), time(23, 59, 59)),)
OFFICE_HOURS = ((time(8), time(17)),)

WORKING_PATTERNS: tuple[tuple[tuple[time, time], ...], ...] = (
    (),
    OFFICE_HOURS,
    ((time(7), time(12)), (time(13), time(18))),
    ((time(8), time(12)), (time(12), time(16))),  # touching: one stretch of work
    ((time(9, 30), time(15, 45)),),
    ((time(1), time(4)), (time(10), time(14))),  # across the night-time DST changes
    ALL_DAY,
)


def travel_for(zone: str) -> OfflineEstimator:
    return OfflineEstimator(profile=SpeedProfile.default(zone))


def wall_to_utc(day: date, clock: time, zone: str) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)


# --- random worlds ---------------------------------------------------------------------------


@st.composite
def worlds(draw: st.DrawFn, *, qualified: bool = False) -> tuple[SlotRequest, list[Technician]]:
    zone = draw(st.sampled_from(ZONES))
    latitude, longitude = CENTRES[zone]

    def place() -> Point:
        # A coarse lattice, so that two stops at the same place happen too.
        return Point(
            latitude + draw(st.integers(-15, 15)) / 100,
            longitude + draw(st.integers(-15, 15)) / 100,
        )

    first_day = draw(
        st.sampled_from(DST_DAYS[zone]) | st.dates(date(2026, 1, 1), date(2026, 12, 31))
    )
    days = draw(st.integers(1, 2))
    midnight = wall_to_utc(first_day, time(0), zone)

    def moment(within_days: int) -> datetime:
        # Quarter hours from the day before the first day to the day after the last.
        quarter = draw(st.integers(0, (within_days + 2) * 96))
        return midnight - ONE_DAY + quarter * timedelta(minutes=15)

    booking_ids = iter(range(1000, 2000))
    technicians: list[Technician] = []
    for technician_id in draw(st.lists(st.integers(1, 40), min_size=1, max_size=4, unique=True)):
        bookings = []
        for _ in range(draw(st.integers(0, 6))):
            start = moment(days)
            length = timedelta(minutes=15 * draw(st.integers(1, 12)))
            bookings.append(Stop(start, start + length, place(), next(booking_ids)))
        time_off = []
        for _ in range(draw(st.integers(0, 1))):
            start = moment(days)
            time_off.append((start, start + timedelta(minutes=30 * draw(st.integers(1, 60)))))
        technicians.append(
            Technician(
                id=technician_id,
                home_base=place(),
                time_zone=draw(st.sampled_from((zone, zone, zone, *ZONES))),
                skills={1: 5, 2: 5}
                if qualified
                else {skill: level for skill in (1, 2) if (level := draw(st.integers(0, 5)))},
                working_hours={
                    weekday: draw(st.sampled_from(WORKING_PATTERNS)) for weekday in range(7)
                },
                time_off=tuple(time_off),
                bookings=tuple(bookings),
                active=qualified or draw(st.sampled_from((True, True, True, False))),
            )
        )
    all_booking_ids = [stop.booking_id for t in technicians for stop in t.bookings]
    request = SlotRequest(
        location=place(),
        duration=timedelta(minutes=draw(st.sampled_from((15, 30, 60, 90, 120, 240)))),
        time_zone=zone,
        first_day=first_day,
        last_day=first_day + (days - 1) * ONE_DAY,
        now=midnight + timedelta(minutes=30 * draw(st.integers(-48, 48))),
        slot_length=timedelta(minutes=draw(st.sampled_from((15, 30, 60, 90, 120)))),
        required_skills=draw(
            st.dictionaries(st.sampled_from((1, 2)), st.integers(1, 5), max_size=2)
        ),
        max_travel_radius_km=draw(st.sampled_from((0, 0, 5, 10, 20))),
        ignore_booking_id=draw(st.none() | st.sampled_from(all_booking_ids))
        if all_booking_ids
        else None,
    )
    return request, technicians


# --- the oracle: every rule re-derived by brute force ------------------------------------------


def qualifies(technician: Technician, request: SlotRequest) -> bool:
    radius = request.max_travel_radius_km
    return (
        technician.active
        and all(
            technician.skills.get(skill, 0) >= level
            for skill, level in request.required_skills.items()
        )
        and (radius == 0 or great_circle_km(technician.home_base, request.location) <= radius)
    )


def working_intervals(technician: Technician, day: date) -> list[tuple[datetime, datetime]]:
    """The technician's working intervals on their local date `day`, touching ones merged."""
    merged: list[tuple[datetime, datetime]] = []
    for opens, closes in sorted(technician.working_hours.get(day.weekday(), ())):
        start = wall_to_utc(day, opens, technician.time_zone)
        end = wall_to_utc(day, closes, technician.time_zone)
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def open_stops(technician: Technician, request: SlotRequest) -> list[Stop]:
    """Bookings, but the one being moved, and time off as stops at the home base."""
    return sorted(
        [
            *(s for s in technician.bookings if s.booking_id != request.ignore_booking_id),
            *(Stop(a, b, technician.home_base) for a, b in technician.time_off),
        ],
        key=lambda stop: (stop.start, stop.end),
    )


def neighbours(
    technician: Technician, request: SlotRequest, start: datetime, end: datetime
) -> tuple[Point, datetime, Point, datetime]:
    """Where the technician comes from and when they are free, where they go and by when."""
    day = start.astimezone(ZoneInfo(technician.time_zone)).date()
    intervals = working_intervals(technician, day)
    midnight = wall_to_utc(day, time(0), technician.time_zone)
    next_midnight = wall_to_utc(day + ONE_DAY, time(0), technician.time_zone)
    stops = open_stops(technician, request)
    origin, free_from = technician.home_base, intervals[0][0]
    ended = [stop for stop in stops if stop.end <= start]
    if ended:
        latest_end = max(stop.end for stop in ended)
        previous = next(stop for stop in ended if stop.end == latest_end)
        if previous.end >= midnight:
            origin, free_from = previous.location, previous.end
            if origin == technician.home_base:  # nobody leaves home before work starts
                free_from = max(free_from, intervals[0][0])
    destination, due_by = technician.home_base, intervals[-1][1]
    later = [stop for stop in stops if stop.start >= end]
    if later and later[0].start < next_midnight:
        destination, due_by = later[0].location, later[0].start
        if destination == technician.home_base:
            due_by = min(due_by, intervals[-1][1])
    return origin, free_from, destination, due_by


def oracle_added_travel(
    request: SlotRequest, technician: Technician, start: datetime, travel: TravelEstimator
) -> timedelta | None:
    """The travel the visit adds to the technician's day, or None if they cannot take it."""
    end = start + request.duration
    if not qualifies(technician, request):
        return None
    day = start.astimezone(ZoneInfo(technician.time_zone)).date()
    if not any(a <= start and end <= b for a, b in working_intervals(technician, day)):
        return None
    if any(s.start < end and s.end > start for s in open_stops(technician, request)):
        return None
    origin, free_from, destination, due_by = neighbours(technician, request, start, end)
    travel_in = travel.estimate_travel(origin, request.location, free_from)
    travel_out = travel.estimate_travel(request.location, destination, end)
    if free_from + travel_in > start or end + travel_out > due_by:
        return None
    direct = travel.estimate_travel(origin, destination, free_from)
    return max(ZERO, travel_in + travel_out - direct)


def grid(request: SlotRequest) -> list[datetime]:
    """Every instant whose wall-clock time in the visit's zone is a multiple of the slot."""
    zone = ZoneInfo(request.time_zone)
    found: set[datetime] = set()
    day = request.first_day
    while day <= request.last_day:
        minutes = 0
        while minutes < 24 * 60:
            wall = datetime.combine(day, time(minutes // 60, minutes % 60))
            for fold in (0, 1):
                instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
                if instant.astimezone(zone).replace(tzinfo=None) == wall:
                    found.add(instant)
            minutes += int(request.slot_length.total_seconds() // 60)
        day += ONE_DAY
    return sorted(instant for instant in found if instant >= request.now)


def by_id(technicians: list[Technician]) -> dict[int, Technician]:
    return {technician.id: technician for technician in technicians}


# --- properties ----------------------------------------------------------------------------------


@DETERMINISTIC
@given(world=worlds())
def test_offered_slots_are_on_the_grid_within_the_days_and_not_before_now(
    world: tuple[SlotRequest, list[Technician]],
) -> None:
    request, technicians = world
    zone = ZoneInfo(request.time_zone)

    slots = find_slots(request, technicians, travel_for(request.time_zone))

    starts = [slot.start for slot in slots]
    assert starts == sorted(set(starts))
    on_grid = set(grid(request))
    for slot in slots:
        local = slot.start.astimezone(zone)
        assert slot.start in on_grid
        assert slot.start >= request.now
        assert request.first_day <= local.date() <= request.last_day
        assert (local.hour * 60 + local.minute) % (request.slot_length // timedelta(minutes=1)) == 0
        assert slot.end - slot.start == request.duration
        assert slot.start.tzinfo is not None


@DETERMINISTIC
@given(world=worlds())
def test_no_offered_slot_collides_with_the_chosen_technicians_bookings_including_travel(
    world: tuple[SlotRequest, list[Technician]],
) -> None:
    request, technicians = world
    travel = travel_for(request.time_zone)
    technician_of = by_id(technicians)

    for slot in find_slots(request, technicians, travel):
        technician = technician_of[slot.technician_id]
        stops = open_stops(technician, request)
        assert not any(s.start < slot.end and s.end > slot.start for s in stops)
        origin, free_from, destination, due_by = neighbours(
            technician, request, slot.start, slot.end
        )
        # Travel there from the previous stop (or home) fits before the visit …
        assert free_from + travel.estimate_travel(origin, request.location, free_from) <= (
            slot.start
        )
        # … and travel on to the next stop (or home) fits after it.
        assert slot.end + travel.estimate_travel(request.location, destination, slot.end) <= (
            due_by
        )


@DETERMINISTIC
@given(world=worlds())
def test_offered_slots_are_inside_working_hours_and_outside_time_off(
    world: tuple[SlotRequest, list[Technician]],
) -> None:
    request, technicians = world
    technician_of = by_id(technicians)

    for slot in find_slots(request, technicians, travel_for(request.time_zone)):
        technician = technician_of[slot.technician_id]
        day = slot.start.astimezone(ZoneInfo(technician.time_zone)).date()
        assert any(a <= slot.start and slot.end <= b for a, b in working_intervals(technician, day))
        assert not any(a < slot.end and b > slot.start for a, b in technician.time_off)


@DETERMINISTIC
@given(world=worlds())
def test_chosen_technician_is_active_skilled_and_within_the_radius(
    world: tuple[SlotRequest, list[Technician]],
) -> None:
    request, technicians = world
    technician_of = by_id(technicians)

    for slot in find_slots(request, technicians, travel_for(request.time_zone)):
        technician = technician_of[slot.technician_id]
        assert technician.active
        for skill, level in request.required_skills.items():
            assert technician.skills.get(skill, 0) >= level
        if request.max_travel_radius_km:
            distance = great_circle_km(technician.home_base, request.location)
            assert distance <= request.max_travel_radius_km


@DETERMINISTIC
@given(world=worlds())
def test_every_offered_slot_passes_the_booking_recheck_for_its_technician_alone(
    world: tuple[SlotRequest, list[Technician]],
) -> None:
    request, technicians = world
    travel = travel_for(request.time_zone)
    technician_of = by_id(technicians)

    for slot in find_slots(request, technicians, travel):
        technician = technician_of[slot.technician_id]
        assert slot_candidates(request, [technician], slot.start, travel) == [slot]


@DETERMINISTIC
@given(world=worlds())
def test_a_start_is_offered_exactly_when_the_oracle_finds_a_technician(
    world: tuple[SlotRequest, list[Technician]],
) -> None:
    request, technicians = world
    travel = travel_for(request.time_zone)

    offered = {slot.start for slot in find_slots(request, technicians, travel)}

    for start in grid(request):
        keepable = [
            t for t in technicians if oracle_added_travel(request, t, start, travel) is not None
        ]
        assert (start in offered) == bool(keepable), start
        candidates = slot_candidates(request, technicians, start, travel)
        assert {slot.technician_id for slot in candidates} == {t.id for t in keepable}


@DETERMINISTIC
@given(world=worlds(qualified=True))
def test_the_technician_whose_day_gains_least_travel_is_chosen(
    world: tuple[SlotRequest, list[Technician]],
) -> None:
    request, technicians = world
    travel = travel_for(request.time_zone)

    for slot in find_slots(request, technicians, travel):
        options = []
        for technician in technicians:
            added = oracle_added_travel(request, technician, slot.start, travel)
            if added is not None:
                options.append((added, technician.id))
        assert (slot.added_travel, slot.technician_id) == min(options)
        candidates = slot_candidates(request, technicians, slot.start, travel)
        assert [(c.added_travel, c.technician_id) for c in candidates] == sorted(options)


@DETERMINISTIC
@given(world=worlds())
def test_no_qualified_technician_means_no_slots(
    world: tuple[SlotRequest, list[Technician]],
) -> None:
    request, technicians = world
    travel = travel_for(request.time_zone)
    beyond_everyone = replace(request, required_skills={1: 5, 99: 1})
    retired = [replace(technician, active=False) for technician in technicians]

    assert find_slots(beyond_everyone, technicians, travel) == []
    assert find_slots(request, retired, travel) == []


@DETERMINISTIC
@given(world=worlds())
def test_the_answer_does_not_depend_on_the_order_of_technicians_or_bookings(
    world: tuple[SlotRequest, list[Technician]],
) -> None:
    request, technicians = world
    travel = travel_for(request.time_zone)
    shuffled = [
        replace(technician, bookings=technician.bookings[::-1])
        for technician in reversed(technicians)
    ]

    assert find_slots(request, shuffled, travel) == find_slots(request, technicians, travel)


@DETERMINISTIC
@given(world=worlds(), extra_days=st.integers(0, 3))
def test_one_search_over_several_days_agrees_with_one_search_a_day(
    world: tuple[SlotRequest, list[Technician]], extra_days: int
) -> None:
    request, technicians = world
    travel = travel_for(request.time_zone)
    longer = replace(request, last_day=request.last_day + extra_days * ONE_DAY)

    whole = find_slots(longer, technicians, travel)

    daily = slots_by_day(whole, request.time_zone)
    assert list(daily) == sorted(daily)
    for day, slots in daily.items():
        one_day = replace(longer, first_day=day, last_day=day)
        assert find_slots(one_day, technicians, travel) == slots


# --- daylight saving time ------------------------------------------------------------------------


def at_home_all_day(
    zone: str, *, working_hours: tuple[tuple[time, time], ...] = ALL_DAY
) -> Technician:
    latitude, longitude = CENTRES[zone]
    return Technician(
        id=1,
        home_base=Point(latitude, longitude),
        time_zone=zone,
        working_hours=dict.fromkeys(range(7), working_hours),
    )


def request_at_home(zone: str, day: date, *, slot_minutes: int, minutes: int = 5) -> SlotRequest:
    latitude, longitude = CENTRES[zone]
    return SlotRequest(
        location=Point(latitude, longitude),
        duration=timedelta(minutes=minutes),
        time_zone=zone,
        first_day=day,
        last_day=day,
        now=datetime(2026, 1, 1, tzinfo=UTC),
        slot_length=timedelta(minutes=slot_minutes),
    )


@pytest.mark.parametrize("slot_minutes", [15, 30, 60, 90, 120, 180, 240])
@pytest.mark.parametrize(
    ("zone", "day"),
    [(zone, day) for zone, days in DST_DAYS.items() for day in days],
    ids=str,
)
def test_dst_days_offer_every_existing_grid_time_once_and_a_repeated_time_twice(
    zone: str, day: date, slot_minutes: int
) -> None:
    request = request_at_home(zone, day, slot_minutes=slot_minutes)
    tz = ZoneInfo(zone)

    slots = find_slots(request, [at_home_all_day(zone)], travel_for(zone))

    expected: list[datetime] = []
    for minutes in range(0, 24 * 60, slot_minutes):
        wall = datetime.combine(day, time(minutes // 60, minutes % 60))
        instants = {wall.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)}
        # Only instants that read as this wall time: none in the spring gap, two at the
        # repeated hour in autumn.
        expected.extend(i for i in instants if i.astimezone(tz).replace(tzinfo=None) == wall)
    assert [slot.start for slot in slots] == sorted(expected)
    for slot in slots:
        local = slot.start.astimezone(tz)
        assert local.date() == day
        assert (local.hour * 60 + local.minute) % slot_minutes == 0


def local_starts(slots: list[Slot], zone: str) -> list[str]:
    return [f"{slot.start.astimezone(ZoneInfo(zone)):%H:%M%z}" for slot in slots]


@pytest.mark.parametrize(
    ("zone", "day", "skipped_hour"),
    [("America/Denver", date(2026, 3, 8), 2), ("Europe/Paris", date(2026, 3, 29), 2)],
)
def test_spring_forward_day_has_no_slot_at_a_time_that_does_not_exist(
    zone: str, day: date, skipped_hour: int
) -> None:
    slots = find_slots(
        request_at_home(zone, day, slot_minutes=30), [at_home_all_day(zone)], travel_for(zone)
    )

    hours = [slot.start.astimezone(ZoneInfo(zone)).hour for slot in slots]
    assert skipped_hour not in hours
    assert len(slots) == 23 * 2
    assert len({slot.start for slot in slots}) == len(slots)


@pytest.mark.parametrize(
    ("zone", "day", "repeated", "offsets"),
    [
        ("America/Denver", date(2026, 11, 1), time(1, 0), ("-0600", "-0700")),
        ("Europe/Paris", date(2026, 10, 25), time(2, 0), ("+0200", "+0100")),
    ],
)
def test_fall_back_day_offers_both_instants_of_the_repeated_hour(
    zone: str, day: date, repeated: time, offsets: tuple[str, str]
) -> None:
    slots = find_slots(
        request_at_home(zone, day, slot_minutes=60), [at_home_all_day(zone)], travel_for(zone)
    )

    starts = local_starts(slots, zone)
    first, second = (f"{repeated:%H:%M}{offset}" for offset in offsets)
    assert starts.count(first) == 1
    assert starts.count(second) == 1
    assert starts.index(second) == starts.index(first) + 1
    assert len(slots) == 25
    repeated_slots = [s for s in slots if s.start.astimezone(ZoneInfo(zone)).time() == repeated]
    assert repeated_slots[1].start - repeated_slots[0].start == timedelta(hours=1)


def test_working_hours_across_the_spring_gap_are_wall_clock_times() -> None:
    # 01:00–04:00 on the day Denver skips 02:00 is two hours of work.
    technician = at_home_all_day("America/Denver", working_hours=((time(1), time(4)),))
    request = request_at_home("America/Denver", date(2026, 3, 8), slot_minutes=60, minutes=60)

    slots = find_slots(request, [technician], travel_for("America/Denver"))

    assert local_starts(slots, "America/Denver") == ["01:00-0700", "03:00-0600"]


def test_working_hours_are_read_in_the_technicians_time_zone() -> None:
    # 09:00–10:00 in Chicago is 08:00–09:00 in Denver.
    technician = replace(
        at_home_all_day("America/Denver", working_hours=((time(9), time(10)),)),
        time_zone="America/Chicago",
    )
    request = request_at_home("America/Denver", date(2026, 3, 4), slot_minutes=60, minutes=60)

    slots = find_slots(request, [technician], travel_for("America/Denver"))

    assert local_starts(slots, "America/Denver") == ["08:00-0700"]


# --- examples of each rule ------------------------------------------------------------------------

DENVER = "America/Denver"
WEDNESDAY = date(2026, 3, 4)
HOME = Point(39.70, -104.95)
CUSTOMER = Point(39.74, -104.99)  # about 5.6 km from HOME
NEXT_DOOR = Point(39.7401, -104.9901)
ACROSS_TOWN = Point(39.85, -105.08)  # about 14 km from CUSTOMER: half an hour's drive
FAR = Point(39.95, -105.25)  # about 32 km from CUSTOMER: over an hour's drive


def denver(hour: int, minute: int = 0, day: date = WEDNESDAY) -> datetime:
    return wall_to_utc(day, time(hour, minute), DENVER)


def technician(technician_id: int = 1, **changes: object) -> Technician:
    base = Technician(
        id=technician_id,
        home_base=HOME,
        time_zone=DENVER,
        skills={1: 3},
        working_hours=dict.fromkeys(range(5), OFFICE_HOURS),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def visit(**changes: object) -> SlotRequest:
    base = SlotRequest(
        location=CUSTOMER,
        duration=timedelta(hours=1),
        time_zone=DENVER,
        first_day=WEDNESDAY,
        last_day=WEDNESDAY,
        now=datetime(2026, 3, 1, tzinfo=UTC),
        required_skills={1: 2},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


TRAVEL = travel_for(DENVER)


def hours_offered(slots: list[Slot]) -> list[int]:
    return [slot.start.astimezone(ZoneInfo(DENVER)).hour for slot in slots]


def test_travel_from_home_and_back_fits_inside_working_hours() -> None:
    # 08:00 leaves no time to drive from home; a 16:00 visit would end at 17:00 sharp.
    slots = find_slots(visit(), [technician()], TRAVEL)

    assert hours_offered(slots) == [9, 10, 11, 12, 13, 14, 15]


def test_a_visit_at_the_home_base_can_start_when_work_starts() -> None:
    slots = find_slots(visit(location=HOME), [technician()], TRAVEL)

    assert hours_offered(slots) == list(range(8, 17))
    assert all(slot.added_travel == ZERO for slot in slots)


def test_a_booking_blocks_its_time_and_the_travel_around_it() -> None:
    job = Stop(denver(12), denver(13), ACROSS_TOWN, booking_id=7)

    slots = find_slots(visit(), [technician(bookings=(job,))], TRAVEL)

    # 11:00 would end at 12:00 with no time to drive across town; 13:00 would start with no
    # time to come back.
    assert hours_offered(slots) == [9, 10, 14, 15]


def test_a_booking_at_the_same_address_leaves_room_right_after_it() -> None:
    same_address = Stop(denver(10), denver(11), CUSTOMER, booking_id=7)
    next_door = replace(same_address, location=NEXT_DOOR)

    after_same = find_slots(visit(), [technician(bookings=(same_address,))], TRAVEL)
    after_next_door = find_slots(visit(), [technician(bookings=(next_door,))], TRAVEL)

    assert hours_offered(after_same) == [9, 11, 12, 13, 14, 15]
    # Next door is a short walk, but parking and getting to the door take a few minutes.
    assert hours_offered(after_next_door) == [12, 13, 14, 15]


def test_the_booking_being_moved_does_not_block_itself() -> None:
    job = Stop(denver(10), denver(11), CUSTOMER, booking_id=7)
    moving = visit(ignore_booking_id=7)

    assert 10 not in hours_offered(find_slots(visit(), [technician(bookings=(job,))], TRAVEL))
    assert 10 in hours_offered(find_slots(moving, [technician(bookings=(job,))], TRAVEL))


def test_time_off_is_spent_at_home() -> None:
    doctor = (denver(11), denver(12))

    slots = find_slots(visit(), [technician(time_off=(doctor,))], TRAVEL)

    # 10:00 leaves no time to get home for 11:00, 12:00 no time to come from home.
    assert hours_offered(slots) == [9, 13, 14, 15]


def test_a_visit_at_home_fits_right_around_time_off() -> None:
    doctor = (denver(11), denver(12))

    slots = find_slots(visit(location=HOME), [technician(time_off=(doctor,))], TRAVEL)

    assert hours_offered(slots) == [8, 9, 10, 12, 13, 14, 15, 16]


def test_a_holiday_ending_at_midnight_does_not_start_the_day_early() -> None:
    holiday = (denver(0, day=WEDNESDAY - 2 * ONE_DAY), denver(0))

    with_holiday = find_slots(visit(), [technician(time_off=(holiday,))], TRAVEL)

    assert with_holiday == find_slots(visit(), [technician()], TRAVEL)


def test_touching_working_hours_make_one_stretch_of_work() -> None:
    split = dict.fromkeys(range(5), ((time(8), time(12)), (time(12), time(17))))
    request = visit(location=HOME, slot_length=timedelta(minutes=30))

    slots = find_slots(request, [technician(working_hours=split)], TRAVEL)

    assert denver(11, 30) in [slot.start for slot in slots]


def test_a_visit_must_fit_inside_one_working_interval() -> None:
    split = dict.fromkeys(range(5), ((time(8), time(12)), (time(13), time(17))))
    request = visit(location=HOME, slot_length=timedelta(minutes=30))

    starts = [slot.start for slot in find_slots(request, [technician(working_hours=split)], TRAVEL)]

    assert denver(11) in starts
    assert denver(11, 30) not in starts
    assert denver(12) not in starts
    assert denver(13) in starts


def test_no_slot_starts_before_now() -> None:
    slots = find_slots(visit(now=denver(12, 10)), [technician()], TRAVEL)

    assert hours_offered(slots) == [13, 14, 15]


def test_radius_is_measured_from_the_home_base() -> None:
    near = technician(1)
    far = technician(2, home_base=FAR)

    within_ten_km = find_slots(visit(max_travel_radius_km=10), [far, near], TRAVEL)
    no_limit = find_slots(visit(max_travel_radius_km=0, location=FAR), [near, far], TRAVEL)

    assert {slot.technician_id for slot in within_ten_km} == {1}
    assert {slot.technician_id for slot in no_limit} == {2}


def test_skills_below_the_required_proficiency_do_not_qualify() -> None:
    novice = technician(1, skills={1: 1})
    missing = technician(2, skills={2: 5})

    assert find_slots(visit(), [novice, missing], TRAVEL) == []
    assert find_slots(visit(required_skills={}), [novice, missing], TRAVEL) != []


def test_the_technician_already_working_next_door_gets_the_visit() -> None:
    # Technician 2 lives far away but is next door just before: their day gains less.
    nearby_home = technician(1)
    next_door = technician(
        2, home_base=FAR, bookings=(Stop(denver(8), denver(9, 30), NEXT_DOOR, booking_id=9),)
    )

    slots = find_slots(visit(), [nearby_home, next_door], TRAVEL)
    at_ten = next(slot for slot in slots if slot.start == denver(10, 0))

    assert at_ten.technician_id == 2
    assert at_ten.added_travel < next(
        c.added_travel
        for c in slot_candidates(visit(), [nearby_home, next_door], denver(10), TRAVEL)
        if c.technician_id == 1
    )


def test_equal_travel_goes_to_the_lowest_technician_id() -> None:
    twins = [technician(5), technician(3), technician(4)]

    slots = find_slots(visit(), twins, TRAVEL)

    assert {slot.technician_id for slot in slots} == {3}


def test_a_start_off_the_grid_or_outside_the_days_has_no_candidate() -> None:
    free_day = [technician()]

    assert slot_candidates(visit(), free_day, denver(10), TRAVEL)
    assert not slot_candidates(visit(), free_day, denver(10, 15), TRAVEL)
    assert not slot_candidates(visit(), free_day, denver(10, day=WEDNESDAY + ONE_DAY), TRAVEL)
    assert not is_offered_start(visit(now=denver(11)), denver(10))
    assert is_offered_start(visit(slot_length=timedelta(minutes=15)), denver(10, 15))


def test_slots_group_by_local_day() -> None:
    request = visit(last_day=WEDNESDAY + 2 * ONE_DAY)

    slots = find_slots(request, [technician()], TRAVEL)

    by_day = slots_by_day(slots, DENVER)
    assert list(by_day) == [WEDNESDAY, WEDNESDAY + ONE_DAY, WEDNESDAY + 2 * ONE_DAY]
    assert all(len(day) == 7 for day in by_day.values())


def test_requests_and_data_with_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        visit(now=datetime(2026, 3, 1))
    with pytest.raises(ValueError, match="aware"):
        Stop(datetime(2026, 3, 4, 10), datetime(2026, 3, 4, 11), CUSTOMER)
    with pytest.raises(ValueError, match="end after"):
        technician(working_hours={0: ((time(17), time(8)),)})
