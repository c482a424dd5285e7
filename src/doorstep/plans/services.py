"""Changing service plans, from every door alike: checked first, saved at once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from doorstep.core import events, records
from doorstep.customers.models import Contact
from doorstep.plans.models import ChangeRequest, ServicePlan


def save_plan(*, plan: ServicePlan) -> ServicePlan:
    """Save a plan after checking it (raises ValidationError, saving nothing)."""
    return records.save_checked(plan)


def remove(*, plan: ServicePlan) -> None:
    """Delete a plan with the change requests made to it."""
    records.delete(plan)


@transaction.atomic
def request_change(*, plan: ServicePlan, contact: Contact, text: str) -> ChangeRequest:
    """A customer asks the office to change one of their account's plans."""
    if plan.account_id != contact.account_id:
        raise ValidationError("This plan is not one of the contact's account.")
    request = ChangeRequest(plan=plan, contact=contact, text=text.strip())
    request.full_clean()
    request.save()
    events.publish("service_plan.change_requested", change_request_id=request.pk)
    return request


@transaction.atomic
def mark_handled(*, request: ChangeRequest) -> ChangeRequest:
    """The office has acted on the request; a second call keeps the first time."""
    request = ChangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.handled_at is None:
        request.handled_at = timezone.now()
        request.save(update_fields=["handled_at"])
    return request
