"""WebSocket routes of the live visit: joined to the HTTP routes in `project/asgi.py`."""

from django.urls import path

from doorstep.tracking.consumers import AccountVisitConsumer, VisitLinkConsumer

websocket_urlpatterns = [
    path("ws/visits/<str:code>/", VisitLinkConsumer.as_asgi()),
    path("ws/bookings/<int:booking_id>/", AccountVisitConsumer.as_asgi()),
]
