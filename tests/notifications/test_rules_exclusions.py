"""An excluded account or service type is the reason given, whatever else is missing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from doorstep.notifications import rules
from doorstep.notifications.rules import Policy, Recipient

recipients = st.builds(
    Recipient,
    contact_id=st.integers(1, 3),
    email=st.sampled_from(["", "pat@example.test"]),
    phone=st.sampled_from(["", "+13035550101"]),
    preference=st.sampled_from(["email", "sms", "both"]),
    language=st.just("en"),
)


@given(
    primary=recipients,
    reported_by=st.none() | recipients,
    communication_type=st.sampled_from(["email", "sms", "both"]),
    send_to=st.sampled_from(["primary_contact", "reported_by", "both"]),
    excluded=st.sampled_from(["account", "service_type", "both"]),
)
def test_an_exclusion_is_the_reason_of_every_delivery(
    primary: Recipient,
    reported_by: Recipient | None,
    communication_type: str,
    send_to: str,
    excluded: str,
) -> None:
    policy = Policy(
        message_enabled=True,
        communication_type=communication_type,
        send_to=send_to,
        account_excluded=excluded in ("account", "both"),
        service_type_excluded=excluded in ("service_type", "both"),
    )

    found = rules.deliveries(policy=policy, primary=primary, reported_by=reported_by)

    reason = f"the {excluded.replace('both', 'account').replace('_', ' ')} is on the exclusion list"
    assert found
    assert {delivery.skip_reason for delivery in found} == {reason}


def test_an_excluded_contact_without_a_mobile_number_is_skipped_for_the_exclusion() -> None:
    texter = Recipient(contact_id=5, email="", phone="", preference="sms", language="en")
    policy = Policy(
        message_enabled=True, communication_type="sms", send_to="both", account_excluded=True
    )

    [delivery] = rules.deliveries(policy=policy, primary=texter, reported_by=None)

    assert delivery.skip_reason == "the account is on the exclusion list"
