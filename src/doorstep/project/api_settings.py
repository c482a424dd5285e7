"""Settings of the integration API (/api/v1/) and its webhooks, read by Django REST
framework, drf-spectacular and the webhook sender; `settings.py` takes them in."""

from doorstep.project.env import env_bool, env_int

# API keys only (no session sign-in: a browser's cookies never act on the API), answers and
# errors in JSON (errors as RFC 9457 problem details), cursor pages that stay stable while
# records are added. The browsable docs at /api/v1/docs/ come from the project itself.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["doorstep.api.rest.keys.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["doorstep.api.rest.keys.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["doorstep.api.rest.keys.KeyRateLimit"],
    # Requests a minute that one API key may make (answered 429 with Retry-After beyond it).
    "DEFAULT_THROTTLE_RATES": {"api-key": f"{env_int('DOORSTEP_API_RATE_LIMIT', 600)}/min"},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "doorstep.api.rest.pages.SyncCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "doorstep.api.rest.problems.problem_response",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Doorstep API",
    "DESCRIPTION": (
        "Customers, sites, equipment, service types, technicians, work orders, visits, free "
        "times, visit links, messages and feedback, for a company's own dispatch system, CRM "
        "or website. Send an API key as `Authorization: Bearer <key>`; "
        "staff make keys in the back office, each with the scopes it needs."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False},
    "ENUM_NAME_OVERRIDES": {"BookingStatusEnum": "doorstep.scheduling.models.BookingStatus"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "doorstep.api.rest.schema.document_idempotency_keys",
    ],
    # One schema per event sent to webhook endpoints (OpenAPI 3.1 `webhooks`).
    "WEBHOOKS": [
        f"doorstep.api.rest.webhook_events.webhook_{name.replace('.', '_')}"
        for name in (
            "booking.created",
            "booking.rescheduled",
            "booking.canceled",
            "booking.status_changed",
            "booking.eta_changed",
            "booking.running_late",
            "feedback.received",
            "notification.failed",
            "invitation.redeemed",
            "contact.updated",
            "document.published",
            "visit.report_ready",
            "service_plan.change_requested",
            "webhook.test",
        )
    ],
}

# Only for an install whose receivers live on its own network: lets webhooks go to private,
# loopback and link-local addresses, over plain HTTP too (doorstep.webhooks.guard).
DOORSTEP_WEBHOOKS_ALLOW_PRIVATE = env_bool("DOORSTEP_WEBHOOKS_ALLOW_PRIVATE")
