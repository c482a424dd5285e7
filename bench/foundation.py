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

    scheduled = list(Booking.objects.filter(status=BookingStatus.SCHEDULED)[:200])
    timings: list[float] = []
    with CaptureQueriesContext(connection) as queries:
        for booking in scheduled:
            started = time.perf_counter()
            services.set_status(booking=booking, status=BookingStatus.TRAVELING)
            timings.append((time.perf_counter() - started) * 1000)
    print(
        f"set_status on {len(timings)} bookings: p50 {statistics.median(timings):.2f} ms, "
        f"p95 {percentile(timings, 0.95):.2f} ms, "
        f"{len(queries) / max(len(timings), 1):.1f} queries each"
    )
