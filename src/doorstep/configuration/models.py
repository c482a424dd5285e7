"""PortalSettings: how the portal looks and behaves, one row per installation."""

from __future__ import annotations

import re
from datetime import time
from email.utils import formataddr, parseaddr
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation

from doorstep.configuration import caching, words
from doorstep.configuration.choices import CommunicationType, InvitePolicy, Recipients
from doorstep.core.models import shallow_copy
from doorstep.core.validators import (
    default_time_zone,
    time_zone_choices,
    validate_hex_colour,
    validate_time_zone,
)

DEFAULT_FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
SAFE_FONT_FAMILY = re.compile(r"^[A-Za-z0-9 ,'\"-]+$")


def validate_font_family(value: str) -> None:
    # Goes into a CSS variable on every page, so only characters a font list needs.
    if not SAFE_FONT_FAMILY.match(value):
        raise ValidationError(
            "Enter font names separated by commas, for example: Inter, Arial, sans-serif.",
            code="invalid_font_family",
        )


def default_language() -> str:
    """A fresh installation's default language: DOORSTEP_DEFAULT_LANGUAGE (English unless set)."""
    offered = words.offered_languages()
    code = str(settings.LANGUAGE_CODE)
    for candidate in (code, code.split("-", maxsplit=1)[0]):
        if candidate in offered:
            return candidate
    return "en"


def validate_slot_length(value: int) -> None:
    if value < 5 or value > 480 or (24 * 60) % value:
        raise ValidationError(
            "The slot length must be between 5 and 480 minutes and divide a day evenly "
            "(for example 15, 30, 60, 120 or 240).",
            code="invalid_slot_length",
        )


# The settings' words that customers read, each with a wording per language.
TRANSLATED_FIELDS = (
    "company_name",
    "page_title",
    "page_footer",
    "contact_phone",
    "contact_email",
    "email_sender_name",
)
DEFAULT_PAGE_TITLE = "Your service visits"


class PortalSettingsQuerySet(models.QuerySet["PortalSettings"]):
    """Writes through a queryset, which skip `save()`, forget the cached settings too."""

    def update(self, **kwargs: Any) -> int:
        count = super().update(**kwargs)
        caching.forget()
        return count

    def delete(self) -> tuple[int, dict[str, int]]:
        deleted = super().delete()
        caching.forget()
        return deleted


