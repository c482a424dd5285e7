"""Back office pages for accounts, their contacts, locations and equipment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from doorstep.access import invitations
from doorstep.core.admin import (
    ADDRESS_FIELDS,
    DeletionsRecordedAdmin,
    DeletionsRecordedFormSet,
)
from doorstep.customers import services
from doorstep.customers.models import Account, Asset, Contact, FunctionalLocation
from doorstep.customers.phones import country_region, read_phone
from doorstep.history.admin import PLACE_INLINES
from doorstep.users.models import User


class AccountForm(forms.ModelForm[Account]):
    class Meta:
        model = Account
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("primary_contact")
        if isinstance(field, forms.ModelChoiceField):
            # Only this account's people; a new account has none until it is saved.
            field.queryset = Contact.objects.filter(account_id=self.instance.pk)
            if self.instance.pk is None:
                field.help_text = (
                    "Add the account's contacts below and save; then choose the primary contact."
                )


class AssetInlineFormSet(DeletionsRecordedFormSet[Asset, Account]):
    def add_fields(self, form: forms.ModelForm[Asset], index: int | None) -> None:
        super().add_fields(form, index)
        field = form.fields.get("functional_location")
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = FunctionalLocation.objects.filter(account_id=self.instance.pk)


class ContactForm(forms.ModelForm[Contact]):
    """A phone number typed as dialled in the account's country (720 555 0199) is read there."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        typed = str(self.data.get(self.add_prefix("phone"), "")).strip()
        if typed and "phone" in self.errors:
            number = read_phone(typed, region=country_region(self._account_country(cleaned)))
            if not isinstance(number, str):
                del self.errors["phone"]
                cleaned["phone"] = number
        return cleaned

    def _account_country(self, cleaned: dict[str, Any]) -> str:
        account = cleaned.get("account") or getattr(self.instance, "account", None)
        if isinstance(account, Account):
            return account.country
        # A contact added with its new account: the account's own form, on the same page.
        return str(self.data.get("country", ""))


class ContactInlineFormSet(DeletionsRecordedFormSet[Contact, Account]):
    pass


class FunctionalLocationInlineFormSet(DeletionsRecordedFormSet[FunctionalLocation, Account]):
    pass


class ContactInline(admin.TabularInline[Contact, Account]):
    model = Contact
    form = ContactForm
    fields = (
        "first_name",
        "last_name",
        "email",
        "phone",
        "communication_preference",
        "preferred_language",
    )
    formset = ContactInlineFormSet
    extra = 0
    show_change_link = True


class FunctionalLocationInline(admin.TabularInline[FunctionalLocation, Account]):
    model = FunctionalLocation
    fields = (
        "name",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "country",
        "latitude",
        "longitude",
    )
    formset = FunctionalLocationInlineFormSet
    extra = 0
    show_change_link = True
    verbose_name = "location"
    verbose_name_plural = "locations (sites, buildings)"


class AssetInline(admin.TabularInline[Asset, Account]):
    model = Asset
    formset = AssetInlineFormSet
    fields = ("name", "serial_number", "functional_location")
    extra = 0
    show_change_link = True
    verbose_name_plural = "assets (customer equipment)"


@admin.register(Account)
class AccountAdmin(DeletionsRecordedAdmin[Account]):
    form = AccountForm
    list_display = ("name", "city", "active", "contact_count", "time_zone")
    list_filter = ("active", "city", ("time_zone", admin.AllValuesFieldListFilter))
    search_fields = (
        "name",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "contacts__first_name",
        "contacts__last_name",
        "contacts__email",
    )
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "active", "primary_contact")}),
        ("Address", {"fields": ADDRESS_FIELDS}),
        ("Time zone", {"fields": ("time_zone",)}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (ContactInline, FunctionalLocationInline, AssetInline)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Contact:
            super().save_formset(request, form, formset, change)
            return
        # Contacts go through the service, which announces new ones (for invitations).
        for contact in formset.save(commit=False):
            services.save_contact(contact=contact)
        for removed in formset.deleted_objects:
            services.remove(record=removed)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Account]:
        return (
            super().get_queryset(request).annotate(contact_count=Count("contacts", distinct=True))
        )

    @admin.display(description="contacts", ordering="contact_count")
    def contact_count(self, account: Account) -> int:
        return int(account.contact_count)  # type: ignore[attr-defined]


