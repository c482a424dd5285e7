"""Every link in every email works where the recipient reads it: in a mail program, far
from the site. Each address points to this site, absolutely (or is a mailto:, tel: or
cid: one), each link has words to click, and every web address in the text is a link."""

from __future__ import annotations

import re
from email.utils import parseaddr
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from doorstep.configuration.models import PortalSettings
from doorstep.notifications.models import MessageType
from tests.notifications.emails import Links, Sent, every_email

pytestmark = pytest.mark.django_db

OTHER_SCHEMES = ("mailto:", "tel:", "cid:")
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"']+")


@pytest.fixture(params=["en", "es", "fr", "de", "ar"])
def emails(request: pytest.FixtureRequest) -> list[Sent]:
    return every_email(request.param)


def site_address(url: str) -> bool:
    site, address = urlsplit(settings.DOORSTEP_BASE_URL), urlsplit(url)
    return (address.scheme, address.netloc) == (site.scheme, site.netloc)


def test_every_kind_of_email_is_sent_with_html(emails: list[Sent]) -> None:
    kinds = {sent.what for sent in emails}
    assert set(MessageType.values) <= kinds
    assert "account/email/password_reset_key" in kinds
    assert "account/email/email_confirmation" in kinds
    assert "account/email/login_code" in kinds
    assert all(sent.html for sent in emails)


def test_every_address_in_every_email_is_an_absolute_one_of_this_site(
    emails: list[Sent],
) -> None:
    for sent in emails:
        links = Links.of(sent.html)
        assert links.addresses, sent.what
        for where, address in links.addresses:
            assert address.startswith(OTHER_SCHEMES) or site_address(address), (
                sent.what,
                where,
                address,
            )


def test_every_link_has_words_to_click(emails: list[Sent]) -> None:
    for sent in emails:
        for href, text in Links.of(sent.html).link_texts:
            assert text, (sent.what, href)
            assert "<" not in text, (sent.what, href, text)
            assert "href" not in text, (sent.what, href, text)


def test_every_web_address_a_message_shows_is_a_link(emails: list[Sent]) -> None:
    for sent in emails:
        links = Links.of(sent.html)
        hrefs = {href for href, _text in links.link_texts}
        shown = {text for _href, text in links.link_texts}
        for found in WEB_ADDRESS.findall(sent.message.body):
            address = found.rstrip(".,;:!?)")
            assert address in hrefs, (sent.what, address, sorted(shown))


def test_no_web_address_shows_in_the_html_without_being_a_link(emails: list[Sent]) -> None:
    for sent in emails:
        text = " ".join(Links.of(sent.html).text_outside_links)
        assert WEB_ADDRESS.findall(text) == [], sent.what


def test_the_header_image_is_the_companys_at_the_sites_address(emails: list[Sent]) -> None:
    image = PortalSettings.load().header_image
    for sent in emails:
        sources = [a for where, a in Links.of(sent.html).addresses if where == "img.src"]
        assert sources == [settings.DOORSTEP_BASE_URL.rstrip("/") + image.url], sent.what


def test_the_company_is_the_sender_and_gets_the_answers(emails: list[Sent]) -> None:
    for sent in emails:
        assert parseaddr(sent.message.from_email)[0] == "Front Range Comfort Co.", sent.what
        assert sent.message.reply_to == ["office@frontrange.example"], sent.what


def test_account_emails_speak_for_the_company_not_the_server(emails: list[Sent]) -> None:
    host = urlsplit(settings.DOORSTEP_BASE_URL).netloc
    for sent in emails:
        if not sent.what.startswith(("account/", "mfa/")):
            continue
        subject, body = sent.message.subject, str(sent.message.body)
        assert subject.endswith(" · Front Range Comfort Co."), sent.what
        # Our own words, in sentence case: not allauth's "Hello from …!" and Title Case
        # (German writes its nouns with capitals all the same).
        words = subject.removesuffix(" · Front Range Comfort Co.").split()
        if '<html lang="de"' not in sent.html:
            assert not any(word[:1].isupper() for word in words[1:] if word.isalpha()), subject
        assert "Hello from" not in body, sent.what
        assert "Thank you for using" not in body, sent.what
        assert host not in body.splitlines()[0], sent.what
        assert body.strip().splitlines()[-1].strip("\u2068\u2069") == "Front Range Comfort Co."
        assert "office@frontrange.example" in sent.html, sent.what
