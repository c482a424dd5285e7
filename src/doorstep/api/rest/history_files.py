"""What the service history's API resources share: their files' answers and schema, links,
upload refusals, and filters by the records a file belongs to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from doorstep.core.errors import DomainError
from doorstep.history.models import (
    Document,
)
from doorstep.history.selectors import stored_file
from doorstep.history.serving import file_response

FILE_DESCRIPTION = (
    "The file, with its type and name (Content-Disposition); with an S3 store, a redirect "
    "(302) to an address signed for it for a minute."
)


def file_responses(*content_types: str) -> dict[Any, Any]:
    return {
        **{
            (200, kind): OpenApiResponse(OpenApiTypes.BINARY, description=FILE_DESCRIPTION)
            for kind in content_types
        },
        302: OpenApiResponse(description="To the file in the S3 store, signed for a minute."),
    }


MULTIPART = ("multipart/form-data",)


def link(request: Request, name: str, pk: int) -> str:
    return request.build_absolute_uri(reverse(f"api:{name}", args=[pk]))


def file_answer(kind: str, pk: str, *, as_attachment: bool = False) -> HttpResponse:
    stored = stored_file(kind, int(pk))
    if stored is None:
        raise Document.DoesNotExist
    # An API key reads what the office reads: the check of who asks was the key's scope.
    return file_response(stored, as_attachment=as_attachment)


def refused_file(error: DomainError, field: str = "file") -> ValidationError:
    """An upload the service refused, as a 400 naming the field and the reason."""
    return ValidationError({field: [error.message]})


def filtered(queryset: QuerySet[Any], filters: Mapping[str, Any], fields: tuple[str, ...]) -> Any:
    for name in fields:
        if name in filters:
            queryset = queryset.filter(**{f"{name}_id" if name != "type" else name: filters[name]})
    return queryset
