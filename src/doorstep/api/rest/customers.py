"""Customers as the company's own systems see them: accounts, their contacts, their sites
(where work is done) and their equipment."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from phonenumber_field.phonenumber import PhoneNumber
from rest_framework import serializers

from doorstep.api.rest.resources import ResourceViewSet
from doorstep.customers import services
from doorstep.customers.models import (
    Account,
    Asset,
    CommunicationPreference,
    Contact,
    FunctionalLocation,
)
from doorstep.customers.phones import phone_region, read_phone

ADDRESS_FIELDS = (
    "address_line1",
    "address_line2",
    "city",
    "postal_code",
    "country",
    "latitude",
    "longitude",
)
STAMPS = ("created_at", "updated_at")


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ("id", "external_id", "name", *ADDRESS_FIELDS, "time_zone",
                  "primary_contact", "active", *STAMPS)  # fmt: skip
        read_only_fields = ("id", *STAMPS)


class PhoneField(serializers.CharField):
    """A phone number as people write it: read in the account's country when it has no
    international prefix (`ContactSerializer.validate()`), given back in E.164."""

    def to_representation(self, value: Any) -> str:
        return value.as_e164 if isinstance(value, PhoneNumber) and value.is_valid() else str(value)


class ContactSerializer(serializers.ModelSerializer):
    phone = PhoneField(
        required=False,
        allow_blank=True,
        max_length=128,
        help_text="A mobile number for texts: with its country code (+1 720 555 0199), or "
        "as written in the account's country (720 555 0199). Given back in E.164.",
    )
    language = serializers.ChoiceField(
        source="preferred_language",
        choices=settings.LANGUAGES,
        required=False,
        allow_blank=True,
        help_text=(
            "The contact's own language; empty for none, when the company's default "
            "language speaks to them (the browser's on the portal)."
        ),
    )
    preferred_messages = serializers.ChoiceField(
        source="communication_preference",
        choices=CommunicationPreference.choices,
        required=False,
        help_text="Which messages the contact gets: email, sms or both.",
    )
    has_portal_sign_in = serializers.SerializerMethodField(
        help_text="Whether the contact has joined the portal."
    )

    class Meta:
        model = Contact
        fields = ("id", "external_id", "account", "first_name", "last_name", "email", "phone",
                  "language", "preferred_messages", "has_portal_sign_in", *STAMPS)  # fmt: skip
        read_only_fields = ("id", *STAMPS)

    def get_has_portal_sign_in(self, contact: Contact) -> bool:
        return contact.user_id is not None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The same reading as the portal's and the back office's forms: the number in the
        # country of the contact's account.
        if "phone" in attrs:
            account = attrs.get("account") or getattr(self.instance, "account", None)
            phone = read_phone(attrs["phone"], region=phone_region(account))
            if isinstance(phone, str) and phone:
                raise serializers.ValidationError(
                    {
                        "phone": "This is not a phone number that can be read: send it with "
                        "its country code (like +1 720 555 0199), or as it is written in "
                        "the account's country."
                    }
                )
            attrs["phone"] = phone
        return attrs


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = FunctionalLocation
        fields = ("id", "external_id", "account", "name", *ADDRESS_FIELDS, *STAMPS)
        read_only_fields = ("id", *STAMPS)


class AssetSerializer(serializers.ModelSerializer):
    site = serializers.PrimaryKeyRelatedField(
        source="functional_location",
        queryset=FunctionalLocation.objects.all(),
        allow_null=True,
        required=False,
        help_text="Where the equipment is installed: a site of the same account.",
    )

    class Meta:
        model = Asset
        fields = ("id", "external_id", "account", "site", "name", "serial_number", *STAMPS)
        read_only_fields = ("id", *STAMPS)


class AccountViewSet(ResourceViewSet):
    """Customer accounts: a household or a business, at one main address."""

    queryset = Account.objects.all()
    serializer_class = AccountSerializer

    def save_record(self, record: Account) -> Account:
        return services.save_account(account=record)

    def delete_record(self, record: Account) -> None:
        services.remove(record=record)


class ContactViewSet(ResourceViewSet):
    """People at an account who get messages and may sign in to the portal. A new contact
    with an email address is invited to the portal when the portal settings say so."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer

    def save_record(self, record: Contact) -> Contact:
        return services.save_contact(contact=record)

    def delete_record(self, record: Contact) -> None:
        services.remove(record=record)


class SiteViewSet(ResourceViewSet):
    """Sites (functional locations): places at an account where work is done."""

    queryset = FunctionalLocation.objects.all()
    serializer_class = SiteSerializer

    def save_record(self, record: FunctionalLocation) -> FunctionalLocation:
        return services.save_site(site=record)

    def delete_record(self, record: FunctionalLocation) -> None:
        services.remove(record=record)


class AssetViewSet(ResourceViewSet):
    """Equipment that is serviced (customers see it as their equipment)."""

    queryset = Asset.objects.all()
    serializer_class = AssetSerializer

    def save_record(self, record: Asset) -> Asset:
        return services.save_asset(asset=record)

    def delete_record(self, record: Asset) -> None:
        services.remove(record=record)
