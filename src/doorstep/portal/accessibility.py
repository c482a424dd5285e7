"""The accessibility statement: what the portal conforms to, how that is checked, its known
limits, and whom to tell when something does not work. Public, like the sign-in page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def statement(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")
