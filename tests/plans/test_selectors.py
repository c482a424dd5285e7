"""A plan's next due date, the visit booked for it and the last one done, as the portal
shows them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doorstep.plans.models import PlanStatus, ServicePlan
from doorstep.plans.selectors import account_plans
from doorstep.scheduling.models import BookingStatus
from tests.factories import (
    AccountFactory,
    AssetFactory,
    BookingFactory,
    ServicePlanFactory,
    WorkOrderFactory,
)

pytestmark = pytest.mark.django_db
TODAY = date(2027, 3, 10)
DENVER = ZoneInfo("America/Denver")


def quarterly(**fields: object) -> ServicePlan:
    account = AccountFactory(time_zone="America/Denver")
    defaults: dict[str, object] = {
        "account": account,
        "every": 3,
        "unit": "months",
        "starts_on": date(2027, 1, 1),
    }
    return ServicePlanFactory(**(defaults | fields))


def visit_on(plan: ServicePlan, day: date, status: str, **order: object) -> None:
    start = datetime(day.year, day.month, day.day, 9, tzinfo=DENVER)
    BookingFactory(
        work_order=WorkOrderFactory(account=plan.account, incident_type=plan.service_type, **order),
        status=status,
        start=start,
        end=start + timedelta(hours=1),
        completed_at=start + timedelta(hours=1) if status == BookingStatus.COMPLETED else None,
    )


def only_view(plan: ServicePlan, today: date = TODAY):  # type: ignore[no-untyped-def]
    (view,) = account_plans(account_id=plan.account_id, today=today)
    return view


def test_the_next_due_date_and_the_two_after_it() -> None:
    plan = quarterly()
    visit_on(plan, date(2027, 1, 4), BookingStatus.COMPLETED)
    view = only_view(plan)
    assert view.next_due == date(2027, 4, 1)
    assert view.later == [date(2027, 7, 1), date(2027, 10, 1)]
    assert view.booked is None
    assert view.last_done is not None
    assert view.last_done.start.date() == date(2027, 1, 4)


def test_a_visit_done_early_serves_its_date() -> None:
    plan = quarterly()
    visit_on(plan, date(2027, 3, 8), BookingStatus.COMPLETED)  # for the 1 April date
    assert only_view(plan).next_due == date(2027, 7, 1)


def test_a_date_that_passed_without_a_visit_is_still_owed() -> None:
    plan = quarterly(starts_on=date(2027, 3, 1))
    assert only_view(plan).next_due == date(2027, 3, 1)


def test_the_visit_booked_for_the_due_date() -> None:
    plan = quarterly()
    visit_on(plan, date(2027, 4, 6), BookingStatus.SCHEDULED)
    view = only_view(plan)
    assert view.next_due == date(2027, 4, 1)
    assert view.booked is not None
    assert view.booked.start.date() == date(2027, 4, 6)


def test_canceled_visits_and_other_services_count_for_nothing() -> None:
    plan = quarterly()
    visit_on(plan, date(2027, 3, 30), BookingStatus.CANCELED)
    other = WorkOrderFactory(account=plan.account)
    BookingFactory(work_order=other, start=datetime(2027, 3, 30, 9, tzinfo=DENVER))
    view = only_view(plan)
    assert (view.next_due, view.booked) == (date(2027, 4, 1), None)


def test_a_plan_for_one_piece_of_equipment_counts_only_its_visits() -> None:
    plan = quarterly()
    plan.asset = AssetFactory(account=plan.account)
    plan.save()
    visit_on(plan, date(2027, 4, 2), BookingStatus.SCHEDULED)  # no equipment named
    assert only_view(plan).booked is None
    visit_on(plan, date(2027, 4, 3), BookingStatus.SCHEDULED, asset=plan.asset)
    assert only_view(plan).booked is not None


def test_paused_and_ended_plans_owe_nothing_and_come_last() -> None:
    plan = quarterly(name="B running")
    ServicePlanFactory(account=plan.account, name="A paused", status=PlanStatus.PAUSED)
    ServicePlanFactory(
        account=plan.account,
        name="0 over",
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 1, 1),
    )
    views = account_plans(account_id=plan.account_id, today=TODAY)
    assert [(v.plan.name, v.next_due, v.paused, v.ended) for v in views] == [
        ("B running", date(2027, 4, 1), False, False),
        ("A paused", None, True, False),
        ("0 over", None, False, True),
    ]


def test_two_queries_however_many_plans_and_visits() -> None:
    plan = quarterly()
    for n in range(5):
        ServicePlanFactory(account=plan.account, name=f"Plan {n}")
        visit_on(plan, date(2027, 1, 2 + n), BookingStatus.COMPLETED)
    with CaptureQueriesContext(connection) as queries:
        views = account_plans(account_id=plan.account_id, today=TODAY)
        [view.last_done.address for view in views if view.last_done]
    assert len(views) == 6
    assert len(queries) == 2


def test_another_accounts_plans_are_not_shown() -> None:
    plan = quarterly()
    ServicePlanFactory()
    assert [v.plan for v in account_plans(account_id=plan.account_id, today=TODAY)] == [plan]


def test_a_late_visit_serves_the_date_it_is_nearest() -> None:
    # Two weeks after the 15 February date, two weeks before 15 March: the earlier one.
    plan = quarterly(every=1, starts_on=date(2027, 1, 15))
    visit_on(plan, date(2027, 1, 15), BookingStatus.COMPLETED)
    visit_on(plan, date(2027, 3, 1), BookingStatus.COMPLETED)
    assert only_view(plan, today=date(2027, 3, 2)).next_due == date(2027, 3, 15)


def test_a_visit_a_few_days_late_in_a_weekly_plan_serves_its_date() -> None:
    plan = quarterly(every=1, unit="weeks", starts_on=date(2027, 1, 4))
    visit_on(plan, date(2027, 1, 4), BookingStatus.COMPLETED)
    visit_on(plan, date(2027, 1, 14), BookingStatus.COMPLETED)  # for 11 January
    assert only_view(plan, today=date(2027, 1, 14)).next_due == date(2027, 1, 18)


def test_a_missed_date_is_shown_until_the_next_one_is_nearer() -> None:
    plan = quarterly(every=1, starts_on=date(2027, 1, 15))
    assert only_view(plan, today=date(2027, 1, 30)).next_due == date(2027, 1, 15)
    assert only_view(plan, today=date(2027, 2, 1)).next_due == date(2027, 2, 15)


def test_a_paused_plan_past_its_last_day_has_ended() -> None:
    plan = quarterly(status=PlanStatus.PAUSED, ends_on=date(2027, 2, 1))
    view = only_view(plan)
    assert (view.ended, view.paused, view.running) == (True, False, False)


def test_a_plan_whose_last_date_is_served_has_ended() -> None:
    plan = quarterly(ends_on=date(2027, 1, 2))
    visit_on(plan, date(2027, 1, 3), BookingStatus.COMPLETED)
    assert only_view(plan, today=date(2027, 1, 10)).ended


def test_dates_at_the_end_of_the_calendar_raise_nothing() -> None:
    plan = quarterly(every=60, starts_on=date(9999, 12, 1))
    visit_on(plan, date(9999, 12, 20), BookingStatus.SCHEDULED)
    view = only_view(plan, today=date(9999, 12, 2))
    assert view.next_due == date(9999, 12, 1)
    assert view.booked is not None
