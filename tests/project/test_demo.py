"""`doorstep demo`: the demo company, its bookings and sign-ins, and loading it twice."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Max, Min, Prefetch
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from doorstep.catalog.models import IncidentType
from doorstep.configuration.models import PortalSettings
from doorstep.core import events
from doorstep.customers.models import Account, Asset, Contact, FunctionalLocation
from doorstep.history.models import Document, DocumentType, Photo, VisitRecord
from doorstep.history.photos import process_photo
from doorstep.plans.selectors import account_plans
from doorstep.project.demo import DEMO_PASSWORD, DemoSummary, data, load_demo
from doorstep.project.demo import history as demo_history
from doorstep.project.demo.accounts import plan_accounts
from doorstep.project.demo.geography import DENVER, grid_address
from doorstep.project.demo.visits import plan_visits
from doorstep.scheduling import services
from doorstep.scheduling.models import (
    OPEN_STATUSES,
    Booking,
    BookingStatus,
    BookingStatusChange,
    TimelineNote,
    WorkOrder,
)
from doorstep.users.models import User
from doorstep.workforce.models import Resource, TimeOff, WorkingHours

ALL_STATUSES = set(BookingStatus.values)
# In Denver, west of the plains: the city's rough box.
LATITUDES = (Decimal("39.62"), Decimal("39.80"))
LONGITUDES = (Decimal("-105.08"), Decimal("-104.87"))
# A Sunday on which clocks go forward in Denver: the hardest day for a diary.
DST_SUNDAY = date(2026, 3, 8)


def today_in_denver() -> date:
    return datetime.now(DENVER).date()


def local_day(moment: datetime) -> date:
    return moment.astimezone(DENVER).date()


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoSummary]:
    """The demo, loaded once for a class of read-only tests and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(today=today_in_denver(), stdout=io.StringIO())
        transaction.set_rollback(True)


def snapshot() -> dict[str, object]:
    """Everything a second load could change: row counts, last updates, bookings, sign-ins."""
    state: dict[str, object] = {}
    for model in apps.get_models():
        state[f"{model._meta.label} rows"] = model._default_manager.count()
        if any(f.name == "updated_at" for f in model._meta.fields):
            state[f"{model._meta.label} updated"] = model._default_manager.aggregate(
                last=Max("updated_at")
            )["last"]
    state["bookings"] = list(
        Booking.objects.order_by("reference").values_list(
            "reference", "start", "end", "status", "resource_id", "work_order__external_id"
        )
    )
    state["time off"] = list(TimeOff.objects.order_by("pk").values_list("start", "end"))
    state["users"] = list(User.objects.order_by("email").values_list("email", "password"))
    state["links"] = list(Contact.objects.exclude(user=None).values_list("pk", "user_id")) + list(
        Resource.objects.exclude(user=None).values_list("pk", "user_id")
    )
    return state


def customer_bookings() -> list[Booking]:
    return list(Booking.objects.filter(work_order__account__contacts__email=data.CUSTOMER_EMAIL))


def technician_visits_on(day: date) -> list[Booking]:
    technician = Resource.objects.get(user__email=data.TECHNICIAN_EMAIL)
    return [b for b in technician.bookings.all() if local_day(b.start) == day]


def bookings_with_history() -> list[Booking]:
    """Every booking, its status changes in the order a person reads them: by time."""
    history = BookingStatusChange.objects.order_by("changed_at")
    return list(Booking.objects.prefetch_related(Prefetch("status_changes", queryset=history)))


