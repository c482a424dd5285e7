"""Who gets which message on which channel: a pure function of plain facts.

No ORM, no settings, no clock: `outbox.py` gathers the facts and writes what this decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

EMAIL = "email"
SMS = "sms"
BOTH = "both"
PRIMARY_CONTACT = "primary_contact"
REPORTED_BY = "reported_by"


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    email: str
    phone: str  # E.164, or empty
    preference: str  # email / sms / both
    language: str


@dataclass(frozen=True)
class Policy:
    """What the company's portal settings say about this message for this visit."""

    message_enabled: bool  # notifications on, and this message type on
    communication_type: str  # email / sms / both
    send_to: str  # primary_contact / reported_by / both
    account_excluded: bool = False
    service_type_excluded: bool = False


@dataclass(frozen=True)
class Delivery:
    contact_id: int
    channel: str
    address: str
    language: str
    skip_reason: str = ""


def _channels(wanted: str) -> set[str]:
    return {EMAIL, SMS} if wanted == BOTH else {wanted}


def deliveries(
    *,
    policy: Policy,
    primary: Recipient | None,
    reported_by: Recipient | None,
    channels_of_message: frozenset[str] = frozenset({EMAIL, SMS}),
) -> list[Delivery]:
    """The deliveries of one message, including the skipped ones with their reason.

    One per person and channel, never two to the same address; nothing at all when the
    message is switched off. Excluded accounts and service types get skipped rows, so
    staff can see why a customer heard nothing.
    """
    if not policy.message_enabled:
        return []
    people: list[Recipient] = []
    if policy.send_to in (PRIMARY_CONTACT, BOTH) and primary is not None:
        people.append(primary)
    if policy.send_to in (REPORTED_BY, BOTH) and reported_by is not None:
        people.append(reported_by)
    if not people and primary is not None:
        # Nobody reported the work (an office booking): the account's main person hears.
        people.append(primary)

    company = _channels(policy.communication_type) & channels_of_message
    result: list[Delivery] = []
    seen: set[tuple[str, str]] = set()
    seen_contacts: set[int] = set()
    for person in people:
        if person.contact_id in seen_contacts:
            continue
        seen_contacts.add(person.contact_id)
        # The contact's preference within the company's channels; when they do not meet
        # (the company sends email only, the contact prefers texts) the company's wins,
        # so nobody is left without word of their visit.
        chosen = (company & _channels(person.preference)) or company
        for channel in sorted(chosen):
            address = person.email.strip().lower() if channel == EMAIL else person.phone
            # An exclusion first: it is the office's decision, and the reason that stays
            # true once the contact's address is filled in.
            reason = ""
            if policy.account_excluded:
                reason = "the account is on the exclusion list"
            elif policy.service_type_excluded:
                reason = "the service type is on the exclusion list"
            elif not address:
                reason = "no email address" if channel == EMAIL else "no mobile number"
            if address and (channel, address) in seen:
                continue
            seen.add((channel, address))
            result.append(
                Delivery(
                    contact_id=person.contact_id,
                    channel=channel,
                    address=address,
                    language=person.language,
                    skip_reason=reason,
                )
            )
    return result


# A visit may drift this far from the time the customer was last given unannounced.
MOVE_THRESHOLD = timedelta(minutes=10)


def move_to_announce(
    *, told_start: datetime | None, start: datetime, threshold: timedelta = MOVE_THRESHOLD
) -> bool:
    """Whether a visit that now starts at `start` must be announced as moved.

    Measured from the start in the customer's latest message (`told_start`), not from
    the visit's previous time: moving A→B→A→B announces each move, and four 8-minute
    nudges are announced once they add up to more than the threshold. Nothing is
    announced of a visit the customer was never told of (`told_start` None).
    """
    return told_start is not None and abs(start - told_start) > threshold
