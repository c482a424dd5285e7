"""Timeline notes on their own pages; the work order's page shows its timeline too."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from doorstep.scheduling import services
from doorstep.scheduling.admin.base import ServiceBackedAdmin, adopt, staff_user
from doorstep.scheduling.models import TimelineNote


class TimelineNoteAddForm(forms.ModelForm[TimelineNote]):
    class Meta:
        model = TimelineNote
        fields = ("work_order", "text", "customer_visible")


@admin.register(TimelineNote)
class TimelineNoteAdmin(ServiceBackedAdmin[TimelineNote]):
    """Notes are added, and read; the timeline is the work order's history."""

    list_display = ("__str__", "work_order", "customer_visible", "author", "created_at")
    list_select_related = ("work_order", "author")
    list_filter = ("customer_visible", "created_at")
    search_fields = ("text", "work_order__number", "work_order__account__name")
    autocomplete_fields = ("work_order",)
    date_hierarchy = "created_at"

    def get_form(
        self,
        request: HttpRequest,
        obj: TimelineNote | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[TimelineNote]]:
        if obj is None:
            kwargs["form"] = TimelineNoteAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: TimelineNote | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("work_order", "text", "customer_visible")
        return ("work_order", "text", "customer_visible", "author", "created_at")

    def has_change_permission(self, request: HttpRequest, obj: TimelineNote | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TimelineNote | None = None) -> bool:
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: TimelineNote,
        form: forms.ModelForm[TimelineNote],
        change: bool,
    ) -> None:
        note = services.add_timeline_note(
            work_order=form.cleaned_data["work_order"],
            text=form.cleaned_data["text"],
            author=staff_user(request),
            customer_visible=form.cleaned_data.get("customer_visible", False),
        )
        adopt(obj, note)