def assert_history_reads_in_order(booking: Booking) -> None:
    changes = list(booking.status_changes.all())
    assert changes[0].from_status == ""
    assert changes[0].to_status == BookingStatus.SCHEDULED
    for before, after in pairwise(changes):
        assert before.changed_at < after.changed_at, booking.reference
        assert after.from_status == before.to_status, booking.reference
    assert changes[-1].to_status == booking.status
    assert changes[-1].changed_at <= timezone.now()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestLoadedDemo:
    def test_company_settings_are_set(self) -> None:
        settings = PortalSettings.load()
        assert settings.company_name == "Mile High Home Services"
        assert settings.contact_email
        assert settings.contact_phone.startswith("+1 303 555 01")
        assert settings.page_footer
        assert settings.foreground_color == data.COMPANY_SETTINGS["foreground_color"]

    def test_summary_counts_meet_the_minimums(self, demo: DemoSummary) -> None:
        assert demo.technicians >= 16
        assert demo.service_types >= 8
        assert demo.accounts >= 50
        assert demo.bookings >= 300
        assert demo.bookings_created == demo.bookings
        assert demo.bookings == Booking.objects.count()

    def test_technicians_differ_in_skills_hours_and_home(self) -> None:
        technicians = list(Resource.objects.prefetch_related("skill_levels", "working_hours"))
        active = [t for t in technicians if t.active]
        assert len(active) >= 15
        assert len(technicians) - len(active) == 1
        assert (
            len(
                {
                    frozenset((s.skill_id, s.proficiency) for s in t.skill_levels.all())
                    for t in technicians
                }
            )
            >= 12
        )
        assert len({t.home_base for t in technicians}) == len(technicians)
        days_worked = {t.pk: {h.weekday for h in t.working_hours.all()} for t in technicians}
        assert any(5 in days for days in days_worked.values()), "someone works on Saturday"
        assert any(len(days) < 5 for days in days_worked.values()), "someone works part-time"
        split = [
            t
            for t in technicians
            if any(n > 1 for n in Counter(h.weekday for h in t.working_hours.all()).values())
        ]
        assert split, "someone has a split day"
        assert all(t.time_zone == "America/Denver" for t in technicians)

    def test_some_technicians_have_time_off_in_the_coming_weeks(self) -> None:
        today = today_in_denver()
        coming = TimeOff.objects.filter(
            start__date__gte=today, start__date__lte=today + timedelta(days=21)
        )
        assert coming.values("resource").distinct().count() >= 2

    def test_service_types_need_skills_and_most_are_bookable(self) -> None:
        types = list(IncidentType.objects.prefetch_related("skill_requirements"))
        assert len(types) >= 8
        assert all(t.skill_requirements.exists() for t in types)
        assert all(t.display_name and t.description for t in types)
        disabled = [t for t in types if not t.portal_enabled]
        assert 1 <= len(disabled) <= 2
        assert len({t.estimated_duration_minutes for t in types}) >= 4

    def test_accounts_have_contacts_places_and_equipment(self) -> None:
        accounts = list(Account.objects.prefetch_related("contacts", "functional_locations"))
        assert len(accounts) >= 50
        for account in accounts:
            contacts = list(account.contacts.all())
            assert 1 <= len(contacts) <= 3
            assert account.primary_contact in contacts
            assert account.time_zone == "America/Denver"
        with_locations = [a for a in accounts if a.functional_locations.count() >= 2]
        assert len(with_locations) >= 3
        assets = Asset.objects.all()
        assert assets.count() >= 100
        assert not assets.filter(serial_number="").exists()
        assert assets.exclude(functional_location=None).count() >= 10

    def test_places_are_inside_denver(self) -> None:
        places = [
            *Account.objects.all(),
            *FunctionalLocation.objects.all(),
            *WorkOrder.objects.all(),
        ]
        for place in places:
            assert LATITUDES[0] <= place.latitude <= LATITUDES[1], place.address_line1
            assert LONGITUDES[0] <= place.longitude <= LONGITUDES[1], place.address_line1
            assert place.city == "Denver"
            assert place.country == "US"
            assert place.postal_code.startswith("802")

    def test_phone_numbers_are_fictional(self) -> None:
        phones = [c.phone.as_e164 for c in Contact.objects.exclude(phone="")]
        phones += [r.phone.as_e164 for r in Resource.objects.all()]
        assert phones
        assert all(p[:10] in {"+130355501", "+172055501"} for p in phones), phones
        assert len(set(phones)) == len(phones)

    def test_rows_pass_model_validation(self) -> None:
        for model in (
            Account,
            Contact,
            FunctionalLocation,
            Asset,
            Resource,
            WorkingHours,
            TimeOff,
            IncidentType,
            WorkOrder,
            PortalSettings,
        ):
            for row in model._default_manager.all():
                row.full_clean()

    def test_bookings_cover_every_status_over_six_weeks(self) -> None:
        today = today_in_denver()
        by_day: dict[str, set[str]] = defaultdict(set)
        for booking in Booking.objects.all():
            day = local_day(booking.start)
            assert abs((day - today).days) <= 21
            when = "past" if day < today else "today" if day == today else "future"
            by_day[when].add(booking.status)
        assert by_day["past"] == {BookingStatus.COMPLETED, BookingStatus.CANCELED}
        assert by_day["future"] == {BookingStatus.SCHEDULED, BookingStatus.CANCELED}
        assert {
            BookingStatus.COMPLETED,
            BookingStatus.IN_PROGRESS,
            BookingStatus.TRAVELING,
            BookingStatus.SCHEDULED,
        } <= by_day["today"]
        starts = [local_day(b.start) for b in Booking.objects.all()]
        assert min(starts) <= today - timedelta(days=14)
        assert max(starts) >= today + timedelta(days=14)

    def test_bookings_went_through_the_status_machine(self) -> None:
        for booking in bookings_with_history():
            assert_history_reads_in_order(booking)
            if booking.status == BookingStatus.CANCELED:
                assert booking.cancel_reason
            if booking.status == BookingStatus.COMPLETED:
                assert booking.completed_at is not None
        assert not WorkOrder.objects.filter(number=None).exists()
        assert not WorkOrder.objects.exclude(external_id__startswith="DEMO-").exists()

    def test_history_of_a_past_visit_reads_scheduled_traveling_in_progress_completed(
        self,
    ) -> None:
        today = today_in_denver()
        past = [
            b
            for b in bookings_with_history()
            if b.status == BookingStatus.COMPLETED and local_day(b.start) < today
        ]
        assert len(past) >= 100
        for booking in past:
            changes = list(booking.status_changes.all())
            assert [c.to_status for c in changes] == [
                BookingStatus.SCHEDULED,
                BookingStatus.TRAVELING,
                BookingStatus.IN_PROGRESS,
                BookingStatus.COMPLETED,
            ], booking.reference
            # Booked before the technician set out, and completed when the last change says.
            assert changes[0].changed_at < changes[1].changed_at < booking.start
            assert booking.completed_at == changes[-1].changed_at

    def test_bookings_of_one_technician_never_overlap(self) -> None:
        by_technician: dict[int, list[Booking]] = defaultdict(list)
        for booking in Booking.objects.filter(status__in=OPEN_STATUSES).order_by("start"):
            by_technician[booking.resource_id].append(booking)
        for bookings in by_technician.values():
            for before, after in pairwise(bookings):
                assert before.end <= after.start, (before.reference, after.reference)

    def test_bookings_lie_within_working_hours_and_outside_time_off(self) -> None:
        hours: dict[tuple[int, int], list[WorkingHours]] = defaultdict(list)
        for row in WorkingHours.objects.all():
            hours[row.resource_id, row.weekday].append(row)
        time_off = list(TimeOff.objects.all())
        for booking in Booking.objects.all():
            start = booking.start.astimezone(DENVER)
            end = booking.end.astimezone(DENVER)
            assert start.date() == end.date()
            assert any(
                h.start_time <= start.time() and end.time() <= h.end_time
                for h in hours[booking.resource_id, start.weekday()]
            ), booking.reference
            assert not any(
                t.resource_id == booking.resource_id
                and t.start < booking.end
                and booking.start < t.end
                for t in time_off
            ), booking.reference

    def test_technicians_are_qualified_for_their_visits(self) -> None:
        levels = {
            (s.resource_id, s.skill_id): s.proficiency
            for r in Resource.objects.prefetch_related("skill_levels")
            for s in r.skill_levels.all()
        }
        bookings = Booking.objects.select_related("work_order__incident_type").prefetch_related(
            "work_order__incident_type__skill_requirements"
        )
        for booking in bookings:
            for need in booking.work_order.incident_type.skill_requirements.all():
                have = levels.get((booking.resource_id, need.skill_id), 0)
                assert have >= need.minimum_proficiency, booking.reference

    def test_timeline_has_notes_for_the_customer_and_for_the_office(self) -> None:
        assert TimelineNote.objects.filter(customer_visible=True).count() >= 20
        assert TimelineNote.objects.filter(customer_visible=False).count() >= 20

    def test_notes_on_past_visits_were_written_in_the_past(self) -> None:
        start_of_today = datetime.combine(today_in_denver(), time(), tzinfo=DENVER)
        past = WorkOrder.objects.alias(last_visit=Max("bookings__start")).filter(
            last_visit__lt=start_of_today
        )
        notes = list(TimelineNote.objects.filter(work_order__in=past))
        assert len(notes) >= 100
        assert all(n.created_at < start_of_today for n in notes)
        assert TimelineNote.objects.aggregate(last=Max("created_at"))["last"] <= timezone.now()

    def test_work_orders_were_opened_before_their_first_booking(self) -> None:
        work_orders = WorkOrder.objects.alias(
            first_booked=Min("bookings__status_changes__changed_at")
        ).filter(created_at__gt=F("first_booked"))
        assert not work_orders.exists()
        assert WorkOrder.objects.filter(created_at__lt=timezone.now() - timedelta(days=7)).exists()

    @pytest.mark.parametrize(
        "email", [data.ADMIN_EMAIL, data.CUSTOMER_EMAIL, data.TECHNICIAN_EMAIL]
    )
    def test_sign_in_works_with_the_demo_password(self, email: str) -> None:
        user = authenticate(email=email, password=DEMO_PASSWORD)
        assert user is not None
        assert user.email == email

    def test_every_sign_in_has_its_address_confirmed_so_two_factor_can_be_added(self) -> None:
        from allauth.account.models import EmailAddress
        from allauth.mfa.internal.flows.add import validate_can_add_authenticator

        for email in (data.ADMIN_EMAIL, data.CUSTOMER_EMAIL, data.TECHNICIAN_EMAIL):
            user = User.objects.get(email=email)
            assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
            validate_can_add_authenticator(user)  # raises while an address is unconfirmed

    def test_office_sign_in_is_staff_and_the_others_are_not(self) -> None:
        assert User.objects.get(email=data.ADMIN_EMAIL).is_superuser
        assert User.objects.get(email=data.ADMIN_EMAIL).is_staff
        assert not User.objects.filter(is_staff=True).exclude(email=data.ADMIN_EMAIL).exists()

    def test_customer_sign_in_has_bookings_in_every_status(self) -> None:
        contact = Contact.objects.get(user__email=data.CUSTOMER_EMAIL)
        assert contact.email == data.CUSTOMER_EMAIL
        assert contact.account.primary_contact == contact
        assert {b.status for b in customer_bookings()} == ALL_STATUSES

    def test_the_customers_past_visits_have_their_history(self) -> None:
        completed = [b for b in customer_bookings() if b.status == BookingStatus.COMPLETED]
        assert completed
        for booking in completed:
            record = VisitRecord.objects.get(booking=booking)
            contact = booking.work_order.reported_by
            assert record.work_done
            assert record.signature.name
            assert contact is not None
            assert record.signer_name == f"{contact.first_name} {contact.last_name}".strip()
            tags = sorted(Photo.objects.filter(booking=booking).values_list("tag", flat=True))
            assert tags == ["after", "before"]
            invoice = Document.objects.get(booking=booking, type=DocumentType.INVOICE)
            assert invoice.for_the_customer
        # Each visit's report is the worker's to draw, once these rows are committed.
        asked = DBTaskResult.objects.filter(task_path__endswith="make_service_report")
        assert {result.args_kwargs["args"][0] for result in asked} >= {b.pk for b in completed}

    def test_the_demos_photos_say_nothing_of_where_they_were_taken(self) -> None:
        shot = demo_history._camera_photo(clean=False, seed=1)
        with Image.open(io.BytesIO(shot)) as taken:
            assert taken.getexif().get_ifd(0x8825)  # the phone's GPS, as a phone sends it
        processed = process_photo(
            io.BytesIO(shot), size=len(shot), max_bytes=10**8, max_pixels=2560, thumbnail_pixels=400
        )
        with Image.open(io.BytesIO(processed.image)) as stored:
            assert dict(stored.getexif()) == {}
            # Stored sideways (portrait) by the phone; turned upright from its EXIF.
            assert stored.size == demo_history.PHOTO_SIZE

    def test_the_customers_plans_show_a_booked_a_due_and_a_paused_one(self) -> None:
        contact = Contact.objects.get(user__email=data.CUSTOMER_EMAIL)
        views = account_plans(account_id=contact.account_id, today=today_in_denver())
        for view in views:
            view.plan.full_clean()
        by_key = {view.plan.external_id.rsplit("-", 1)[-1]: view for view in views}
        assert sorted(by_key) == ["booked", "due", "paused"]
        booked, due, paused = by_key["booked"], by_key["due"], by_key["paused"]
        assert booked.booked is not None
        assert booked.next_due == local_day(booked.booked.booking.start)
        assert due.next_due is not None
        assert due.booked is None
        assert due.last_done is not None
        assert paused.paused
        assert all(view.plan.customer_note for view in views)

    def test_technician_sign_in_has_visits_today(self) -> None:
        visits = technician_visits_on(today_in_denver())
        assert len(visits) >= 3
        assert {v.status for v in visits} >= {BookingStatus.TRAVELING, BookingStatus.SCHEDULED}

    def test_loading_again_changes_nothing(self) -> None:
        before = snapshot()
        summary = load_demo(today=today_in_denver(), stdout=io.StringIO())
        assert snapshot() == before
        assert summary.bookings_created == 0
        assert not any(s.created for s in summary.sign_ins)

    def test_loading_again_on_a_later_day_changes_nothing(self) -> None:
        before = snapshot()
        out = io.StringIO()
        load_demo(today=today_in_denver() + timedelta(days=9), stdout=out)
        assert snapshot() == before
        assert "nothing added" in out.getvalue()


