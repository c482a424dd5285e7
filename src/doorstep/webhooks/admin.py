"""Back office pages for webhooks: endpoints (the secret shown once, rotation, a test
event) and the delivery log with every attempt, where failed deliveries are replayed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doorstep.core.admin import DeletionsRecordedAdmin
from doorstep.core.errors import DomainError
from doorstep.webhooks import services
from doorstep.webhooks.models import (
    DeliveryState,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

EVENT_CHOICES = [(value, f"{label} ({value})") for value, label in EventType.choices
                 if value != EventType.TEST]  # fmt: skip
REPLAY_WINDOWS = {"replay_failed_day": 1, "replay_failed_week": 7}


class WebhookEndpointForm(forms.ModelForm[WebhookEndpoint]):
    event_types = forms.MultipleChoiceField(
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Events"),
        help_text=_("Leave all unticked to send every event."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("url", "description", "event_types", "service_type", "active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        candidate = self.instance
        for name in self.Meta.fields:
            if name in cleaned:
                setattr(candidate, name, cleaned[name])
        try:
            services.check_endpoint(candidate)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(DeletionsRecordedAdmin[WebhookEndpoint]):
    form = WebhookEndpointForm
    list_display = ("url", "active", "events", "service_type", "failing_since", "disabled_reason")
    list_filter = ("active",)
    search_fields = ("url", "description")
    readonly_fields = ("disabled_reason", "failing_since", "previous_secret_until", "created_at")
    actions = ("send_test_event", "rotate_secret", "replay_failed_day", "replay_failed_week")

    def get_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> Any:
        fields = list(WebhookEndpointForm.Meta.fields)
        return fields if obj is None else [*fields, *self.readonly_fields]

    @admin.display(description=_("events"))
    def events(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.event_types) or str(_("every event"))

    def save_model(
        self,
        request: HttpRequest,
        obj: WebhookEndpoint,
        form: ModelForm[WebhookEndpoint],
        change: bool,
    ) -> None:
        services.save_endpoint(endpoint=obj)
        if not change:
            self.message_user(
                request,
                _(
                    "The signing secret of %(url)s is %(secret)s — copy it now: it is shown "
                    "only this once. Receivers verify each event with it."
                )
                % {"url": obj.url, "secret": obj.secret},
                messages.WARNING,
            )

    @admin.action(description=_("Send a test event"))
    def send_test_event(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            try:
                services.send_test_event(endpoint=endpoint, by=request.user)  # type: ignore[arg-type]
            except DomainError as refusal:
                self.message_user(request, f"{endpoint}: {refusal}", messages.ERROR)
            else:
                self.message_user(request, _("A test event goes to %s.") % endpoint)

    @admin.action(description=_("Rotate the signing secret (the old one signs for 24 hours more)"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            secret = services.rotate_secret(endpoint=endpoint)
            self.message_user(
                request,
                _(
                    "The new secret of %(url)s is %(secret)s — copy it now: it is shown only "
                    "this once. The old one keeps signing beside it for 24 hours."
                )
                % {"url": endpoint.url, "secret": secret},
                messages.WARNING,
            )

    def _replay(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint], days: int) -> None:
        since = timezone.now() - timedelta(days=days)
        count = sum(services.replay_failed(endpoint=e, since=since) for e in queryset)
        self.message_user(request, _("%d failed deliveries will be sent again.") % count)

    @admin.action(description=_("Replay failed deliveries of the last 24 hours"))
    def replay_failed_day(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        self._replay(request, queryset, 1)

    @admin.action(description=_("Replay failed deliveries of the last 7 days"))
    def replay_failed_week(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        self._replay(request, queryset, 7)


class WebhookAttemptInline(admin.TabularInline[WebhookAttempt, WebhookDelivery]):
    model = WebhookAttempt
    fields = ("started_at", "status_code", "duration_ms", "error", "response_body", "worker")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: WebhookDelivery | None = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    """The delivery log. Failed ones since a time: filter by state and date, select all,
    and replay."""

    list_display = ("created_at", "event_type", "endpoint", "state", "attempts", "last_error")
    list_filter = ("state", "event_type", "endpoint", "created_at")
    search_fields = ("event_id", "resource", "endpoint__url")
    date_hierarchy = "created_at"
    readonly_fields = (
        "endpoint",
        "event_id",
        "event_type",
        "resource",
        "payload",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "delivered_at",
    )
    exclude = ("claimed_by", "claimed_at")
    inlines = (WebhookAttemptInline,)
    actions = ("replay",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a log: read, and replayed through the action

    @admin.action(description=_("Send again (same webhook-id)"))
    def replay(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = services.replay(deliveries=list(queryset.exclude(state=DeliveryState.SENDING)))
        self.message_user(request, _("%d deliveries will be sent again.") % count)
