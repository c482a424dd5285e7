"""Service plans: visits a customer has agreed to have again and again (a boiler each
autumn, a filter every three months), and the changes customers ask for from the portal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from doorstep.catalog.models import IncidentType
from doorstep.core.models import ExternalId, TimeStampedModel
from doorstep.customers.models import Account, Asset, Contact, FunctionalLocation
from doorstep.plans.schedule import Repeat, Unit

# The longest gap a plan can have between two visits: five years.
MAX_EVERY = {Unit.WEEKS: 260, Unit.MONTHS: 60}


class Every(models.TextChoices):
    WEEKS = Unit.WEEKS.value, "weeks"
    MONTHS = Unit.MONTHS.value, "months"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class ServicePlan(ExternalId, TimeStampedModel):
    """A recurring service agreement: which service, for which equipment or site, how often,
    from when and until when."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="service_plans")
    name = models.CharField(max_length=200, help_text="What the customer calls it.")
    service_type = models.ForeignKey(
        IncidentType, on_delete=models.PROTECT, related_name="service_plans"
    )
    asset = models.ForeignKey(
        Asset,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_plans",
        verbose_name="equipment",
        help_text="The equipment the plan covers, if it covers one.",
    )
    site = models.ForeignKey(
        FunctionalLocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_plans",
        help_text="The site the plan covers, if not the account's main address.",
    )
    every = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EVERY[Unit.WEEKS])],
        help_text="How many weeks or months from one visit to the next.",
    )
    unit = models.CharField(max_length=10, choices=Every.choices, default=Every.MONTHS)
    starts_on = models.DateField("first visit due", help_text="The date the first visit is due.")
    ends_on = models.DateField(
        "last day", null=True, blank=True, help_text="Empty while the plan runs on."
    )
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    customer_note = models.TextField(
        "what it includes",
        blank=True,
        max_length=2000,
        help_text="Shown to the customer: what each visit covers, prices, conditions.",
    )

    class Meta:
        ordering = ["account__name", "name"]
        verbose_name = "service plan"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(every__gte=1),
                name="service_plan_every_positive",
                violation_error_message="A plan repeats every 1 week or month at least.",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="service_plan_ends_after_it_starts",
                violation_error_message="The last day cannot come before the first visit.",
            ),
            *ExternalId.external_id_constraints("service_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.account})" if self.account_id else self.name

    @property
    def repeat(self) -> Repeat:
        return Repeat(
            every=self.every, unit=Unit(self.unit), starts_on=self.starts_on, ends_on=self.ends_on
        )

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.unit in MAX_EVERY and self.every and self.every > MAX_EVERY[Unit(self.unit)]:
            errors["every"] = (
                f"At most {MAX_EVERY[Unit(self.unit)]} {self.unit}: five years between visits."
            )
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The last day cannot come before the first visit."
        if self.account_id is not None:
            if (
                self.asset_id is not None
                and self.asset
                and self.asset.account_id != self.account_id
            ):
                errors["asset"] = "Choose equipment of the same account as the plan."
            if self.site_id is not None and self.site and self.site.account_id != self.account_id:
                errors["site"] = "Choose a site of the same account as the plan."
        if errors:
            raise ValidationError(errors)


class ChangeRequest(models.Model):
    """A customer's request to change a plan (another month, a pause, an end), written in
    the portal for the office to act on."""

    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="change_requests")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField("request", max_length=1000)
    created_at = models.DateTimeField("sent", auto_now_add=True)
    handled_at = models.DateTimeField("handled", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "change request"

    def __str__(self) -> str:
        return f"Change to {self.plan.name}"
