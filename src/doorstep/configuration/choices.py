"""The choices of the portal settings: how messages go, to whom, and who is invited."""

from __future__ import annotations

from django.db import models


class CommunicationType(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message (SMS)"
    BOTH = "both", "Email and text message"


class Recipients(models.TextChoices):
    PRIMARY_CONTACT = "primary_contact", "The account's primary contact"
    REPORTED_BY = "reported_by", "The person who reported the work order"
    BOTH = "both", "Both"


class InvitePolicy(models.TextChoices):
    OFF = "off", "Do not invite"
    NEW_CONTACTS = "new", "Invite new contacts"
    ALL_CONTACTS = "all", "Invite new contacts and all existing contacts too"
