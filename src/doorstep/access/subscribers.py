"""What access does when other parts of Doorstep publish an event."""

from __future__ import annotations

from doorstep.access import invitations
from doorstep.core.events import Event
from doorstep.customers.models import Contact


def invite_new_contact(event: Event) -> None:
    contact = (
        Contact.objects.select_related("account").filter(pk=event.payload["contact_id"]).first()
    )
    if contact is not None:
        invitations.invite_if_new(contact=contact)
