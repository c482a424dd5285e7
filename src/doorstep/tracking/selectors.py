"""Reading where technicians are."""

from __future__ import annotations

from doorstep.tracking.models import LatestPosition


def latest_position(*, technician_id: int) -> LatestPosition | None:
    """The technician's newest accepted position, or None if none was ever received."""
    return LatestPosition.objects.filter(resource_id=technician_id).first()
