from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import admin
from django.http import HttpRequest

from doorstep.configuration.admin import CompanyTimeZoneListAdmin
from doorstep.configuration.models import PortalSettings
from doorstep.core.admin import LocalTimeZoneAdmin
from doorstep.notifications.models import (
    DeliveryAttempt,
    Notification,
    NotificationState,
    ReminderRun,
)


class DeliveryAttemptInline(admin.TabularInline[DeliveryAttempt, Notification]):
    model = DeliveryAttempt
    fields = ("started_at", "finished_at", "succeeded", "error", "provider_message_id", "worker")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(CompanyTimeZoneListAdmin[Notification], LocalTimeZoneAdmin[Notification]):
    """The notification log: every message, its state, and every attempt to send it.

    Its days and times are the company's, on the list and on each message's page.
    """

    list_display = (
        "created_at",
        "message_type",
        "channel",
        "address",
        "state_and_reason",
        "attempts",
        "booking_reference",
        "account",
    )
    list_filter = (
        "message_type",
        "channel",
        "state",
        ("booking__work_order__account", admin.RelatedOnlyFieldListFilter),
        "created_at",
    )
    search_fields = (
        "address",
        "booking__reference",
        "booking__work_order__account__name",
        "subject",
    )
    date_hierarchy = "created_at"
    list_select_related = ("booking__work_order__account", "contact__account")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "booking",
                    "document",
                    "message_type",
                    "channel",
                    "contact",
                    "address",
                    "language",
                )
            },
        ),
        (
            "State",
            {
                "fields": (
                    "state",
                    "skip_reason",
                    "attempts",
                    "next_attempt_at",
                    "sent_at",
                    "delivered_at",
                    "provider_message_id",
                )
            },
        ),
        ("Message", {"fields": ("subject", "body", "visit_start", "calendar")}),
        (
            "Record",
            {
                "fields": ("idempotency_key", "created_at", "claimed_by", "claimed_at"),
                "classes": ("collapse",),
            },
        ),
    )
    readonly_fields = (
        "booking",
        "document",
        "message_type",
        "channel",
        "contact",
        "address",
        "language",
        "state",
        "skip_reason",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "delivered_at",
        "provider_message_id",
        "subject",
        "body",
        "visit_start",
        "calendar",
        "idempotency_key",
        "created_at",
        "claimed_by",
        "claimed_at",
    )
    inlines = (DeliveryAttemptInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def page_time_zone(self, request: HttpRequest, object_id: str | None) -> ZoneInfo | None:
        return PortalSettings.load().zone

    @admin.display(description="state", ordering="state")
    def state_and_reason(self, notification: Notification) -> str:
        """The state, and for a skipped message why: the question staff come here with."""
        state = notification.get_state_display()
        if notification.state == NotificationState.SKIPPED and notification.skip_reason:
            return f"{state}: {notification.skip_reason}"
        return state

    @admin.display(description="booking", ordering="booking__reference")
    def booking_reference(self, notification: Notification) -> str:
        return notification.booking.reference if notification.booking else "—"

    @admin.display(description="account", ordering="booking__work_order__account__name")
    def account(self, notification: Notification) -> str:
        if notification.booking is not None:
            return notification.booking.work_order.account.name
        contact = notification.contact
        return contact.account.name if contact is not None else "—"


@admin.register(ReminderRun)
class ReminderRunAdmin(CompanyTimeZoneListAdmin[ReminderRun], LocalTimeZoneAdmin[ReminderRun]):
    """When the daily reminder job ran and what it wrote, so staff can see it did.

    Its day is the company's, and so are its times, on the list and on each run's page.
    """

    list_display = ("day", "started_at", "finished_at", "bookings_reminded", "messages", "skipped")
    list_filter = ("started_at",)
    date_hierarchy = "started_at"
    readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def page_time_zone(self, request: HttpRequest, object_id: str | None) -> ZoneInfo | None:
        return PortalSettings.load().zone
