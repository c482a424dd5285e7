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


def set_preferred_language(*, technician: Resource, language: str) -> Resource:
    """The language the technician app speaks to this technician."""
    technician.preferred_language = language
    technician.clean_fields(
        exclude=[f.name for f in technician._meta.fields if f.name != "preferred_language"]
    )
    technician.save(update_fields=["preferred_language"])
    return technician
