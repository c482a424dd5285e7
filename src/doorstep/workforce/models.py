"""The workforce: technicians, what they can do, and when they work."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length, Lower
from phonenumber_field.modelfields import PhoneNumberField

from doorstep.core.models import ExternalId, TimeStampedModel
from doorstep.core.validators import (
    LATITUDE_VALIDATORS,
    LONGITUDE_VALIDATORS,
    PROFICIENCY_VALIDATORS,
    default_time_zone,
    time_zone_choices,
    validate_time_zone,
)


class Skill(models.Model):
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="skill_name_unique_ignoring_case",
                violation_error_message="A skill with this name already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# Traccar Client sends no secret but its device id, so the id is the secret: 20 random
# characters of 32 (100 bits), in groups of five to be typed into the app without a slip.
# No 0/o or 1/l/i confusion: Crockford's base 32 in lower case.
TRACKING_DEVICE_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
TRACKING_DEVICE_ID_GROUPS = 4
TRACKING_DEVICE_ID_GROUP_LENGTH = 5
# An id shorter than this could be found by trying (Traccar Client's own default is an
# eight-digit number): staff are warned to replace it.
GUESSABLE_BELOW_LENGTH = 16


def new_tracking_device_id() -> str:
    """A tracking device id nobody can guess, like ``k7m2x-9qp4h-vtc8r-wn3df``."""
    groups = (
        "".join(
            secrets.choice(TRACKING_DEVICE_ID_ALPHABET)
            for _ in range(TRACKING_DEVICE_ID_GROUP_LENGTH)
        )
        for _ in range(TRACKING_DEVICE_ID_GROUPS)
    )
    return "-".join(groups)


class ResourceQuerySet(models.QuerySet["Resource"]):
    def active(self) -> ResourceQuerySet:
        return self.filter(active=True)

    def with_guessable_tracking_device_id(self) -> ResourceQuerySet:
        """Technicians whose tracking device id is short enough to be found by trying."""
        return self.alias(device_id_length=Length("tracking_device_id")).filter(
            device_id_length__gt=0, device_id_length__lt=GUESSABLE_BELOW_LENGTH
        )


class Resource(ExternalId, TimeStampedModel):
    """A technician: a person the company sends to customers."""

    display_name = models.CharField(
        max_length=100, help_text="The name customers see, for example “Alex R.”."
    )
    photo = models.ImageField(upload_to="technicians/", blank=True)
    phone = PhoneNumberField(blank=True)
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="technician",
        verbose_name="sign-in",
        help_text="Lets the technician sign in to the technician app.",
    )
    skills = models.ManyToManyField(Skill, through="ResourceSkill", related_name="technicians")
    home_latitude = models.DecimalField(
        max_digits=9, decimal_places=6, validators=LATITUDE_VALIDATORS
    )
    home_longitude = models.DecimalField(
        max_digits=9, decimal_places=6, validators=LONGITUDE_VALIDATORS
    )
    time_zone = models.CharField(
        max_length=64,
        choices=time_zone_choices,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="Working hours are read in this time zone.",
    )
    preferred_language = models.CharField(
        "language",
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=(
            "The technician app speaks this language. Empty: the phone's language, "
            "else the company's default one."
        ),
    )
    active = models.BooleanField(
        default=True, help_text="Inactive technicians are offered no new visits."
    )
    tracking_device_id = models.CharField(
        "tracking device id",
        max_length=64,
        blank=True,
        help_text="The device identifier set in the Traccar Client app on the technician's "
        "phone, so its positions are theirs. The app sends no password: this id is the "
        "secret, so keep the long random one given here. Leave empty if they share their "
        "location from the technician app only.",
    )

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]
        verbose_name = "technician"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(home_latitude__gte=-90, home_latitude__lte=90),
                name="resource_home_latitude_range",
                violation_error_message="Latitude must be between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=models.Q(home_longitude__gte=-180, home_longitude__lte=180),
                name="resource_home_longitude_range",
                violation_error_message="Longitude must be between -180 and 180.",
            ),
            models.UniqueConstraint(
                "tracking_device_id",
                condition=~models.Q(tracking_device_id=""),
                name="resource_tracking_device_id_unique",
                violation_error_message="Another technician already has this tracking device id.",
            ),
            *ExternalId.external_id_constraints("resource"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def home_base(self) -> tuple[float, float]:
        return (float(self.home_latitude), float(self.home_longitude))

    def tracking_device_id_is_guessable(self) -> bool:
        """Whether the tracking device id is short enough to be found by trying."""
        return 0 < len(self.tracking_device_id) < GUESSABLE_BELOW_LENGTH


class ResourceSkill(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="technician_levels")
    proficiency = models.PositiveSmallIntegerField(
        default=3, validators=PROFICIENCY_VALIDATORS, help_text="1 (beginner) to 5 (expert)."
    )

    class Meta:
        ordering = ["skill__name"]
        verbose_name = "skill"
        constraints = [
            models.UniqueConstraint(
                "resource",
                "skill",
                name="resource_skill_once",
                violation_error_message="This technician already has this skill.",
            ),
            models.CheckConstraint(
                condition=models.Q(proficiency__gte=1, proficiency__lte=5),
                name="resource_skill_proficiency_1_to_5",
                violation_error_message="Proficiency goes from 1 (beginner) to 5 (expert).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.proficiency}/5)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WorkingHours(models.Model):
    """One interval of work on a weekday, in the technician's time zone.

    A day may have several intervals, for example 08:00–12:00 and 13:00–17:00.
    """

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField("from")
    end_time = models.TimeField("until")

    class Meta:
        ordering = ["resource", "weekday", "start_time"]
        verbose_name = "working hours"
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="working_hours_end_after_start",
                violation_error_message="The end of working hours must be after their start.",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="working_hours_weekday_range",
                violation_error_message="Choose a day of the week.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self) -> None:
        # Overlaps between intervals are checked where all of a technician's hours are
        # edited together (the back office's formset): comparing one row with the rows
        # still in the database would refuse valid edits that move several at once.
        super().clean()
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "The end must be after the start."})


class TimeOff(models.Model):
    """A period when a technician is unavailable: leave, training, sickness."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["resource", "start"]
        verbose_name = "time off"
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="time_off_end_after_start",
                violation_error_message="Time off must end after it starts.",
            ),
        ]
        indexes = [models.Index(fields=["resource", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.resource}: {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "Time off must end after it starts."})
