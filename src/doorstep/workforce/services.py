"""Changes to technicians."""

from __future__ import annotations

from doorstep.core import records
from doorstep.workforce.models import Resource


def save_technician(*, technician: Resource) -> Resource:
    """Save a technician after checking it (raises ValidationError, saving nothing)."""
    return records.save_checked(technician)


def delete_technician(*, technician: Resource) -> None:
    """Delete a technician; refused (ProtectedError) while visits are theirs."""
    records.delete(technician)
