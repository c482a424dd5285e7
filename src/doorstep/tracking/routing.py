"""WebSocket routes of the live visit: joined to the HTTP routes in `project/asgi.py`."""

from typing import Any, cast

from django.urls import path, re_path

from doorstep.tracking.consumers import AccountVisitConsumer, VisitLinkConsumer, not_available

websocket_urlpatterns = [
    path("ws/visits/<str:code>/", VisitLinkConsumer.as_asgi()),
    path("ws/bookings/<int:booking_id>/", AccountVisitConsumer.as_asgi()),
    # Last: every other path, malformed ids included, is closed like a refused visit.
    re_path(r"", cast(Any, not_available)),  # an ASGI application, as the others
]
