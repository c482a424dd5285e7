"""What the OpenAPI document says beyond what drf-spectacular reads from the views."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "doorstep.api.rest.keys.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API key made in the back office (API keys), sent as "
                "`Authorization: Bearer <key>`. Each key has scopes: read, write, "
                "dispatch, tracking, webhooks."
            ),
        }
