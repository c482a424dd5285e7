"""Back office page for API keys: create one with its scopes, see it once, revoke it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest

from doorstep.access import api_keys as services
from doorstep.access.models import ApiKey, Scope


class ApiKeyForm(forms.ModelForm[ApiKey]):
    scopes = forms.TypedMultipleChoiceField(
        choices=Scope.choices,
        coerce=Scope,
        widget=forms.CheckboxSelectMultiple,
        help_text="Give a key only what its integration needs.",
        error_messages={"required": "Choose at least one thing this key may do."},
    )

    class Meta:
        model = ApiKey
        fields = ("name", "scopes", "expires_at", "active")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    form = ApiKeyForm
    list_display = ("name", "prefix", "scope_list", "active", "expires_at", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name", "prefix")

    @admin.display(description="scopes")
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes)

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "scopes", "expires_at")
        return (
            "name",
            "scopes",
            "expires_at",
            "active",
            "prefix",
            "created_at",
            "last_used_at",
        )

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiKey | None = None
    ) -> tuple[str, ...]:
        return () if obj is None else ("prefix", "created_at", "last_used_at")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"scopes": [Scope.READ]}

    def save_model(
        self, request: HttpRequest, obj: ApiKey, form: ModelForm[ApiKey], change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued, plain = services.issue_api_key(
            name=obj.name, scopes=form.cleaned_data["scopes"], expires_at=obj.expires_at
        )
        for name in (
            "id",
            "prefix",
            "key_hash",
            "scopes",
            "active",
            "created_at",
            "last_used_at",
        ):
            setattr(obj, name, getattr(issued, name))
        obj._state.adding = False
        self.message_user(
            request,
            f"The key of “{issued.name}” is {plain} — copy it now: it is shown only this once. "
            "Integrations send it as the header “Authorization: Bearer <key>”.",
            messages.WARNING,
        )
