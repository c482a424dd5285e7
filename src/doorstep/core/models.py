"""Abstract models that several domain apps share."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from functools import cache
from inspect import getattr_static
from typing import Any, Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.base import ModelState
from django.db.models.fetch_modes import FetchMode
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init

from doorstep.core.validators import (
    LATITUDE_VALIDATORS,
    LONGITUDE_VALIDATORS,
    validate_country_code,
)


class QuickLoad(models.Model):
    """Rows read from the database become instances without going through `__init__`.

    Django makes each instance read from the database with the model's `__init__`,
    which sets the columns one by one through their descriptors: on the busiest pages
    (a visit link reads nine rows, the home page fifty), making the instances cost more
    than running the query. This `from_db` (Django's documented hook for it) fills the
    instance's attributes at once, as `__init__` would have left them: a column whose
    attribute has a setter of its own (a phone number, turned into its object) still
    goes through it, and a model that has `pre_init`/`post_init` receivers (an image's
    dimensions) or an `__init__` of its own is made by Django's way.
    `tests/core/test_quick_load.py` compares both ways for every model.
    """

    class Meta:
        abstract = True

    @classmethod
    def from_db(
        cls,
        db: str | None,
        field_names: Collection[str],
        values: Collection[Any],
        *,
        fetch_mode: FetchMode | None = None,
    ) -> Self:
        setters = _setters(cls)
        if setters is None or pre_init.has_listeners(cls) or post_init.has_listeners(cls):
            return super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        if fetch_mode is not None:
            state.fetch_mode = fetch_mode
        loaded = new.__dict__
        loaded["_state"] = state
        loaded.update(zip(field_names, values, strict=True))
        for name in setters:
            if name in loaded:  # set as on a new instance, which had no value before
                setattr(new, name, loaded.pop(name))
        return new


def shallow_copy[M: models.Model](row: M) -> M:
    """A copy of `row` as pickling it makes one, without pickling's round trip (a third of
    the cost of every page's portal settings): attributes and state of its own, the
    values themselves shared."""
    copied = object.__new__(type(row))
    copied.__dict__.update(row.__dict__)
    state = ModelState()
    state.__dict__.update(row._state.__dict__)
    state.__dict__.pop("peers", None)  # as Model pickling leaves them
    state.fields_cache = dict(row._state.fields_cache)
    copied._state = state
    return copied


@cache
def _setters(model: type[models.Model]) -> tuple[str, ...] | None:
    """The columns whose attributes must be set through their descriptor, or None when
    the model's instances must be made by `__init__`."""
    if model.__init__ is not models.Model.__init__:
        return None
    plain = (ForeignKeyDeferredAttribute, FileDescriptor)  # they only store the value
    names = []
    for field in model._meta.concrete_fields:
        descriptor = getattr_static(model, field.attname, None)
        if hasattr(type(descriptor), "__set__") and type(descriptor) not in plain:
            names.append(field.attname)
    return tuple(names)


class TimeStampedModel(QuickLoad):
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        abstract = True


class ExternalId(QuickLoad):
    """A record the company also keeps in its own system (CRM, dispatch, accounting).

    Integrations find and update the record by that system's id, so a nightly sync can
    send everything again without creating anything twice.
    """

    external_id = models.CharField(
        "external ID",
        max_length=200,
        blank=True,
        default="",
        help_text="This record's id in the company's own system, for integrations.",
    )

    class Meta:
        abstract = True

    @staticmethod
    def external_id_constraints(prefix: str) -> list[models.BaseConstraint]:
        return [
            models.UniqueConstraint(
                "external_id",
                condition=~models.Q(external_id=""),
                name=f"{prefix}_external_id_unique",
                violation_error_message="Another record already has this external ID.",
            )
        ]


class Coordinates(models.Model):
    """A point on the map, both halves or neither (not yet located)."""

    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE_VALIDATORS
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE_VALIDATORS
    )

    class Meta:
        abstract = True

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def coordinates(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (float(self.latitude), float(self.longitude))

    def clean_coordinates(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(
                "Enter both latitude and longitude, or leave both empty.",
                code="half_coordinates",
            )

    @staticmethod
    def coordinate_constraints(prefix: str) -> list[models.BaseConstraint]:
        return [
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(latitude__isnull=False, longitude__isnull=False)
                ),
                name=f"{prefix}_both_coordinates_or_neither",
                violation_error_message="Enter both latitude and longitude, or leave both empty.",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=Decimal(-90), latitude__lte=Decimal(90)),
                name=f"{prefix}_latitude_range",
                violation_error_message="Latitude must be between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=Decimal(-180), longitude__lte=Decimal(180)),
                name=f"{prefix}_longitude_range",
                violation_error_message="Longitude must be between -180 and 180.",
            ),
        ]


class PostalAddress(Coordinates):
    """A street address with its point on the map."""

    address_line1 = models.CharField("address line 1", max_length=200)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2,
        validators=[validate_country_code],
        help_text="Two-letter ISO code, for example US, GB or FR.",
    )

    class Meta:
        abstract = True

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(part for part in (self.postal_code, self.city) if part)
        if self.country in {"US", "CA", "AU"}:
            city_line = " ".join(part for part in (self.city, self.postal_code) if part)
        return [line for line in (self.address_line1, self.address_line2, city_line) if line]

    @property
    def one_line_address(self) -> str:
        return ", ".join(self.address_lines)

    def clean(self) -> None:
        super().clean()
        self.clean_coordinates()


class Deletion(models.Model):
    """A record that was deleted, kept so that a system syncing with Doorstep deletes its
    copy too (the API's `/deletions` feed). Written by `core.records.delete`."""

    record_type = models.CharField(max_length=100, help_text="For example customers.account.")
    record_id = models.BigIntegerField()
    external_id = models.CharField("external ID", max_length=200, blank=True)
    deleted_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["deleted_at", "id"], name="deletion_since")]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_id}"
