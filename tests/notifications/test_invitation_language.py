"""The invitation is written in the contact's saved language: subject, text and button."""

from __future__ import annotations

import pytest
from django.core import mail

from doorstep.access.invitations import invite_contact
from doorstep.notifications import sending
from tests.factories import ContactFactory
from tests.notifications.emails import Links, Sent

pytestmark = pytest.mark.django_db

# What each language's invitation says: its subject's first word and its button.
WORDING = {
    "en": ("Your invitation", "Choose your password"),
    "es": ("Su invitación", "Elegir su contraseña"),
    "fr": ("Votre invitation", "Choisir votre mot de passe"),
    "de": ("Ihre Einladung", "Passwort festlegen"),
    "ar": ("دعوتك", "اختر كلمة المرور"),
}


@pytest.mark.parametrize("language", WORDING)
def test_the_invitation_is_in_the_contacts_language(language: str) -> None:
    invite_contact(contact=ContactFactory(email="robin@example.test", preferred_language=language))

    sending.send_due(worker="tests")

    [message] = mail.outbox
    sent = Sent("invitation", message)
    subject, button = WORDING[language]
    assert message.subject.startswith(subject)
    assert button in {text for _href, text in Links.of(sent.html).link_texts}
    # The code and the link are filled in, in every language.
    for part in (message.body, sent.html):
        assert "[invitation" not in part
        assert "/invite/" in part
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in sent.html