@pytest.mark.django_db
def test_command_loads_the_demo_and_prints_the_sign_ins() -> None:
    out = io.StringIO()
    call_command("demo", "--today", DST_SUNDAY.isoformat(), stdout=out)
    printed = out.getvalue()
    for email in (data.ADMIN_EMAIL, data.CUSTOMER_EMAIL, data.TECHNICIAN_EMAIL):
        assert email in printed
    assert DEMO_PASSWORD in printed
    assert "Technicians… 18" in printed
    assert "Bookings…" in printed
    # Even on a Sunday when the clocks change, the technician sign-in has a day's work.
    assert len(technician_visits_on(DST_SUNDAY)) >= 3
    assert {b.status for b in customer_bookings()} == ALL_STATUSES


@pytest.mark.django_db
def test_a_plan_for_a_later_day_is_never_recorded_after_the_real_clock() -> None:
    later = today_in_denver() + timedelta(days=30)
    load_demo(today=later)
    for booking in bookings_with_history():
        assert_history_reads_in_order(booking)
    assert TimelineNote.objects.aggregate(last=Max("created_at"))["last"] <= timezone.now()


@pytest.mark.django_db(transaction=True)  # subscribers hear of a change once it is committed
def test_loading_tells_nobody_of_the_bookings() -> None:
    heard: list[events.Event] = []

    def hear(event: events.Event) -> None:
        heard.append(event)

    names = ("booking.created", "booking.status_changed")
    for name in names:
        events.subscribe(name, hear)
    try:
        load_demo(today=DST_SUNDAY)
        assert heard == []
        # Whereas a change after the load is heard: the subscription works.
        on_the_way = Booking.objects.filter(status=BookingStatus.TRAVELING).values("resource")
        booking = (
            Booking.objects.filter(status=BookingStatus.SCHEDULED)
            .exclude(resource__in=on_the_way)
            .first()
        )
        assert booking is not None
        services.set_status(booking=booking, status=BookingStatus.TRAVELING)
        assert [e.name for e in heard] == ["booking.status_changed"]
    finally:
        for name in names:
            events.unsubscribe(name, hear)


