"""Whether a position can follow the one before it: no van covers 14,000 km in a second.

A receiver that lost its fix, a phone placed by a far-away cell tower, or a sender with a
bug can report a position on the other side of the world; stored, it would move the
technician's marker and ETA there. Such a position is refused against the technician's
previous accepted one. Only for a while: were that previous position itself the wrong
one, every true position after it would otherwise be refused for days.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from doorstep.scheduling.travel import Point, great_circle_km

# 360 km/h: faster than any van on any road, the limit also set on a reported speed.
MAX_TRAVEL_SPEED_MPS = 100.0
# Two fixes of the same place differ by their accuracies, and a little more.
SLACK_M = 200.0
# Past this, a position is compared with nothing: it may be right and the previous wrong.
COMPARED_WITHIN = timedelta(minutes=10)


def implausible_jump(
    *,
    previous: tuple[float, float, datetime, float | None] | None,
    latitude: float,
    longitude: float,
    recorded_at: datetime,
    accuracy_m: float | None,
) -> str | None:
    """Why a position cannot follow `previous` (latitude, longitude, time, accuracy), or None."""
    if previous is None:
        return None
    prev_latitude, prev_longitude, prev_time, prev_accuracy = previous
    elapsed = (recorded_at - prev_time).total_seconds()
    if elapsed <= 0 or recorded_at - prev_time > COMPARED_WITHIN:
        return None
    distance_m = 1000 * great_circle_km(
        Point(prev_latitude, prev_longitude), Point(latitude, longitude)
    )
    uncertain_m = (accuracy_m or 0) + (prev_accuracy or 0) + SLACK_M
    if distance_m - uncertain_m <= MAX_TRAVEL_SPEED_MPS * elapsed:
        return None
    return (
        f"The position is {distance_m / 1000:,.1f} km from the previous one, "
        f"{elapsed:,.1f} seconds earlier: faster than 360 km/h, so a fault of the receiver."
    )


def cannot_follow(
    *,
    recorded_at: datetime,
    latitude: float,
    longitude: float,
    accuracy_m: float | None,
    newest_time: datetime | None,
    previous: tuple[float, float, datetime, float | None] | None,
) -> str | None:
    """Why a position cannot follow its device's newest one (taken at `newest_time`) or
    the technician's `previous` position; None when it can."""
    if newest_time is not None and recorded_at <= newest_time:
        return (
            f"The position is dated {utc_text(recorded_at)}, not after this "
            f"device's latest position ({utc_text(newest_time)}): "
            "positions must arrive in the order they were taken."
        )
    return implausible_jump(
        previous=previous,
        latitude=latitude,
        longitude=longitude,
        recorded_at=recorded_at,
        accuracy_m=accuracy_m,
    )


def utc_text(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
