"""Rows read from the database become the same instances by the quick way as by Django's:
the same attributes, value objects and state, whatever columns were read and in
whatever order, and Django's way wherever a model needs it."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.db.models.signals import post_init
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from doorstep.access.visit_links import issue_visit_link
from doorstep.core.models import QuickLoad, _setters
from doorstep.customers.models import Contact
from doorstep.history.models import Document
from doorstep.scheduling.models import Booking, VisitFeedback
from doorstep.users.models import User
from doorstep.webhooks.models import WebhookEndpoint
from doorstep.workforce.models import Resource
from tests.factories import (
    AssetFactory,
    BookingFactory,
    ContactFactory,
    FunctionalLocationFactory,
    ServicePlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
QUICK_MODELS = sorted(
    (model for model in apps.get_models() if issubclass(model, QuickLoad)),
    key=lambda model: model._meta.label,
)


@pytest.fixture
def rows() -> None:
    """At least one row of every model that loads quickly, with its value objects set."""
    booking = BookingFactory()
    contact = ContactFactory(
        account=booking.work_order.account, phone="+13035550142", user=UserFactory()
    )
    Resource.objects.filter(pk=booking.resource_id).update(
        phone="+13035550199", photo="technicians/ana.jpg"
    )
    asset = AssetFactory(
        account=contact.account,
        functional_location=FunctionalLocationFactory(account=contact.account),
    )
    ServicePlanFactory(
        account=contact.account, asset=asset, ends_on=timezone.localdate() + timedelta(days=400)
    )
    VisitFeedback.objects.create(booking=booking, rating=5, comment="On time.")
    issue_visit_link(booking=booking, contact=contact)
    WebhookEndpoint.objects.create(url="https://crm.example.test/hooks", secret="whsec_x")
    Document.objects.create(
        account=contact.account,
        booking=booking,
        file="documents/report.pdf",
        content_type="application/pdf",
        size=1200,
        file_name="report.pdf",
        type=Document._meta.get_field("type").choices[0][0],  # type: ignore[index]
        title="Service report",
        published_at=timezone.now(),
    )


def djangos_way(model: type[models.Model], names: list[str], values: list[Any]) -> Any:
    return models.Model.from_db.__func__(model, "default", names, values)  # type: ignore[attr-defined]


def row_of(model: type[models.Model], names: list[str]) -> list[Any]:
    found = list(model._default_manager.values_list(*names)[:1])
    assert found, f"no {model._meta.label} row to load"
    return list(found[0])


@pytest.mark.parametrize("model", QUICK_MODELS, ids=lambda model: model._meta.label)
@pytest.mark.parametrize("columns", ["all", "some"])
def test_an_instance_is_the_one_djangos_way_makes(
    model: type[models.Model], columns: str, rows: None
) -> None:
    names = [field.attname for field in model._meta.concrete_fields]
    if columns != "all":
        pk = model._meta.pk.attname  # type: ignore[union-attr]
        others = [name for name in names if name != pk]
        kept = {pk, *random.Random(model._meta.label).sample(others, len(others) // 2)}
        names = [name for name in names if name in kept]  # in the model's order, as Django's
    values = row_of(model, names)

    quick = model.from_db("default", names, values)
    django = djangos_way(model, names, values)

    assert type(quick) is type(django)
    assert {name: value for name, value in vars(quick).items() if name != "_state"} == {
        name: value for name, value in vars(django).items() if name != "_state"
    }
    for name in vars(django):
        assert type(vars(quick)[name]) is type(vars(django)[name]), name
    assert (quick._state.adding, quick._state.db) == (False, "default")
    assert quick.get_deferred_fields() == django.get_deferred_fields()


def test_every_model_that_loads_quickly_is_compared(rows: None) -> None:
    assert {Booking, Contact, Document, Resource, User, VisitFeedback} <= set(QUICK_MODELS)
    for model in QUICK_MODELS:
        assert model._default_manager.exists(), model._meta.label


def test_a_phone_number_column_becomes_its_object() -> None:
    contact = ContactFactory(phone="+13035550142")

    loaded = Contact.objects.get(pk=contact.pk)

    assert isinstance(loaded.phone, PhoneNumber)
    assert loaded.phone.as_e164 == "+13035550142"


def test_a_deferred_column_is_read_when_asked_for() -> None:
    contact = ContactFactory(phone="+13035550142", first_name="Casey")

    loaded = Contact.objects.only("pk").get(pk=contact.pk)

    assert loaded.first_name == "Casey"
    assert isinstance(loaded.phone, PhoneNumber)


def test_a_model_with_init_receivers_is_made_by_djangos_way(rows: None) -> None:
    seen: list[object] = []

    def receiver(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(receiver, sender=Booking)
    try:
        booking = Booking.objects.first()
    finally:
        post_init.disconnect(receiver, sender=Booking)

    assert seen == [booking]


def test_a_loaded_instance_saves_and_reloads_as_before(rows: None) -> None:
    booking = Booking.objects.select_related("work_order__account").first()
    assert booking is not None
    booking.work_order.account.name = "Brightwater Heating"
    booking.work_order.account.save()

    booking.refresh_from_db()

    assert booking.work_order.account.name == "Brightwater Heating"
    assert not booking._state.adding


class Shouting:
    """A column attribute with a setter of its own, as phone number fields have."""

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        return self if instance is None else instance.__dict__["first_name"]

    def __set__(self, instance: Any, value: str) -> None:
        instance.__dict__["first_name"] = value.upper()


def test_a_column_with_a_setter_of_its_own_goes_through_it(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    contact = ContactFactory(first_name="Casey")
    request.addfinalizer(_setters.cache_clear)  # after the attribute is put back
    monkeypatch.setattr(Contact, "first_name", Shouting())
    _setters.cache_clear()

    loaded = Contact.objects.get(pk=contact.pk)

    assert loaded.first_name == "CASEY"
    assert "first_name" in _setters(Contact)


def test_a_row_is_made_without_going_through_init(
    rows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[type] = []
    real = models.Model.__init__

    def counted(self: models.Model, *args: Any, **kwargs: Any) -> None:
        made.append(type(self))
        real(self, *args, **kwargs)

    monkeypatch.setattr(models.Model, "__init__", counted)
    _setters.cache_clear()  # the plan compares each model's __init__ with Django's
    try:
        booking = Booking.objects.select_related("work_order__account").first()
    finally:
        monkeypatch.undo()
        _setters.cache_clear()

    assert booking is not None
    assert made == []