@pytest.mark.django_db
def test_portal_settings_that_staff_branded_are_left_alone() -> None:
    settings = PortalSettings.load()
    settings.company_name = "Acme Plumbing"
    settings.save()
    load_demo(today=DST_SUNDAY)
    settings.refresh_from_db()
    assert settings.company_name == "Acme Plumbing"
    assert settings.foreground_color != data.COMPANY_SETTINGS["foreground_color"]


@pytest.mark.django_db
def test_a_failure_half_way_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    create_booking = services.create_booking

    def failing_create_booking(**kwargs: Any) -> Booking:
        nonlocal calls
        calls += 1
        if calls == 50:
            raise RuntimeError("disk full")
        return create_booking(**kwargs)

    monkeypatch.setattr(services, "create_booking", failing_create_booking)
    with pytest.raises(RuntimeError, match="disk full"):
        load_demo(today=DST_SUNDAY)
    assert not Account.objects.exists()
    assert not Resource.objects.exists()
    assert not Booking.objects.exists()
    assert not User.objects.exists()
    assert not BookingStatusChange.objects.exists()


@pytest.mark.parametrize("offset", range(7))
def test_plan_gives_both_sign_ins_their_story_whatever_the_weekday(offset: int) -> None:
    today = DST_SUNDAY + timedelta(days=offset)
    accounts = plan_accounts()
    visits = plan_visits(today=today, accounts=accounts)
    customer = accounts[0].name
    assert {v.status for v in visits if v.account == customer} == ALL_STATUSES
    own = [v for v in visits if v.technician == data.TECHNICIAN_EMAIL and v.start.date() == today]
    assert len(own) >= 3