@admin.register(Contact)
class ContactAdmin(DeletionsRecordedAdmin[Contact]):
    form = ContactForm
    list_display = (
        "full_name",
        "account",
        "email",
        "phone",
        "communication_preference",
        "preferred_language",
        "has_portal_sign_in",
    )
    list_select_related = ("account",)
    list_filter = (
        "communication_preference",
        "preferred_language",
        ("user", admin.EmptyFieldListFilter),
    )
    search_fields = ("first_name", "last_name", "email", "phone", "account__name")
    autocomplete_fields = ("account", "user")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("account", ("first_name", "last_name"))}),
        (
            "How to reach them",
            {"fields": ("email", "phone", "communication_preference", "preferred_language")},
        ),
        ("Portal", {"fields": ("user",)}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    change_form_template = "admin/customers/contact/change_form.html"

    def get_readonly_fields(self, request: HttpRequest, obj: Contact | None = None) -> Any:
        # A person does not move to another customer: their visits, messages and the
        # account's primary contact would follow them. Add them to the other account.
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "account") if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: Contact, form: Any, change: bool) -> None:
        services.save_contact(contact=obj)

    def get_urls(self) -> list[URLPattern]:
        invite = self.admin_site.admin_view(require_POST(self.invite_view))
        return [
            path("<int:contact_id>/invite/", invite, name="customers_contact_invite"),
            *super().get_urls(),
        ]

    def invite_view(self, request: HttpRequest, contact_id: int) -> HttpResponse:
        contact = get_object_or_404(Contact.objects.select_related("account"), pk=contact_id)
        if not self.has_change_permission(request, contact):
            raise PermissionDenied
        staff = request.user if isinstance(request.user, User) else None
        try:
            invitation = invitations.invite_contact(contact=contact, invited_by=staff)
        except invitations.InvitationRefused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
        else:
            self.message_user(
                request,
                f"Invitation sent to {invitation.email}; it is valid for 14 days.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:customers_contact_change", args=[contact.pk]))

    @admin.display(description="name", ordering="last_name")
    def full_name(self, contact: Contact) -> str:
        return contact.full_name

    @admin.display(description="portal sign-in", boolean=True)
    def has_portal_sign_in(self, contact: Contact) -> bool:
        return contact.user_id is not None


@admin.register(FunctionalLocation)
class FunctionalLocationAdmin(DeletionsRecordedAdmin[FunctionalLocation]):
    list_display = ("name", "account", "address", "asset_count")
    list_select_related = ("account",)
    list_filter = (
        ("country", admin.AllValuesFieldListFilter),
        ("city", admin.AllValuesFieldListFilter),
    )
    search_fields = (
        "name",
        "account__name",
        "address_line1",
        "address_line2",
        "city",
        "postal_code",
    )
    autocomplete_fields = ("account",)
    inlines = PLACE_INLINES
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("account", "name")}),
        ("Address", {"fields": ADDRESS_FIELDS}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[FunctionalLocation]:
        return super().get_queryset(request).annotate(asset_count=Count("assets"))

    @admin.display(description="address")
    def address(self, location: FunctionalLocation) -> str:
        return location.one_line_address

    @admin.display(description="assets", ordering="asset_count")
    def asset_count(self, location: FunctionalLocation) -> int:
        return int(location.asset_count)  # type: ignore[attr-defined]


class AssetLocationFilter(admin.SimpleListFilter):
    title = "installed at"
    parameter_name = "installed_at"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> list[tuple[str, str]]:
        return [("location", "A location of the account"), ("account", "The account's address")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "location":
            return queryset.filter(functional_location__isnull=False)
        if self.value() == "account":
            return queryset.filter(functional_location__isnull=True)
        return queryset


class AssetForm(forms.ModelForm[Asset]):
    class Meta:
        model = Asset
        fields = "__all__"
        help_texts = {
            "functional_location": (
                "Where the asset is installed: one of the account's locations. "
                "Leave empty when it is at the account's own address."
            )
        }


@admin.register(Asset)
class AssetAdmin(DeletionsRecordedAdmin[Asset]):
    form = AssetForm
    list_display = ("name", "serial_number", "account", "functional_location", "created_at")
    list_select_related = ("account", "functional_location__account")
    list_filter = (AssetLocationFilter, "created_at")
    search_fields = ("name", "serial_number", "account__name", "functional_location__name")
    autocomplete_fields = ("account", "functional_location")
    inlines = PLACE_INLINES
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("account", "name", "serial_number", "functional_location")}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
