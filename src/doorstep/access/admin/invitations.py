"""Back office page for invitations: what went out, to whom, and whether it was used."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from doorstep.access.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    """Invitations are sent from a contact's page; here staff see what went out."""

    list_display = ("email", "contact", "automatic", "created_at", "expires_at", "used_at")
    list_filter = ("automatic", "created_at", ("used_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "contact__first_name", "contact__last_name", "contact__account__name")
    list_select_related = ("contact",)
    readonly_fields = (
        "contact",
        "email",
        "automatic",
        "invited_by",
        "created_at",
        "expires_at",
        "used_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
