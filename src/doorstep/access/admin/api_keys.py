"""Back office page for API keys: create one, see it once, revoke it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest

from doorstep.access import api_keys as services
from doorstep.access.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ("name", "prefix", "active", "created_at", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name", "prefix")

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("name",)
        return ("name", "active", "prefix", "created_at", "last_used_at")

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiKey | None = None
    ) -> tuple[str, ...]:
        return () if obj is None else ("prefix", "created_at", "last_used_at")

    def save_model(
        self, request: HttpRequest, obj: ApiKey, form: ModelForm[ApiKey], change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued, plain = services.issue_api_key(name=obj.name)
        for name in ("id", "prefix", "key_hash", "active", "created_at", "last_used_at"):
            setattr(obj, name, getattr(issued, name))
        obj._state.adding = False
        self.message_user(
            request,
            f"The key of “{issued.name}” is {plain} — copy it now: it is shown only this once. "
            "Integrations send it as the header “Authorization: Bearer <key>”.",
            messages.WARNING,
        )
