from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pytest_django import DjangoAssertNumQueries

from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from doorstep.scheduling.models import Booking, BookingStatus
from doorstep.scheduling.selectors import (
    available_slots,
    bookable_days,
    slot_request_for,
    technicians_for,
)
from doorstep.scheduling.slots import Slot
from doorstep.scheduling.travel import Point, default_estimator
from doorstep.workforce.models import Resource, Skill
from tests.factories import (
    BookingFactory,
    IncidentTypeFactory,
    IncidentTypeSkillFactory,
    ResourceFactory,
    ResourceSkillFactory,
    SkillFactory,
    TimeOffFactory,
    WorkingHoursFactory,
)
from tests.scheduling.slot_checks import slot_is_free

pytestmark = pytest.mark.django_db

DENVER = "America/Denver"
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 08:00 in Denver
WEDNESDAY = date(2026, 3, 4)
CUSTOMER = Point(39.7392, -104.9903)  # where the account factory puts everybody
ACROSS_TOWN = (Decimal("39.850000"), Decimal("-105.080000"))


class ZeroTravel:
    def estimate_travel(
        self, origin: Point, destination: Point, departure_time: datetime
    ) -> timedelta:
        return timedelta(0)


def denver(hour: int, day: date = WEDNESDAY) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(DENVER))


def hours(slots: list[Slot]) -> list[int]:
    return [slot.start.astimezone(ZoneInfo(DENVER)).hour for slot in slots]


@pytest.fixture
def gas() -> Skill:
    return SkillFactory(name="Gas appliances")


@pytest.fixture
def boiler_service(gas: Skill) -> IncidentType:
    service = IncidentTypeFactory(name="Boiler service", estimated_duration_minutes=60)
    IncidentTypeSkillFactory(incident_type=service, skill=gas, minimum_proficiency=3)
    return service


MakeTechnician = Callable[..., Resource]


@pytest.fixture
def make_technician(gas: Skill) -> MakeTechnician:
    def make(*, proficiency: int | None = 3, active: bool = True, **fields: object) -> Resource:
        technician = ResourceFactory(active=active, **fields)
        if proficiency is not None:
            ResourceSkillFactory(resource=technician, skill=gas, proficiency=proficiency)
        for weekday in range(5):
            WorkingHoursFactory(
                resource=technician, weekday=weekday, start_time=time(8), end_time=time(17)
            )
        return technician

    return make


def wednesday_slots(service: IncidentType, **options: object) -> list[Slot]:
    return available_slots(
        incident_type=service,
        location=CUSTOMER,
        time_zone=DENVER,
        first_day=WEDNESDAY,
        last_day=WEDNESDAY,
        now=NOW,
        **options,  # type: ignore[arg-type]
    )


def test_only_active_technicians_with_the_required_skill_level_get_slots(
    boiler_service: IncidentType, make_technician: MakeTechnician
) -> None:
    qualified = make_technician(proficiency=3)
    make_technician(proficiency=2)
    make_technician(proficiency=5, active=False)
    make_technician(proficiency=None)

    slots = wednesday_slots(boiler_service)

    assert hours(slots) == [9, 10, 11, 12, 13, 14, 15]
    assert {slot.technician_id for slot in slots} == {qualified.pk}
    assert all(slot.end - slot.start == timedelta(minutes=60) for slot in slots)


def test_a_service_type_without_required_skills_goes_to_any_active_technician(
    make_technician: MakeTechnician,
) -> None:
    anyone = make_technician(proficiency=None)

    slots = wednesday_slots(IncidentTypeFactory())

    assert {slot.technician_id for slot in slots} == {anyone.pk}


def test_open_bookings_block_their_time_and_the_travel_around_them(
    boiler_service: IncidentType, make_technician: MakeTechnician
) -> None:
    technician = make_technician()
    latitude, longitude = ACROSS_TOWN
    BookingFactory(
        resource=technician,
        start=denver(12),
        end=denver(13),
        work_order__latitude=latitude,
        work_order__longitude=longitude,
    )

    assert hours(wednesday_slots(boiler_service)) == [9, 10, 14, 15]


