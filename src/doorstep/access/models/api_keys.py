"""Keys that integrations present to the API."""

from __future__ import annotations

from django.db import models


class Scope(models.TextChoices):
    """What a key may do. A request outside its key's scopes is refused with 403."""

    READ = "read", "Read: customers, technicians, service types, visits and their history"
    WRITE = "write", "Write: create and change customers, sites, equipment and visits"
    DISPATCH = "dispatch", "Dispatch: book any time with a named technician, move visit statuses"
    TRACKING = "tracking", "Tracking: send technicians' positions"
    WEBHOOKS = "webhooks", "Webhooks: manage webhook endpoints and their deliveries"


def default_scopes() -> list[str]:
    # Keys made before scopes existed were only ever used to send positions.
    return [Scope.TRACKING.value]


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
    scopes = models.JSONField(
        default=default_scopes,
        help_text="What an integration with this key may do.",
    )
    expires_at = models.DateTimeField(
        "expires",
        null=True,
        blank=True,
        help_text="After this moment the key is refused. Leave empty for a key that lasts.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    last_used_at = models.DateTimeField("last used", null=True, blank=True, editable=False)

    class Meta:
        db_table = "api_apikey"
        ordering = ["name"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def allows(self, scope: Scope) -> bool:
        return scope.value in self.scopes