class PortalSettings(models.Model):
    """The installation's settings. There is exactly one row; use `PortalSettings.load()`."""

    # --- General -------------------------------------------------------------------
    notifications_enabled = models.BooleanField("send notifications", default=True)
    notify_invitation = models.BooleanField("invitation", default=True)
    notify_booking_confirmed = models.BooleanField("booking confirmed", default=True)
    notify_reminder = models.BooleanField("reminder", default=True)
    notify_traveling = models.BooleanField("technician on the way", default=True)
    notify_turned_back = models.BooleanField("technician turned back", default=True)
    notify_running_late = models.BooleanField("running late", default=True)
    notify_rescheduled = models.BooleanField("rescheduled", default=True)
    notify_canceled = models.BooleanField("canceled", default=True)
    notify_completed = models.BooleanField("completed", default=True)
    notify_documents = models.BooleanField(
        "new documents",
        default=True,
        help_text="When the office publishes a visit's documents and asks to tell the customer.",
    )
    communication_type = models.CharField(
        max_length=5,
        choices=CommunicationType.choices,
        default=CommunicationType.BOTH,
        help_text=(
            "Which channels the company uses; each contact's own preference applies within them."
        ),
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        "send reminders",
        default=1,
        validators=[
            MaxValueValidator(7, message="Reminders can be sent up to 7 days before a visit."),
        ],
        help_text=(
            "How many days before its day a visit is reminded of, at the time below: "
            "1 is the day before. 0 sends no reminders."
        ),
    )
    reminder_time = models.TimeField(
        "at",
        default=time(10, 0),
        help_text="The time of day the reminders go out, in the company's time zone.",
    )
    time_zone = models.CharField(
        "company time zone",
        max_length=64,
        choices=time_zone_choices,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=(
            "The reminder time is read in this zone, and the back office's message log "
            "and visit lists show their days and times in it."
        ),
    )
    running_late_margin_minutes = models.PositiveSmallIntegerField(
        "running late after (minutes)",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="Warn the customer when the expected arrival is this much past the time window.",
    )
    send_messages_to = models.CharField(
        max_length=20, choices=Recipients.choices, default=Recipients.REPORTED_BY
    )
    include_survey = models.BooleanField(
        "ask for feedback", default=True, help_text="Offer a rating after a completed visit."
    )
    show_technician_details = models.BooleanField(
        default=True, help_text="Show the technician's name and photo to customers."
    )
    invite_contacts = models.CharField(
        "invite contacts to the portal",
        max_length=5,
        choices=InvitePolicy.choices,
        default=InvitePolicy.NEW_CONTACTS,
    )

    # --- Display ----------------------------------------------------------------------
    font_family = models.CharField(
        max_length=200,
        default=DEFAULT_FONT_FAMILY,
        validators=[validate_font_family],
    )
    text_color = models.CharField(
        "text colour", max_length=7, default="#1f2328", validators=[validate_hex_colour]
    )
    background_color = models.CharField(
        "background colour", max_length=7, default="#f6f8fa", validators=[validate_hex_colour]
    )
    foreground_color = models.CharField(
        "accent colour",
        max_length=7,
        default="#0b5cad",
        validators=[validate_hex_colour],
        help_text="Buttons, links and the header.",
    )
    header_image = models.ImageField(upload_to="branding/", blank=True)
    company_name = models.CharField(max_length=100, default="Doorstep")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    page_title = models.CharField(max_length=100, default=DEFAULT_PAGE_TITLE)
    page_footer = models.TextField(blank=True)
    email_sender_name = models.CharField(
        "sender name",
        max_length=100,
        blank=True,
        help_text="The name customers see as the sender of every email. Empty: the company name.",
    )
    email_reply_to = models.EmailField(
        "reply-to address",
        blank=True,
        help_text="Where customers' answers to an email go. Empty: the contact email.",
    )
    default_language = models.CharField(
        "company's default language",
        max_length=10,
        choices=settings.LANGUAGES,
        default=default_language,
        help_text=(
            "The language of anyone who has not chosen one and whose browser asks for none "
            "we offer, and the wording each language falls back to where it has none of its own."
        ),
    )
    translations = models.JSONField(
        "wording in each language",
        default=dict,
        blank=True,
        help_text="The company's words for readers of each language; see below.",
    )

    # --- Self-scheduling ---------------------------------------------------------------
    minimum_lead_days = models.PositiveSmallIntegerField(
        "earliest booking (days ahead)",
        default=1,
        validators=[MaxValueValidator(365)],
        help_text="0 lets customers book for today.",
    )
    maximum_lead_days = models.PositiveSmallIntegerField(
        "latest booking (days ahead)",
        default=14,
        validators=[
            MinValueValidator(1, message="Customers must be able to book at least one day ahead."),
            MaxValueValidator(365, message="Customers can book at most a year ahead."),
        ],
    )
    asset_selection_enabled = models.BooleanField("customers choose the asset", default=True)
    additional_details_enabled = models.BooleanField("customers can add details", default=True)
    maximum_travel_radius_km = models.PositiveIntegerField(
        "maximum travel radius (km)",
        default=0,
        help_text="How far from their home base a technician is sent. 0 means no limit.",
    )
    slot_length_minutes = models.PositiveSmallIntegerField(
        "slot length (minutes)", default=60, validators=[validate_slot_length]
    )

    # --- Exclusions ----------------------------------------------------------------------
    excluded_accounts = models.ManyToManyField(
        "customers.Account",
        blank=True,
        related_name="+",
        help_text="These accounts get no messages at all.",
    )
    excluded_incident_types = models.ManyToManyField(
        "catalog.IncidentType",
        blank=True,
        related_name="+",
        verbose_name="excluded service types",
        help_text="Visits of these service types send no messages at all.",
    )

    updated_at = models.DateTimeField(auto_now=True)

    objects = PortalSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = "portal settings"
        verbose_name_plural = "portal settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1),
                name="portal_settings_single_row",
                violation_error_message="There is only one set of portal settings.",
            ),
            models.CheckConstraint(
                condition=models.Q(reminder_days_before__lte=7),
                name="portal_settings_reminder_days_0_to_7",
                violation_error_message="Reminders can be sent up to 7 days before a visit.",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_lead_days__lte=models.F("maximum_lead_days")),
                name="portal_settings_lead_days_in_order",
                violation_error_message="The earliest booking day must not be after the latest.",
            ),
        ]

    def __str__(self) -> str:
        return "Portal settings"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Cache bookkeeping only, here so that no way of saving can skip it.
        caching.forget()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        caching.forget()
        return deleted

    @classmethod
    def load(cls) -> PortalSettings:
        """The settings, from the cache while nobody has changed them since they were read.

        A copy of its own for each call: changing it changes nothing elsewhere (save it to
        change the settings). The exclusion lists are not cached; they are read where used.
        """
        return caching.read_through(_cache_key(), cls._load_row, PortalSettings._copy)

    @classmethod
    def _load_row(cls) -> PortalSettings:
        try:
            return cls.objects.get(pk=1)
        except cls.DoesNotExist:
            # The installation's first read creates the row with its defaults: nobody can
            # have read other settings, so it is not a change for the cache to forget.
            cls.objects.bulk_create([cls(pk=1)], ignore_conflicts=True)
            return cls.objects.get(pk=1)

    def word(self, name: str, language: str | None) -> str:
        """The wording of the field `name` for readers of `language`: theirs, else the
        company's default language's, else the field's own."""
        value = words.pick(
            getattr(self, name),
            self.translations,
            name,
            languages=words.reading_order(language, self.default_language),
        )
        if name == "page_title" and value == DEFAULT_PAGE_TITLE and language:
            # The wording a fresh installation ships with is in the catalogs (the portal's).
            with translation.override(language):
                return translation.gettext(value)
        return value

    def in_language(self, language: str | None) -> PortalSettings:
        """The settings as readers of `language` see them: the company's words (company
        name, page title, footer, contact lines, sender name) in that language, the rest
        as set. A copy to read from, which refuses to be saved."""
        shown = self._copy(words_too=False)
        for name in TRANSLATED_FIELDS:
            setattr(shown, name, self.word(name, language))
        setattr(shown, "save", _refuse_saving_words)  # noqa: B010 - a method, replaced
        return shown

    def _copy(self, *, words_too: bool = True) -> PortalSettings:
        """A copy of its own; with `words_too`, the words in every language (the one value
        that can be changed in place) are copied too."""
        copied = shallow_copy(self)
        if words_too:
            copied.translations = words.copied(self.translations)
        return copied

    @property
    def email_from(self) -> str:
        """The From of every email: the sender name set here (else the company's name),
        at the sending address the installation is set up with (DEFAULT_FROM_EMAIL)."""
        address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
        name = " ".join((self.email_sender_name or self.company_name).split())
        return formataddr((name, address)) if name else address

    @property
    def email_reply_to_addresses(self) -> list[str]:
        """Where answers to an email go: the reply-to set here, else the contact email."""
        address = self.email_reply_to or self.contact_email
        return [address] if address else []

    @property
    def zone(self) -> ZoneInfo:
        """The company's time zone."""
        return ZoneInfo(self.time_zone)

    def clean(self) -> None:
        super().clean()
        try:
            self.translations = words.cleaned(
                self.translations, fields=words.model_fields(PortalSettings, TRANSLATED_FIELDS)
            )
        except ValidationError as error:
            raise ValidationError({"translations": error.messages}) from error
        if (
            self.minimum_lead_days is not None
            and self.maximum_lead_days is not None
            and self.minimum_lead_days > self.maximum_lead_days
        ):
            raise ValidationError(
                {
                    "maximum_lead_days": (
                        "The latest booking day must be on or after the earliest "
                        f"({self.minimum_lead_days} days ahead)."
                    )
                }
            )


def _refuse_saving_words(*args: Any, **kwargs: Any) -> None:
    raise TypeError(
        "These settings carry one language's words in their fields: save the row from "
        "PortalSettings.load() instead."
    )


@cache
def _cache_key() -> str:
    return caching.value_key(field.attname for field in PortalSettings._meta.concrete_fields)
