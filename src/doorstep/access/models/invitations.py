"""Invitations to the customer portal."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Invitation(models.Model):
    """A single-use code that lets a contact set a password and sign in.

    Only a hash of the code is kept. The row outlives its contact on purpose: it
    remembers that an address was invited, so a contact deleted and added again is
    not invited automatically a second time.
    """

    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )
    email = models.EmailField(help_text="The address the invitation was sent to.")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    automatic = models.BooleanField(
        default=False, help_text="Sent because the contact was added, not by a person."
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("sent")
    expires_at = models.DateTimeField("valid until")
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications_invitation"
        ordering = ["-created_at"]
        constraints = [
            # The rule "at most one automatic invitation per address, ever", held by
            # the database so that two contacts added at once cannot both get one.
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(automatic=True),
                name="one_automatic_invitation_per_email",
                violation_error_message="This address was already invited automatically.",
            ),
        ]
        indexes = [models.Index(Lower("email"), name="invitation_email_lower")]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.expires_at > now