@pytest.mark.parametrize("offset", range(7))
def test_planned_times_follow_one_another_whatever_the_weekday(offset: int) -> None:
    today = DST_SUNDAY + timedelta(days=offset)
    for visit in plan_visits(today=today, accounts=plan_accounts()):
        times = [visit.booked_at, *(move.at for move in visit.moves)]
        assert all(before < after for before, after in pairwise(times)), visit
        assert visit.booked_at < visit.start
        assert all(note.at > visit.booked_at for note in visit.notes), visit


def test_plan_is_the_same_for_the_same_day() -> None:
    assert plan_accounts() == plan_accounts()
    assert plan_visits(today=DST_SUNDAY, accounts=plan_accounts()) == plan_visits(
        today=DST_SUNDAY, accounts=plan_accounts()
    )


def test_planned_visits_of_a_technician_leave_time_to_travel() -> None:
    visits = plan_visits(today=DST_SUNDAY, accounts=plan_accounts())
    by_technician: dict[str, list[Any]] = defaultdict(list)
    for visit in visits:
        by_technician[visit.technician].append(visit)
    for planned in by_technician.values():
        planned.sort(key=lambda v: v.start)
        for before, after in pairwise(planned):
            assert after.start - before.end >= timedelta(minutes=30)


def test_street_address_agrees_with_its_place_on_the_map() -> None:
    streets = {s.name: s for s in data.STREETS}
    # North-east of downtown: 24 blocks east of Broadway, 17 north of Ellsworth.
    east_17th = grid_address(streets["17th Ave"], 2450)
    assert east_17th.line1 == "2450 E 17th Ave"
    assert Decimal("39.735") < east_17th.latitude < Decimal("39.75")
    assert Decimal("-104.965") < east_17th.longitude < Decimal("-104.95")
    # South-west: on Federal Blvd, 3000 west, 1100 south (about Mississippi Ave).
    federal = grid_address(streets["Federal Blvd"], -1110)
    assert federal.line1 == "1110 S Federal Blvd"
    assert federal.latitude < Decimal("39.7165")
    assert federal.longitude < Decimal("-105.02")
    # Evans Ave is 2100 south: its latitude is about 39.678.
    evans = grid_address(streets["Evans Ave"], 3140)
    assert evans.line1 == "3140 E Evans Ave"
    assert abs(evans.latitude - Decimal("39.678")) < Decimal("0.003")


@pytest.mark.django_db
def test_the_command_refuses_a_database_with_real_sign_ins_unless_forced() -> None:
    from django.core.management.base import CommandError

    from doorstep.users.models import User

    User.objects.create_user("owner@company.example", "their own password 123")

    with pytest.raises(CommandError, match="already has sign-ins of its own"):
        call_command("demo", verbosity=0)
    assert not Booking.objects.exists()

    call_command("demo", "--force", verbosity=0)
    assert Booking.objects.exists()


@pytest.mark.django_db
def test_the_command_runs_again_on_a_demo_that_gained_sign_ins() -> None:
    from doorstep.users.models import User

    call_command("demo", verbosity=0)
    User.objects.create_user("invited@example.test", "their own password 123")

    call_command("demo", verbosity=0)  # as `make run` does on every start
