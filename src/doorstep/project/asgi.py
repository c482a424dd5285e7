"""The ASGI application: Django for HTTP; WebSocket routes join here as they arrive."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doorstep.project.settings")

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

application = ProtocolTypeRouter({"http": django_application})