def test_canceled_and_completed_bookings_do_not_block(
    boiler_service: IncidentType, make_technician: MakeTechnician
) -> None:
    technician = make_technician()
    BookingFactory(
        resource=technician,
        start=denver(10),
        end=denver(11),
        status=BookingStatus.CANCELED,
        cancel_reason="Customer away",
    )
    BookingFactory(
        resource=technician,
        start=denver(12),
        end=denver(13),
        status=BookingStatus.COMPLETED,
        completed_at=denver(13),
    )
    BookingFactory(
        resource=technician, start=denver(14), end=denver(15), status=BookingStatus.IN_PROGRESS
    )

    assert hours(wednesday_slots(boiler_service)) == [9, 10, 11, 12, 13, 15]


def test_time_off_blocks_the_technician(
    boiler_service: IncidentType, make_technician: MakeTechnician
) -> None:
    away = make_technician()
    present = make_technician()
    TimeOffFactory(resource=away, start=denver(0), end=denver(0, WEDNESDAY + timedelta(days=1)))

    slots = wednesday_slots(boiler_service)

    assert {slot.technician_id for slot in slots} == {present.pk}


def test_the_booking_being_moved_does_not_block_itself(
    boiler_service: IncidentType, make_technician: MakeTechnician
) -> None:
    technician = make_technician()
    booking = BookingFactory(resource=technician, start=denver(12), end=denver(13))

    assert 12 not in hours(wednesday_slots(boiler_service))
    assert 12 in hours(wednesday_slots(boiler_service, ignore_booking_id=booking.pk))


def test_a_booking_without_coordinates_counts_as_at_the_home_base(
    boiler_service: IncidentType, make_technician: MakeTechnician
) -> None:
    technician = make_technician()
    BookingFactory(
        resource=technician,
        start=denver(11),
        end=denver(12),
        work_order__latitude=None,
        work_order__longitude=None,
    )

    # From the home base to the customer takes a quarter of an hour: 12:00 is too soon.
    assert hours(wednesday_slots(boiler_service)) == [9, 13, 14, 15]


def test_days_outside_the_lead_times_are_never_offered(
    boiler_service: IncidentType, make_technician: MakeTechnician
) -> None:
    make_technician()
    PortalSettings.objects.update_or_create(
        pk=1, defaults={"minimum_lead_days": 2, "maximum_lead_days": 3}
    )

    slots = available_slots(
        incident_type=boiler_service,
        location=CUSTOMER,
        time_zone=DENVER,
        first_day=NOW.date(),
        last_day=NOW.date() + timedelta(days=10),
        now=NOW,
    )

    days = {slot.start.astimezone(ZoneInfo(DENVER)).date() for slot in slots}
    assert days == {date(2026, 3, 4), date(2026, 3, 5)}


def test_bookable_days_count_from_today_in_the_visits_time_zone() -> None:
    PortalSettings.objects.update_or_create(
        pk=1, defaults={"minimum_lead_days": 1, "maximum_lead_days": 14}
    )
    # 02:00 UTC on Tuesday is still Monday evening in Denver.
    tuesday_night_utc = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)

    assert bookable_days(time_zone=DENVER, now=tuesday_night_utc) == (
        date(2026, 3, 3),
        date(2026, 3, 16),
    )
    assert bookable_days(time_zone="Europe/Paris", now=tuesday_night_utc) == (
        date(2026, 3, 4),
        date(2026, 3, 17),
    )


