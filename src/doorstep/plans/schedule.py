"""When a service plan's visits fall due: plain dates in, plain dates out.

A plan repeats every N weeks or N months from its first date. Each due date is counted
from the first one, not from the one before, so a plan that starts on 31 January is due
on 28 (or 29) February and again on 31 March, never drifting to the 28th for good.

Each due date has a period: the days nearer to it than to the dates either side (a day
halfway goes to the earlier date). The periods follow one another without a gap or an
overlap, so every visit belongs to exactly one due date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Unit(StrEnum):
    WEEKS = "weeks"
    MONTHS = "months"


@dataclass(frozen=True, slots=True)
class Period:
    due: date
    starts: date  # the first day that counts for `due`
    ends: date  # the first day that no longer does


@dataclass(frozen=True, slots=True)
class Repeat:
    every: int
    unit: Unit
    starts_on: date
    ends_on: date | None = None

    def __post_init__(self) -> None:
        if self.every < 1:
            raise ValueError("A plan repeats every 1 week or month at least.")
        if self.unit not in {Unit.WEEKS, Unit.MONTHS}:
            raise ValueError(f"Not a unit of a plan: {self.unit!r}")

    def nth(self, n: int) -> date:
        """The n-th due date (0 is the first date itself); raises OverflowError or
        ValueError outside the calendar (before year 1, after 9999)."""
        if self.unit == Unit.WEEKS:
            return self.starts_on + timedelta(weeks=self.every * n)
        months = self.starts_on.month - 1 + self.every * n
        year = self.starts_on.year + months // 12
        month = months % 12 + 1
        return date(year, month, min(self.starts_on.day, calendar.monthrange(year, month)[1]))

    def period_days(self) -> int:
        """About how many days lie between two due dates."""
        return 7 * self.every if self.unit == Unit.WEEKS else round(30.44 * self.every)

    def due_dates(self, *, on_or_after: date, count: int) -> list[date]:
        """The next `count` due dates from `on_or_after` on, up to the last day of the plan."""
        found: list[date] = []
        n = max(0, self._index_before(on_or_after))
        while len(found) < count and (due := self._nth_or_none(n)) is not None:
            if self.ends_on is not None and due > self.ends_on:
                break
            if due >= on_or_after:
                found.append(due)
            n += 1
        return found

    def periods(self, *, ending_after: date, count: int) -> list[Period]:
        """The next `count` due dates whose periods end after `ending_after`, with them."""
        found: list[Period] = []
        n = max(0, self._index_before(ending_after) - 1)
        while len(found) < count and (due := self._nth_or_none(n)) is not None:
            if self.ends_on is not None and due > self.ends_on:
                break
            period = Period(due=due, starts=self._boundary(n), ends=self._boundary(n + 1))
            if period.ends > ending_after:
                found.append(period)
            n += 1
        return found

    def _boundary(self, n: int) -> date:
        """The first day of the n-th date's period: past halfway from the date before."""
        due = self._nth_or_none(n)
        before = self._nth_or_none(n - 1) if n > 0 else None
        if due is None:
            return date.max
        if before is None:
            after = self._nth_or_none(n + 1)
            gap = (after - due).days if after is not None else self.period_days()
            try:
                return due - timedelta(days=gap // 2)
            except OverflowError:  # before the year 1
                return date.min
        return before + timedelta(days=(due - before).days // 2 + 1)

    def _nth_or_none(self, n: int) -> date | None:
        try:
            return self.nth(n)
        except (OverflowError, ValueError):  # outside the calendar
            return None

    def _index_before(self, day: date) -> int:
        # A start for the search that is at or before the first due date on or after `day`.
        return (day - self.starts_on).days // (self.period_days() + 4) - 1
