"""Who hears what, on which channel: the pure rules."""

from __future__ import annotations

from doorstep.notifications import rules
from doorstep.notifications.rules import Delivery, Policy, Recipient

PAT = Recipient(
    contact_id=1, email="Pat@Example.test", phone="+13035550101", preference="both", language="en"
)
SAM = Recipient(contact_id=2, email="sam@example.test", phone="", preference="email", language="es")


def policy(**changes: object) -> Policy:
    values: dict[str, object] = {
        "message_enabled": True,
        "communication_type": "both",
        "send_to": "both",
    }
    values.update(changes)
    return Policy(**values)  # type: ignore[arg-type]


def test_each_person_gets_each_channel_they_and_the_company_use() -> None:
    result = rules.deliveries(policy=policy(), primary=PAT, reported_by=SAM)

    assert result == [
        Delivery(1, "email", "pat@example.test", "en"),
        Delivery(1, "sms", "+13035550101", "en"),
        Delivery(2, "email", "sam@example.test", "es"),
    ]


def test_send_to_chooses_the_people() -> None:
    primary_only = rules.deliveries(
        policy=policy(send_to="primary_contact"), primary=PAT, reported_by=SAM
    )
    reporter_only = rules.deliveries(
        policy=policy(send_to="reported_by"), primary=PAT, reported_by=SAM
    )

    assert {d.contact_id for d in primary_only} == {1}
    assert {d.contact_id for d in reporter_only} == {2}


def test_one_person_in_both_roles_hears_once() -> None:
    result = rules.deliveries(policy=policy(), primary=PAT, reported_by=PAT)

    assert [(d.channel, d.address) for d in result] == [
        ("email", "pat@example.test"),
        ("sms", "+13035550101"),
    ]


def test_two_contacts_sharing_an_address_get_one_message() -> None:
    twin = Recipient(
        contact_id=3, email="pat@example.test", phone="", preference="email", language="en"
    )

    result = rules.deliveries(policy=policy(), primary=PAT, reported_by=twin)

    assert [d.address for d in result if d.channel == "email"] == ["pat@example.test"]


def test_company_channels_limit_the_contacts_preference() -> None:
    result = rules.deliveries(
        policy=policy(communication_type="email"), primary=PAT, reported_by=None
    )

    assert [d.channel for d in result] == ["email"]


def test_when_preference_and_company_do_not_meet_the_company_channel_is_used() -> None:
    texter = Recipient(
        contact_id=4, email="t@example.test", phone="+13035550104", preference="sms", language="en"
    )

    result = rules.deliveries(
        policy=policy(communication_type="email"), primary=texter, reported_by=None
    )

    assert [(d.channel, d.address) for d in result] == [("email", "t@example.test")]


def test_a_missing_address_is_a_skipped_delivery_with_its_reason() -> None:
    texter = Recipient(
        contact_id=5, email="x@example.test", phone="", preference="sms", language="en"
    )

    [delivery] = rules.deliveries(policy=policy(), primary=texter, reported_by=None)

    assert (delivery.channel, delivery.skip_reason) == ("sms", "no mobile number")


def test_exclusions_skip_everything_and_say_why() -> None:
    account = rules.deliveries(policy=policy(account_excluded=True), primary=PAT, reported_by=None)
    service = rules.deliveries(
        policy=policy(service_type_excluded=True), primary=PAT, reported_by=None
    )

    assert {d.skip_reason for d in account} == {"the account is on the exclusion list"}
    assert {d.skip_reason for d in service} == {"the service type is on the exclusion list"}


def test_a_message_switched_off_writes_nothing() -> None:
    assert (
        rules.deliveries(policy=policy(message_enabled=False), primary=PAT, reported_by=SAM) == []
    )


def test_without_a_reporter_the_primary_contact_hears() -> None:
    result = rules.deliveries(policy=policy(send_to="reported_by"), primary=PAT, reported_by=None)

    assert {d.contact_id for d in result} == {1}
