"""When a plan's visits fall due."""

from __future__ import annotations

import itertools
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from doorstep.plans.schedule import Repeat, Unit


def test_monthly_dates_keep_the_first_day_and_fit_short_months() -> None:
    plan = Repeat(every=1, unit=Unit.MONTHS, starts_on=date(2027, 1, 31))
    assert plan.due_dates(on_or_after=date(2027, 1, 1), count=4) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]


def test_a_leap_day_plan_comes_back_on_the_28th_in_other_years() -> None:
    plan = Repeat(every=12, unit=Unit.MONTHS, starts_on=date(2028, 2, 29))
    assert plan.due_dates(on_or_after=date(2028, 3, 1), count=2) == [
        date(2029, 2, 28),
        date(2030, 2, 28),
    ]


def test_weekly_dates_and_the_last_day() -> None:
    plan = Repeat(every=2, unit=Unit.WEEKS, starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 29))
    assert plan.due_dates(on_or_after=date(2027, 3, 2), count=10) == [
        date(2027, 3, 15),
        date(2027, 3, 29),
    ]


def test_no_dates_after_the_year_9999() -> None:
    plan = Repeat(every=60, unit=Unit.MONTHS, starts_on=date(9990, 6, 1))
    assert plan.due_dates(on_or_after=date(9990, 6, 2), count=5) == [date(9995, 6, 1)]


@given(
    every=st.integers(1, 260),
    unit=st.sampled_from(Unit),
    starts_on=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    ends_after=st.none() | st.integers(0, 20000),
    after=st.dates(date(1990, 1, 1), date(2200, 1, 1)),
    count=st.integers(0, 8),
)
def test_due_dates_are_the_plans_own_in_order_and_none_is_skipped(  # noqa: PLR0917
    every: int,
    unit: Unit,
    starts_on: date,
    ends_after: int | None,
    after: date,
    count: int,
) -> None:
    ends_on = None if ends_after is None else date.fromordinal(starts_on.toordinal() + ends_after)
    plan = Repeat(every=every, unit=unit, starts_on=starts_on, ends_on=ends_on)
    found = plan.due_dates(on_or_after=after, count=count)
    # Counted from the start, one by one: the same dates, none missed at the front.
    expected = []
    n = 0
    while len(expected) < count:
        due = plan.nth(n)
        if ends_on is not None and due > ends_on:
            break
        if due >= after:
            expected.append(due)
        n += 1
    assert found == expected


@given(
    every=st.integers(1, 260),
    unit=st.sampled_from(Unit),
    starts_on=st.dates(date(1, 1, 1), date(9999, 12, 31)),
    after=st.dates(date(1, 1, 1), date(9999, 12, 31)),
    count=st.integers(1, 6),
)
def test_periods_follow_one_another_and_hold_the_days_nearest_their_date(
    every: int, unit: Unit, starts_on: date, after: date, count: int
) -> None:
    plan = Repeat(every=every, unit=unit, starts_on=starts_on)
    periods = plan.periods(ending_after=after, count=count)
    for period in periods:
        assert period.starts <= period.due < period.ends or period.ends == date.max
        assert period.ends > after
    for earlier, later in itertools.pairwise(periods):
        assert earlier.ends == later.starts
        # The last day of the earlier period is at least as near its date; the first of
        # the later one is nearer its own.
        last = date.fromordinal(earlier.ends.toordinal() - 1)
        assert (last - earlier.due).days <= (later.due - last).days
        assert (later.due - later.starts).days < (later.starts - earlier.due).days
    if periods and periods[0].due != starts_on:
        # No period ending after `after` was left out before the first one.
        assert periods[0].starts <= after


def test_a_day_halfway_counts_for_the_earlier_date() -> None:
    plan = Repeat(every=1, unit=Unit.MONTHS, starts_on=date(2027, 1, 15))
    february, march = plan.periods(ending_after=date(2027, 2, 1), count=2)
    assert (february.due, february.ends) == (date(2027, 2, 15), date(2027, 3, 2))
    assert (march.due, march.starts) == (date(2027, 3, 15), date(2027, 3, 2))


def test_a_plan_that_does_not_repeat_is_refused() -> None:
    for every in (0, -1):
        try:
            Repeat(every=every, unit=Unit.WEEKS, starts_on=date(2027, 1, 1))
        except ValueError:
            continue
        raise AssertionError(f"every={every} was taken")


def test_a_unit_given_as_text_counts_as_itself() -> None:
    plan = Repeat(every=2, unit="weeks", starts_on=date(2027, 1, 1))  # type: ignore[arg-type]
    assert plan.due_dates(on_or_after=date(2027, 1, 2), count=1) == [date(2027, 1, 15)]
