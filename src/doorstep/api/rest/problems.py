"""Every refusal of the API as an RFC 9457 problem: a title a person can read, the HTTP
status, what went wrong, and for bad input a list of fields with what is wrong in each."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from doorstep.api.rest.keys import HOW_TO_SEND
from doorstep.core.errors import DomainError

logger = logging.getLogger("doorstep.api")

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Some of what was sent is not right",
    401: "An API key is needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Answer format not available",
    409: "Conflict",
    412: "Changed since you read it",
    413: "Too large",
    415: "Send JSON",
    422: "Refused",
    428: "If-Match needed",
    429: "Too many requests",
    500: "Something went wrong on our side",
}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record changed since you read it (its ETag no longer matches If-Match): "
        "read it again, then send your change."
    )
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Refused(exceptions.APIException):
    """What the product refuses (a DomainError), with its own words."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "refused"


def field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten a serializer's nested errors into [{field, message}], fields as dotted paths."""
    if isinstance(detail, Mapping):
        found: list[dict[str, str]] = []
        for key, value in detail.items():
            name = key if key != api_settings.NON_FIELD_ERRORS_KEY else ""
            found += field_errors(value, f"{prefix}.{name}" if prefix and name else name or prefix)
        return found
    if isinstance(detail, Sequence) and not isinstance(detail, str):
        found = []
        for index, value in enumerate(detail):
            if isinstance(value, Mapping | list):
                found += field_errors(value, f"{prefix}.{index}" if prefix else str(index))
            else:
                found += field_errors(value, prefix)
        return found
    return [{"field": prefix, "message": str(detail)}]


def translate(exc: Exception) -> Exception:  # noqa: PLR0911 (one answer per kind)
    """Django's and the domain's exceptions as the API's."""
    if isinstance(exc, DomainError):
        return Refused(exc.message)
    if isinstance(exc, exceptions.NotAuthenticated):
        return exceptions.NotAuthenticated(HOW_TO_SEND)
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, int(exc.wait or 1))
        return exceptions.Throttled(
            wait, f"This API key made too many requests this minute: wait {wait} s."
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    if isinstance(exc, ProtectedError | RestrictedError):
        return Conflict(
            "Other records still refer to this one (for example visits or work orders): "
            "it cannot be deleted. Mark it inactive instead where that is possible."
        )
    if isinstance(exc, IntegrityError):
        return Conflict(
            "This change conflicts with another one made at the same time, or with a "
            "record that already exists: read the record again and retry."
        )
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return exceptions.NotFound("Nothing with this id exists (or it was deleted).")
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def problem(status_code: int, detail: str, **extra: Any) -> Response:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Refused"),
        "status": status_code,
        "detail": detail,
        **extra,
    }
    return Response(body, status=status_code, content_type=PROBLEM_TYPE)


def problem_response(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's exception handler: every error of the API answered as a problem."""
    exc = translate(exc)
    if not isinstance(exc, exceptions.APIException):
        view = context.get("view")
        logger.exception("The API failed on %s", type(view).__name__ if view else "a request")
        set_rollback()
        return problem(
            500, "The request could not be completed. Nothing was changed: try again later."
        )
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        response = problem(400, "Some fields are missing or not right: see errors.", errors=errors)
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response = problem(exc.status_code, str(detail))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response["WWW-Authenticate"] = 'Bearer realm="Doorstep API"'
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(max(1, int(exc.wait)))
    return response
