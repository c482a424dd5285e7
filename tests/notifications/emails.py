"""Every email the portal sends, as its recipient gets it: each visit message, the
invitation and every account email, with the company's header image and contact lines.

Shared by the link test (parsed HTML) and the browser test (rendered in Chromium).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import allauth
from allauth.account.adapter import get_adapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.test import RequestFactory
from django.utils import timezone

from doorstep.access.invitations import invite_contact
from doorstep.configuration.models import PortalSettings
from doorstep.customers.models import Contact
from doorstep.history import services
from doorstep.history.models import DocumentType
from doorstep.notifications import outbox, sending
from doorstep.notifications.models import MessageType
from tests.factories import AccountFactory, AssetFactory, ContactFactory
from tests.history import images
from tests.notifications.conftest import book

# A 1×1 PNG: the company's header image.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
# What allauth's email templates read, whichever email it is; allauth makes its links
# absolute on the address the request came to, the portal's.
SITE = settings.DOORSTEP_BASE_URL.rstrip("/")
ACCOUNT_CONTEXT = {
    "code": "K7QF-2M9X",
    "password_reset_url": f"{SITE}/accounts/password/reset/key/1-set-password/",
    "activate_url": f"{SITE}/accounts/confirm-email/MQ:abc/",
    "ip": "203.0.113.9",
    "user_agent": "Firefox",
    "from_email": "old@example.test",
    "to_email": "new@example.test",
    "deleted_email": "old@example.test",
    "signup_url": f"{SITE}/accounts/signup/",
    "password_reset_code": "K7QF2M9X",
}


@dataclass(frozen=True)
class Sent:
    what: str  # the message type, "invitation", or allauth's template name
    message: EmailMessage

    @property
    def html(self) -> str:
        [(content, mimetype)] = self.message.alternatives  # type: ignore[attr-defined]
        assert mimetype == "text/html"
        return str(content)


def branded_portal() -> PortalSettings:
    portal = PortalSettings.load()
    portal.company_name = "Front Range Comfort Co."
    portal.contact_email = "office@frontrange.example"
    portal.contact_phone = "+1 720 555 0199"
    portal.page_footer = f"Open Monday to Friday, 8:00 to 17:00.\nHow we work: {SITE}/about/"
    portal.show_technician_details = True
    portal.include_survey = True
    portal.header_image.save("header.png", ContentFile(PIXEL), save=False)
    portal.save()
    return portal


def customer(language: str = "en") -> Contact:
    account = AccountFactory(time_zone="America/Denver")
    person = ContactFactory(
        account=account,
        first_name="Pat",
        email="pat@example.test",
        phone="+13035550101",
        communication_preference="email",
        preferred_language=language,
    )
    account.primary_contact = person
    account.save()
    return person


def sent_since(count: int) -> list[EmailMessage]:
    sending.send_due(worker="tests")
    return list(mail.outbox[count:])


def every_email(language: str = "en") -> list[Sent]:
    """Every kind of email, sent through the outbox or allauth as in production, to a
    contact who speaks `language`."""
    branded_portal()
    contact = customer(language)
    booking = book(contact)
    emails: list[Sent] = [Sent("confirmed", m) for m in sent_since(0)]
    for message_type in MessageType.values:
        if message_type in (MessageType.INVITATION, MessageType.CONFIRMED):
            continue
        before = len(mail.outbox)
        outbox.record(
            booking=booking,
            message_type=message_type,
            version=f"every-email-{message_type}",
            extra={"eta": booking.start + timedelta(minutes=5), "eta_minutes": 47},
            send_at=timezone.now(),
        )
        emails += [Sent(message_type, m) for m in sent_since(before)]
    before = len(mail.outbox)
    invitee = ContactFactory(
        email="robin@example.test", account=contact.account, preferred_language=language
    )
    invite_contact(contact=invitee)
    emails += [Sent("invitation", m) for m in sent_since(before)]
    emails += account_emails(contact)  # the contact can sign in from here on
    before = len(mail.outbox)
    publish_place_document(contact)
    emails += [Sent("place_documents", m) for m in sent_since(before)]
    return emails


def publish_place_document(contact: Contact) -> None:
    """A certificate of the contact's boiler, published with its message."""
    boiler = AssetFactory(account=contact.account, name="Boiler")
    document = services.add_document(
        upload=io.BytesIO(images.PDF),
        size=len(images.PDF),
        name="certificate.pdf",
        title="Gas safety certificate",
        document_type=DocumentType.CERTIFICATE,
        asset=boiler,
    )
    services.publish_document(document=document, published_by=None, tell_customer=True)


def account_emails(contact: Contact) -> list[Sent]:
    """Each of allauth's emails (account and two-factor), as its adapter sends them."""
    user = get_user_model().objects.create_user(email=contact.email, password="x-long-pass-1")
    contact.user = user
    contact.save()
    request = RequestFactory().get("/")
    request.user = user
    adapter = get_adapter(request)
    sent = []
    prefixes = sorted(
        str(path.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_subject.txt")
        for folder in ("account/email", "mfa/email")
        for path in (ALLAUTH_TEMPLATES / folder).glob("*_subject.txt")
    )
    with allauth_context.request_context(request):
        for prefix in prefixes:
            before = len(mail.outbox)
            adapter.send_mail(
                prefix,
                contact.email,
                {"user": user, "timestamp": timezone.now(), **ACCOUNT_CONTEXT},
            )
            sent += [Sent(prefix, m) for m in mail.outbox[before:]]
    return sent


class Links(HTMLParser):
    """The addresses an HTML document points to, and the text of each link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.addresses: list[tuple[str, str]] = []  # (tag.attribute, address)
        self.link_texts: list[tuple[str, str]] = []  # (href, visible text)
        self.images_alt: list[str | None] = []
        self.text_outside_links: list[str] = []
        self._open: list[list[str]] = []
        self._hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src", "action", "background", "poster"):
            if name in values:
                self.addresses.append((f"{tag}.{name}", values[name] or ""))
        if tag == "img":
            self.images_alt.append(values.get("alt"))
            if self._open:
                self._open[-1].append(values.get("alt") or "")
        if tag == "a":
            self._open.append([])
            self._hrefs.append(values.get("href") or "")

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].append(data)
        else:
            self.text_outside_links.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            text = " ".join("".join(self._open.pop()).split())
            self.link_texts.append((self._hrefs.pop(), text))

    @classmethod
    def of(cls, html: str) -> Links:
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser
