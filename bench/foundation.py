"""Loading the demo company, and the booking status machine under repeated moves."""

from __future__ import annotations

import io
import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run() -> None:
    from doorstep.project.demo import load_demo
    from doorstep.scheduling import services
    from doorstep.scheduling.models import Booking, BookingStatus

    started = time.perf_counter()
    load_demo(stdout=io.StringIO())
    print(f"demo company, first load: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    load_demo(stdout=io.StringIO())
    print(f"demo company, second load (nothing to do): {time.perf_counter() - started:.2f} s")

    on_the_way = Booking.objects.filter(status=BookingStatus.TRAVELING).values("resource")
    scheduled = list(
        Booking.objects.filter(status=BookingStatus.SCHEDULED).exclude(resource__in=on_the_way)[
            :200
        ]
    )
    timings: list[float] = []
    with CaptureQueriesContext(connection) as queries:
        for booking in scheduled:
            # A technician is on the way to one visit at a time (the demo's technicians who
            # are on their way are left out): each sets off, then turns back, so that the
            # next visit of the same technician may set off too.
            for status in (BookingStatus.TRAVELING, BookingStatus.SCHEDULED):
                started = time.perf_counter()
                services.set_status(booking=booking, status=status)
                timings.append((time.perf_counter() - started) * 1000)
    print(
        f"set_status, {len(timings)} moves on {len(scheduled)} bookings (set off, turn back): "
        f"p50 {statistics.median(timings):.2f} ms, p95 {percentile(timings, 0.95):.2f} ms, "
        f"{len(queries) / max(len(timings), 1):.1f} queries each"
    )
