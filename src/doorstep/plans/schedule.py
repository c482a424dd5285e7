"""When a service plan's visits fall due: plain dates in, plain dates out.

A plan repeats every N weeks or N months from its first date. Each due date is counted
from the first one, not from the one before, so a plan that starts on 31 January is due
on 28 (or 29) February and again on 31 March, never drifting to the 28th for good.
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
class Repeat:
    every: int
    unit: Unit
    starts_on: date
    ends_on: date | None = None

    def nth(self, n: int) -> date:
        """The n-th due date (0 is the first date itself)."""
        if self.unit is Unit.WEEKS:
            return self.starts_on + timedelta(weeks=self.every * n)
        months = self.starts_on.month - 1 + self.every * n
        year = self.starts_on.year + months // 12
        month = months % 12 + 1
        return date(year, month, min(self.starts_on.day, calendar.monthrange(year, month)[1]))

    def period_days(self) -> int:
        """About how many days lie between two due dates."""
        return 7 * self.every if self.unit is Unit.WEEKS else round(30.44 * self.every)

    def due_dates(self, *, on_or_after: date, count: int) -> list[date]:
        """The next `count` due dates from `on_or_after` on, up to the last day of the plan."""
        n = max(0, self._index_before(on_or_after))
        found: list[date] = []
        while len(found) < count:
            try:
                due = self.nth(n)
            except (OverflowError, ValueError):  # past the year 9999
                break
            if self.ends_on is not None and due > self.ends_on:
                break
            if due >= on_or_after:
                found.append(due)
            n += 1
        return found

    def _index_before(self, day: date) -> int:
        # A start for the search that is at or before the first due date on or after `day`.
        return (day - self.starts_on).days // (self.period_days() + 4) - 1
