"""Keys that integrations present to the API."""

from __future__ import annotations

from django.db import models


class ApiKey(models.Model):
    """A secret an integration sends as `Authorization: Bearer <key>`.

    Only a SHA-256 hash of the key is stored: the key itself is shown once, when it is
    created, and a stolen database copy does not reveal it.
    """

    name = models.CharField(
        max_length=100, help_text="Who uses the key, for example “Dispatch system”."
    )
    prefix = models.CharField(
        "key starts with",
        max_length=16,
        editable=False,
        help_text="The first characters of the key, to recognise it.",
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(
        default=True, help_text="Untick to revoke the key: requests with it are refused."
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    last_used_at = models.DateTimeField("last used", null=True, blank=True, editable=False)

    class Meta:
        db_table = "api_apikey"
        ordering = ["name"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
