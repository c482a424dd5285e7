"""What the API keeps of its own: the answers to requests sent with an `Idempotency-Key`."""

from __future__ import annotations

from django.db import models

from doorstep.access.models import ApiKey


class IdempotencyKeyState(models.TextChoices):
    PENDING = "pending", "being answered"
    DONE = "done", "answered"


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key`, per API key: claimed by the first request that sent it,
    then holding that request's answer for the retries (`api.rest.idempotency`)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key_digest = models.CharField(max_length=64, help_text="SHA-256 of the client's key.")
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the request's method, address and body."
    )
    state = models.CharField(max_length=10, choices=IdempotencyKeyState.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content = models.BinaryField(default=b"")
    headers = models.JSONField(default=dict)
    expires_at = models.DateTimeField(
        help_text="When a lapsed claim or an old answer is forgotten."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_key", "key_digest"], name="idempotency_key_once_per_api_key"
            )
        ]
        indexes = [models.Index(fields=["expires_at"], name="idempotency_key_expiry")]

    def __str__(self) -> str:
        return f"{self.key_digest[:12]}… ({self.state})"
