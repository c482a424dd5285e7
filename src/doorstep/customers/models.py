"""Customers: the accounts a company serves, their people, places and equipment."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy
from phonenumber_field.modelfields import PhoneNumberField

from doorstep.core.models import ExternalId, PostalAddress, TimeStampedModel
from doorstep.core.validators import default_time_zone, time_zone_choices, validate_time_zone

REACHABLE_MESSAGE = "Enter an email address or a phone number, so the contact can be reached."


class CommunicationPreference(models.TextChoices):
    EMAIL = "email", gettext_lazy("Email")
    SMS = "sms", gettext_lazy("Text message (SMS)")
    BOTH = "both", gettext_lazy("Email and text message")


class AccountQuerySet(models.QuerySet["Account"]):
    def active(self) -> AccountQuerySet:
        return self.filter(active=True)


class Account(PostalAddress, ExternalId, TimeStampedModel):
    """A customer of the company: a household or a business, at one main address."""

    name = models.CharField(max_length=200)
    time_zone = models.CharField(
        max_length=64,
        choices=time_zone_choices,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="Visit times are shown to this customer in this time zone.",
    )
    primary_contact = models.ForeignKey(
        "Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The person who receives messages when they go to the primary contact.",
    )
    active = models.BooleanField(
        default=True, help_text="Inactive accounts cannot book and get no invitations."
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="account_name_lower")]
        constraints = [
            *PostalAddress.coordinate_constraints("account"),
            *ExternalId.external_id_constraints("account"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (
            self.primary_contact_id is not None
            and self.pk is not None
            and self.primary_contact is not None
            and self.primary_contact.account_id != self.pk
        ):
            raise ValidationError(
                {"primary_contact": "The primary contact must be one of this account's contacts."}
            )


class Contact(ExternalId, TimeStampedModel):
    """A person at an account who may receive messages and sign in to the portal."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(
        blank=True, help_text="Mobile number in international form, for example +1 303 555 0142."
    )
    # None of their own until they choose one (decision 0018): the company's default
    # language and their browser speak for them, and follow the company if it changes.
    preferred_language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text="Empty: the company's default language (on the portal, the browser's first).",
    )
    communication_preference = models.CharField(
        "preferred messages",
        max_length=5,
        choices=CommunicationPreference.choices,
        default=CommunicationPreference.EMAIL,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
        verbose_name="portal sign-in",
    )
    profile_reviewed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the contact first saw their profile in the portal (saved or skipped).",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                "account",
                Lower("email"),
                condition=~models.Q(email=""),
                name="contact_email_unique_per_account",
                violation_error_message=(
                    "This account already has a contact with this email address."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(email="") | ~models.Q(phone=""),
                name="contact_has_email_or_phone",
                violation_error_message=REACHABLE_MESSAGE,
            ),
            *ExternalId.external_id_constraints("contact"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()
        errors: dict[str, str] = {}
        if not self.email and not self.phone:
            errors["email"] = (
                "Enter an email address or a phone number, so the contact can be reached."
            )
        wants_email = self.communication_preference in {
            CommunicationPreference.EMAIL,
            CommunicationPreference.BOTH,
        }
        wants_sms = self.communication_preference in {
            CommunicationPreference.SMS,
            CommunicationPreference.BOTH,
        }
        if wants_email and not self.email and "email" not in errors:
            errors["email"] = "This contact prefers email: enter an email address."
        if wants_sms and not self.phone:
            errors["phone"] = "This contact prefers text messages: enter a mobile number."
        if errors:
            raise ValidationError(errors)


class FunctionalLocation(PostalAddress, ExternalId, TimeStampedModel):
    """A place at an account where work is done: a site, a building, a plant room."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="functional_locations"
    )
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["account__name", "name"]
        constraints = [
            models.UniqueConstraint(
                "account",
                "name",
                name="functional_location_name_unique_per_account",
                violation_error_message="This account already has a location with this name.",
            ),
            *PostalAddress.coordinate_constraints("functional_location"),
            *ExternalId.external_id_constraints("functional_location"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.account})"


class Asset(ExternalId, TimeStampedModel):
    """A piece of the customer's equipment that is serviced; "service product" to customers."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="assets")
    name = models.CharField(max_length=200)
    serial_number = models.CharField(max_length=100, blank=True)
    functional_location = models.ForeignKey(
        FunctionalLocation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assets",
        help_text="Where the asset is installed. Visits for it go to this address.",
    )

    class Meta:
        ordering = ["account__name", "name"]
        constraints = [
            models.UniqueConstraint(
                "account",
                "serial_number",
                condition=~models.Q(serial_number=""),
                name="asset_serial_unique_per_account",
                violation_error_message=(
                    "This account already has an asset with this serial number."
                ),
            ),
            *ExternalId.external_id_constraints("asset"),
        ]

    def __str__(self) -> str:
        if self.serial_number:
            return f"{self.name} (S/N {self.serial_number})"
        return self.name

    def clean(self) -> None:
        super().clean()
        if (
            self.functional_location_id is not None
            and self.account_id is not None
            and self.functional_location is not None
            and self.functional_location.account_id != self.account_id
        ):
            raise ValidationError(
                {"functional_location": "Choose a location of the same account as the asset."}
            )
