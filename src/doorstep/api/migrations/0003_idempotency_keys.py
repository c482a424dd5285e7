"""Idempotency keys move from the cache to the database, so every process sees them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("api", "0002_api_keys_move_to_access"),
    ]

    operations = [
        migrations.CreateModel(
            name="IdempotencyKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key_digest",
                    models.CharField(help_text="SHA-256 of the client's key.", max_length=64),
                ),
                (
                    "fingerprint",
                    models.CharField(
                        help_text="SHA-256 of the request's method, address and body.",
                        max_length=64,
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[("pending", "being answered"), ("done", "answered")], max_length=10
                    ),
                ),
                ("status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("content", models.BinaryField(default=b"")),
                ("headers", models.JSONField(default=dict)),
                (
                    "expires_at",
                    models.DateTimeField(
                        help_text="When a lapsed claim or an old answer is forgotten."
                    ),
                ),
                (
                    "api_key",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="access.apikey",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["expires_at"], name="idempotency_key_expiry")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("api_key", "key_digest"), name="idempotency_key_once_per_api_key"
                    )
                ],
            },
        ),
    ]
