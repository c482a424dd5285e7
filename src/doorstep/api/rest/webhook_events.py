"""The OpenAPI document's `webhooks` section: one schema per event Doorstep sends.

Each event is a POST with the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
`webhook-signature`) and a JSON body: the envelope below with the event's own `data`.
Listed in SPECTACULAR_SETTINGS["WEBHOOKS"].
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema
from rest_framework import serializers

from doorstep.webhooks.models import EventType

HEADERS = (
    "Signed the Standard Webhooks way: verify `webhook-signature` over `webhook-id`, "
    "`webhook-timestamp` and the body with the endpoint's `whsec_` secret, using any "
    "Standard Webhooks library. The same `webhook-id` comes with every retry of an event: "
    "answer 2xx within 15 seconds, and drop an id already handled. 410 switches the "
    "endpoint off; 429 or 503 with Retry-After puts the next attempt off."
)


class Actor(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["customer", "staff", "technician", "api", "system"],
        help_text="Who did it: an integration (`api`) can skip the events it caused.",
    )
    id = serializers.IntegerField(allow_null=True, help_text="The person's sign-in, if any.")


class EventBooking(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    external_id = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    work_order = serializers.IntegerField()
    account = serializers.IntegerField()
    service_type = serializers.IntegerField()
    technician = serializers.IntegerField(allow_null=True)
    cancel_reason = serializers.CharField(allow_null=True)


class EventContact(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    account = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    preferred_language = serializers.CharField()
    communication_preference = serializers.CharField()


class EventFeedback(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField()


class EventNotification(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    message = serializers.CharField()
    error = serializers.CharField()


class EventDocument(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    account = serializers.IntegerField()
    account_external_id = serializers.CharField(allow_null=True)
    booking = serializers.IntegerField(allow_null=True, help_text="Attached to this visit,")
    site = serializers.IntegerField(allow_null=True, help_text="or to this site,")
    asset = serializers.IntegerField(allow_null=True, help_text="or to this equipment.")
    type = serializers.CharField()
    title = serializers.CharField()
    file_name = serializers.CharField()
    content_type = serializers.CharField()
    published_at = serializers.DateTimeField()
    url = serializers.URLField(help_text="The document in the API.")
    file_url = serializers.URLField(help_text="Its file, with an API key.")


class EventServiceReport(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="1, then one more for each correction.")
    sha256 = serializers.CharField(help_text="SHA-256 of the PDF.")
    supersedes = serializers.IntegerField(allow_null=True, help_text="The report it corrects.")
    url = serializers.URLField(help_text="The report in the API.")
    file_url = serializers.URLField(help_text="Its PDF, with an API key.")


class EventPlan(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    account = serializers.IntegerField()
    account_external_id = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    service_type = serializers.IntegerField()
    asset = serializers.IntegerField(allow_null=True)
    site = serializers.IntegerField(allow_null=True)
    url = serializers.URLField(help_text="The plan in the API.")


class EventChangeRequest(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField(help_text="What the customer asks, in their words.")
    contact = serializers.IntegerField(allow_null=True, help_text="Who asked.")
    created_at = serializers.DateTimeField()
    url = serializers.URLField(help_text="The request in the API (mark it handled there).")
    plan = EventPlan()


def _fields(**extra: serializers.Field) -> dict[str, serializers.Field]:
    return extra


DATA: dict[str, dict[str, Any]] = {
    EventType.BOOKING_CREATED: _fields(booking=EventBooking()),
    EventType.BOOKING_RESCHEDULED: _fields(
        booking=EventBooking(),
        old_start=serializers.DateTimeField(),
        old_end=serializers.DateTimeField(),
        new_start=serializers.DateTimeField(),
        new_end=serializers.DateTimeField(),
    ),
    EventType.BOOKING_CANCELED: _fields(booking=EventBooking(), reason=serializers.CharField()),
    EventType.BOOKING_STATUS_CHANGED: _fields(
        booking=EventBooking(),
        from_status=serializers.CharField(),
        to_status=serializers.CharField(),
    ),
    EventType.BOOKING_ETA_CHANGED: _fields(booking=EventBooking(), eta=serializers.DateTimeField()),
    EventType.BOOKING_RUNNING_LATE: _fields(
        booking=EventBooking(), eta=serializers.DateTimeField()
    ),
    EventType.FEEDBACK_RECEIVED: _fields(booking=EventBooking(), feedback=EventFeedback()),
    EventType.NOTIFICATION_FAILED: _fields(
        notification=EventNotification(), booking=EventBooking(allow_null=True)
    ),
    EventType.INVITATION_REDEEMED: _fields(
        invitation_id=serializers.IntegerField(), contact=EventContact()
    ),
    EventType.CONTACT_UPDATED: _fields(contact=EventContact()),
    EventType.DOCUMENT_PUBLISHED: _fields(
        document=EventDocument(), booking=EventBooking(allow_null=True)
    ),
    EventType.VISIT_REPORT_READY: _fields(booking=EventBooking(), report=EventServiceReport()),
    EventType.PLAN_CHANGE_REQUESTED: _fields(change_request=EventChangeRequest()),
    EventType.TEST: _fields(message=serializers.CharField()),
}


def _name(event_type: str) -> str:
    return "".join(part.capitalize() for part in event_type.replace(".", "_").split("_"))


def _envelope(event_type: str) -> type[serializers.Serializer]:
    data = type(f"{_name(event_type)}Data", (serializers.Serializer,), dict(DATA[event_type]))
    fields = {
        "id": serializers.CharField(help_text="The event id, also sent as `webhook-id`."),
        "type": serializers.ChoiceField(choices=[event_type]),
        "timestamp": serializers.DateTimeField(help_text="When it happened."),
        "sequence": serializers.IntegerField(
            help_text="Counts the events about the same record (visit, contact): order by it."
        ),
        "actor": Actor(),
        "data": data(),
    }
    return type(f"{_name(event_type)}Event", (serializers.Serializer,), fields)


def _webhook(event_type: str) -> OpenApiWebhook:
    return OpenApiWebhook(
        name=event_type,
        decorator=extend_schema(
            summary=str(EventType(event_type).label),
            description=HEADERS,
            request={"application/json": _envelope(event_type)},
            responses={200: OpenApiResponse(description="Received: any 2xx answer will do.")},
        ),
    )


for _event_type in EventType.values:
    globals()[f"webhook_{_event_type.replace('.', '_')}"] = _webhook(_event_type)
