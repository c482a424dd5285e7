"""The catalog of work the company does: service types and what they need."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation

from doorstep.configuration import languages, words
from doorstep.core.models import ExternalId, TimeStampedModel
from doorstep.core.validators import PROFICIENCY_VALIDATORS

# What customers read of a service type, with a wording per language.
TRANSLATED_FIELDS = ("display_name", "description")


class IncidentTypeQuerySet(models.QuerySet["IncidentType"]):
    def bookable_in_portal(self) -> IncidentTypeQuerySet:
        return self.filter(portal_enabled=True)

    def in_name_order(self, *, language: str | None, company_language: str) -> IncidentTypeQuerySet:
        """In the alphabetical order of the names readers of `language` see."""
        shown = [
            NullIf(KT(f"translations__{code}__display_name"), Value(""))
            for code in words.reading_order(language, company_language)
            if code in words.offered_languages()
        ]
        return self.order_by(Coalesce(*shown, "display_name"), "pk")


class IncidentType(ExternalId, TimeStampedModel):
    """A kind of job; customers see it as a "service type"."""

    name = models.CharField(max_length=100, unique=True, help_text="The name the office uses.")
    display_name = models.CharField(
        "name shown to customers", max_length=100, help_text="For example “Boiler service”."
    )
    description = models.TextField(
        blank=True, help_text="Shown to customers when they choose a service type."
    )
    portal_enabled = models.BooleanField(
        "customers can book it",
        default=False,
        help_text="Offer this service type in the customer portal.",
    )
    estimated_duration_minutes = models.PositiveIntegerField(
        "estimated duration (minutes)",
        default=60,
        validators=[
            MinValueValidator(5, message="A visit lasts at least 5 minutes."),
            MaxValueValidator(
                24 * 60, message="A visit that lasts more than a day cannot be booked as one visit."
            ),
        ],
    )
    required_skills = models.ManyToManyField(
        "workforce.Skill", through="IncidentTypeSkill", related_name="incident_types"
    )
    translations = models.JSONField(
        "name and description in each language",
        default=dict,
        blank=True,
        help_text=(
            "What customers of each language read; where a language has none, the company's "
            "default language's, else the name and description above."
        ),
    )

    objects = IncidentTypeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "service type"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    estimated_duration_minutes__gte=5, estimated_duration_minutes__lte=24 * 60
                ),
                name="incident_type_duration_range",
                violation_error_message=(
                    "The estimated duration must be between 5 minutes and 24 hours."
                ),
            ),
            *ExternalId.external_id_constraints("incident_type"),
        ]

    def __str__(self) -> str:
        # The office's own name: pages for customers use shown_name.
        return self.name

    def clean(self) -> None:
        super().clean()
        try:
            self.translations = words.cleaned(
                self.translations, fields=words.model_fields(IncidentType, TRANSLATED_FIELDS)
            )
        except ValidationError as error:
            raise ValidationError({"translations": error.messages}) from error

    def word(self, name: str, language: str | None, *, company_language: str) -> str:
        """The wording of `name` (display_name, description) for readers of `language`:
        theirs, else the company's default language's, else the field's own."""
        return words.pick(
            getattr(self, name),
            self.translations,
            name,
            languages=words.reading_order(language, company_language),
        )

    @property
    def shown_name(self) -> str:
        """The name customers see, in the language of the page or message being made."""
        return self.word(
            "display_name",
            translation.get_language(),
            company_language=languages.company_language(),
        )

    @property
    def shown_description(self) -> str:
        """The description customers see, in the language of the page or message being made."""
        company = languages.company_language()
        return self.word("description", translation.get_language(), company_language=company)


class IncidentTypeSkill(models.Model):
    """A skill that a technician needs, at least at this level, to do this service type."""

    incident_type = models.ForeignKey(
        IncidentType, on_delete=models.CASCADE, related_name="skill_requirements"
    )
    skill = models.ForeignKey(
        "workforce.Skill", on_delete=models.PROTECT, related_name="incident_type_requirements"
    )
    minimum_proficiency = models.PositiveSmallIntegerField(
        default=1, validators=PROFICIENCY_VALIDATORS, help_text="1 (beginner) to 5 (expert)."
    )

    class Meta:
        ordering = ["skill__name"]
        verbose_name = "required skill"
        constraints = [
            models.UniqueConstraint(
                "incident_type",
                "skill",
                name="incident_type_skill_once",
                violation_error_message="This skill is already required by this service type.",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_proficiency__gte=1, minimum_proficiency__lte=5),
                name="incident_type_skill_proficiency_1_to_5",
                violation_error_message="Proficiency goes from 1 (beginner) to 5 (expert).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ≥ {self.minimum_proficiency}"
