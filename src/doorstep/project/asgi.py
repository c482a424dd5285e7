"""The ASGI application: Django for HTTP, Channels consumers for WebSockets.

Doorstep's views and middleware are synchronous. Django's own ASGI handler runs them
through a new thread for every request and a thread hop for every middleware, which
costs about 2 ms of CPU per request and a new database connection each time. So the
HTTP side runs Django as a WSGI application in a fixed pool of threads (a2wsgi): each
thread keeps its database connection, and a request costs a third of that. Before
Django, ServeStatic answers static files and the fast lane (`api.fast_lane`) location
pings; WebSockets go to the consumers.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doorstep.project.settings")

from a2wsgi import WSGIMiddleware
from asgiref.typing import ASGIReceiveCallable, ASGISendCallable, Scope
from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from servestatic.asgi import ServeStaticASGI

# Django first: the consumers import models, which need the apps loaded.
django_wsgi = get_wsgi_application()

from doorstep.api.fast_lane import FastLane  # noqa: E402
from doorstep.core import server_loop  # noqa: E402
from doorstep.project.running_places import RunningPlaces  # noqa: E402
from doorstep.project.static_files import static_files_options  # noqa: E402
from doorstep.tracking.routing import websocket_urlpatterns  # noqa: E402

http_application = ServeStaticASGI(
    FastLane(
        WSGIMiddleware(
            RunningPlaces(django_wsgi, settings.DOORSTEP_HTTP_RUNNING),  # type: ignore[arg-type]
            workers=settings.DOORSTEP_HTTP_THREADS,
        )
    ),
    **static_files_options(),
)

router = ProtocolTypeRouter(
    {
        "http": http_application,
        # Browsers send cookies with a WebSocket to any site that opens one, so only
        # pages of this site may connect (the signed-in contact's socket rides on them).
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)


async def application(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
    # Threads of this process hand live-map updates to this loop (core.server_loop).
    server_loop.remember()
    await router(scope, receive, send)
