"""Location ingest as Django views: the technician app, integrations and Traccar Client.

The reading and answering are `api.ingest`'s and the recording `tracking.ingest`'s, shared
with the server's fast lane (`api.fast_lane`), which answers most of these requests before
Django sees them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from doorstep.api import answers, ingest
from doorstep.tracking.ingest import Job
from doorstep.workforce.models import Resource


def _response(answer: answers.Answer) -> JsonResponse:
    response = JsonResponse(answer.body, status=answer.status)
    if answer.retry_after is not None:
        response["Retry-After"] = str(answer.retry_after)
    return response


def _submit(job: Job | answers.Answer) -> JsonResponse:
    if isinstance(job, answers.Answer):
        return _response(job)
    return _response(ingest.submit(job))


def _body(request: HttpRequest) -> bytes | answers.Answer:
    try:
        return request.body
    except RequestDataTooBig:
        return answers.error(
            413,
            f"The request is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes: "
            "send fewer positions at once.",
        )


def _csrf_failed(request: HttpRequest) -> bool:
    # The view is exempt because integrations and the Traccar apps cannot send a token;
    # a signed-in browser can, and is checked here as the middleware would have.
    middleware = CsrfViewMiddleware(_empty_response)
    return middleware.process_view(request, _empty_response, (), {}) is not None


def _empty_response(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def _signed_in_technician(request: HttpRequest) -> Resource | answers.Answer:
    if not request.user.is_authenticated:
        return answers.error(
            401, "Sign in as a technician, or send an API key as “Authorization: Bearer <key>”."
        )
    if _csrf_failed(request):
        return answers.error(
            403,
            "The CSRF token is missing or wrong: send the csrftoken cookie's value "
            "in the X-CSRFToken header.",
        )
    technician = Resource.objects.filter(user=request.user).first()
    if technician is None:
        return answers.error(403, "Only a technician can post locations.")
    return technician


@csrf_exempt
@require_POST
def post_locations(request: HttpRequest) -> JsonResponse:
    """Take pings (a batch, or one) of the signed-in technician or of one an API key names."""
    key = ingest.key_from_header(request.headers.get("Authorization", ""))
    technician: Resource | None = None
    if key is not None:
        refused = ingest.check_key(key)  # before the body is read
        if refused is not None:
            return _response(refused)
    else:
        signed_in = _signed_in_technician(request)
        if isinstance(signed_in, answers.Answer):
            return _response(signed_in)
        technician = signed_in
    body = _body(request)
    if isinstance(body, answers.Answer):
        return _response(body)
    return _submit(ingest.read_locations(body, technician=technician, key=key))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def osmand(request: HttpRequest) -> JsonResponse:
    """The OsmAnd protocol of the Traccar Client apps, keyed by the tracking device id."""
    body = _body(request)
    if isinstance(body, answers.Answer):
        return _response(body)
    return _submit(
        ingest.read_osmand(
            method=request.method or "GET",
            query_string=request.META.get("QUERY_STRING", ""),
            content_type=request.content_type or "",
            body=body,
            client=ingest.client_of(request.META),
        )
    )
