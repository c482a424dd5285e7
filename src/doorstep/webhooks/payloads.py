"""What a webhook event says of a visit, a contact and who acted, in the API's words."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from doorstep.customers.models import Contact
from doorstep.history.models import Document, ServiceReport
from doorstep.plans.models import ChangeRequest
from doorstep.scheduling.models import Booking, WorkOrderSource
from doorstep.users.models import User
from doorstep.workforce.models import Resource

SYSTEM: dict[str, Any] = {"type": "system", "id": None}
SOURCE_ACTOR: dict[str, str] = {
    WorkOrderSource.PORTAL: "customer",
    WorkOrderSource.API: "api",
    WorkOrderSource.BACK_OFFICE: "staff",
}


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def actor(user: User | None, *, source: Booking | None = None) -> dict[str, Any]:
    """Who did it: `customer`, `staff`, `technician` (a person, with their sign-in's id),
    or `api` when no person did (an integration's key, or the work order's source)."""
    if user is None:
        if source is not None:
            return {"type": SOURCE_ACTOR.get(source.work_order.source, "api"), "id": None}
        return {"type": "api", "id": None}
    if user.is_staff:
        kind = "staff"
    elif Resource.objects.filter(user=user).exists():
        kind = "technician"
    elif Contact.objects.filter(user=user).exists():
        kind = "customer"
    else:
        kind = "staff"
    return {"type": kind, "id": user.pk}


def booking(visit: Booking) -> dict[str, Any]:
    work_order = visit.work_order
    technician = visit.resource
    return {
        "id": visit.pk,
        "reference": visit.reference,
        "external_id": visit.external_id or None,
        "status": visit.status,
        "start": _iso(visit.start),
        "end": _iso(visit.end),
        "work_order": work_order.pk,
        "account": work_order.account_id,
        "service_type": work_order.incident_type_id,
        "technician": technician.pk if technician else None,
        "cancel_reason": visit.cancel_reason or None,
    }


def contact(person: Contact) -> dict[str, Any]:
    return {
        "id": person.pk,
        "external_id": person.external_id or None,
        "account": person.account_id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone.as_e164 if person.phone else "",
        "preferred_language": person.preferred_language,
        "communication_preference": person.communication_preference,
    }


def api_link(name: str, pk: int) -> str:
    """The API's address of a record (`name` as the API's routes name it)."""
    return settings.DOORSTEP_BASE_URL.rstrip("/") + reverse(f"api:{name}", args=[pk])


def document(paper: Document) -> dict[str, Any]:
    return {
        "id": paper.pk,
        "external_id": paper.external_id or None,
        "account": paper.account_id,
        "account_external_id": paper.account.external_id or None,
        "booking": paper.booking_id,
        "site": paper.site_id,
        "asset": paper.asset_id,
        "type": paper.type,
        "title": paper.title,
        "file_name": paper.file_name,
        "content_type": paper.content_type,
        "published_at": _iso(paper.published_at),
        "url": api_link("document-detail", paper.pk),
        "file_url": api_link("document-file", paper.pk),
    }


def service_report(report: ServiceReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "version": report.version,
        "sha256": report.sha256,
        "supersedes": report.supersedes_id,
        "url": api_link("service-report-detail", report.pk),
        "file_url": api_link("service-report-file", report.pk),
    }


def change_request(change: ChangeRequest) -> dict[str, Any]:
    plan = change.plan
    return {
        "id": change.pk,
        "text": change.text,
        "contact": change.contact_id,
        "created_at": _iso(change.created_at),
        "url": api_link("service-plan-change-detail", change.pk),
        "plan": {
            "id": plan.pk,
            "external_id": plan.external_id or None,
            "account": plan.account_id,
            "account_external_id": plan.account.external_id or None,
            "name": plan.name,
            "service_type": plan.service_type_id,
            "asset": plan.asset_id,
            "site": plan.site_id,
            "url": api_link("service-plan-detail", plan.pk),
        },
    }