def test_slot_length_and_travel_radius_come_from_the_portal_settings(
    boiler_service: IncidentType, make_technician: MakeTechnician
) -> None:
    make_technician()  # home base about 5 km from the customer
    PortalSettings.objects.update_or_create(pk=1, defaults={"slot_length_minutes": 30})

    half_hours = wednesday_slots(boiler_service)
    PortalSettings.objects.filter(pk=1).update(maximum_travel_radius_km=3)
    out_of_reach = wednesday_slots(boiler_service)

    assert denver(9) + timedelta(minutes=30) in [slot.start for slot in half_hours]
    assert out_of_reach == []


def test_a_travel_estimator_can_be_passed_in(
    boiler_service: IncidentType, make_technician: MakeTechnician
) -> None:
    make_technician()

    slots = wednesday_slots(boiler_service, travel=ZeroTravel())

    assert hours(slots) == list(range(8, 17))


def test_technicians_for_loads_just_the_technician_asked_for(
    boiler_service: IncidentType, make_technician: MakeTechnician
) -> None:
    first = make_technician()
    second = make_technician()
    booking = BookingFactory(resource=second, start=denver(10), end=denver(11))
    BookingFactory(
        resource=second, start=denver(10, date(2026, 4, 1)), end=denver(11, date(2026, 4, 1))
    )
    request = slot_request_for(
        incident_type=boiler_service,
        location=CUSTOMER,
        time_zone=DENVER,
        first_day=WEDNESDAY,
        last_day=WEDNESDAY,
        now=NOW,
    )

    (loaded,) = technicians_for(request=request, technician_ids=[second.pk])

    assert loaded.id == second.pk
    assert loaded.time_zone == DENVER
    assert loaded.skills == {boiler_service.skill_requirements.get().skill_id: 3}
    assert [stop.booking_id for stop in loaded.bookings] == [booking.pk]
    assert set(loaded.working_hours) == {0, 1, 2, 3, 4}
    assert technicians_for(request=request, technician_ids=[first.pk])[0].bookings == ()


def test_every_offered_slot_passes_the_recheck_on_freshly_loaded_data(
    boiler_service: IncidentType, make_technician: MakeTechnician
) -> None:
    for index in range(3):
        technician = make_technician(home_latitude=Decimal(f"39.{70 + index * 5}0000"))
        BookingFactory(resource=technician, start=denver(10 + index), end=denver(11 + index))
    request = slot_request_for(
        incident_type=boiler_service,
        location=CUSTOMER,
        time_zone=DENVER,
        first_day=WEDNESDAY,
        last_day=WEDNESDAY,
        now=NOW,
    )
    for slot in wednesday_slots(boiler_service):
        (fresh,) = technicians_for(request=request, technician_ids=[slot.technician_id])
        assert slot_is_free(request, fresh, slot.start, default_estimator(DENVER))


def make_busy_technicians(count: int, make_technician: MakeTechnician) -> None:
    for _ in range(count):
        technician = make_technician()
        for day in range(3):
            start = denver(9 + day, WEDNESDAY + timedelta(days=day - 1))
            BookingFactory(resource=technician, start=start, end=start + timedelta(hours=1))
        TimeOffFactory(resource=technician, start=denver(16), end=denver(17))


def test_the_number_of_queries_does_not_grow_with_technicians_or_bookings(
    boiler_service: IncidentType,
    make_technician: MakeTechnician,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    PortalSettings.load()
    make_busy_technicians(2, make_technician)
    with django_assert_num_queries(7):
        few = wednesday_slots(boiler_service)

    make_busy_technicians(18, make_technician)
    with django_assert_num_queries(7):
        many = wednesday_slots(boiler_service)

    assert few
    assert many
    assert Booking.objects.count() == 60
    assert Resource.objects.count() == 20


def test_no_technician_with_the_skill_means_no_slots_and_few_queries(
    boiler_service: IncidentType,
    make_technician: MakeTechnician,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    PortalSettings.load()
    make_technician(proficiency=1)

    with django_assert_max_num_queries(3):
        assert wednesday_slots(boiler_service) == []
