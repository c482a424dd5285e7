"""Reading where technicians are."""

from __future__ import annotations

from dataclasses import dataclass

from doorstep.tracking.models import LatestPosition, LocationPing, RefusedPosition

RECENT_REFUSALS_SHOWN = 20


def latest_position(*, technician_id: int) -> LatestPosition | None:
    """The technician's newest accepted position, or None if none was ever received."""
    return LatestPosition.objects.filter(resource_id=technician_id).first()


@dataclass(frozen=True)
class TechnicianLocation:
    """What the office sees of a technician's positions: the latest taken, the battery
    their newest stored position reported, and the positions refused lately."""

    latest: LatestPosition | None
    battery_percent: float | None
    refused: list[RefusedPosition]


def technician_location(
    *, technician_id: int, refusals: int = RECENT_REFUSALS_SHOWN
) -> TechnicianLocation:
    """The latest position of a technician and their newest refused ones: three queries."""
    newest = (
        LocationPing.objects.filter(resource_id=technician_id)
        .order_by("-recorded_at")
        .values_list("battery_percent", flat=True)
        .first()
    )
    return TechnicianLocation(
        latest=latest_position(technician_id=technician_id),
        battery_percent=newest,
        refused=list(
            RefusedPosition.objects.filter(resource_id=technician_id).order_by(
                "-received_at", "-id"
            )[:refusals]
        ),
    )
