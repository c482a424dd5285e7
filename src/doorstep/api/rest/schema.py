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


def document_idempotency_keys(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every POST and PATCH takes an `Idempotency-Key` header (see `idempotency`)."""
    header = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": (
            "Any unique string (a UUID): sent again with the same request within 24 hours, "
            "the first answer is given again and nothing is done twice."
        ),
    }
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in {"post", "patch"}:
                operation.setdefault("parameters", []).append(header)
    return result
