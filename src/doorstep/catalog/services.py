"""Changes to the service types the company offers."""

from __future__ import annotations

from doorstep.catalog.models import IncidentType
from doorstep.core import records


def save_service_type(*, service_type: IncidentType) -> IncidentType:
    """Save a service type after checking it (raises ValidationError, saving nothing)."""
    return records.save_checked(service_type)


def delete_service_type(*, service_type: IncidentType) -> None:
    """Delete a service type; refused (ProtectedError) while work orders use it."""
    records.delete(service_type)
