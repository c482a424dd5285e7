"""A WSGI entry point, for servers that speak only WSGI (no live map over WebSocket then:
its pages fall back to polling). `doorstep serve` uses `asgi.py`."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doorstep.project.settings")

from django.core.wsgi import get_wsgi_application
from servestatic.wsgi import ServeStatic

from doorstep.project.static_files import static_files_options

application = ServeStatic(get_wsgi_application(), **static_files_options())
