from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve as serve_file

from doorstep.notifications.callback_views import email_report_urls, twilio_status_callback
from doorstep.portal import live_views
from doorstep.portal.language import javascript_catalog, switch_language

admin.site.site_header = "Doorstep back office"
admin.site.site_title = "Doorstep back office"
admin.site.index_title = "Back office"
admin.site.index_template = "admin/doorstep_index.html"  # adds the failed-messages count


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", include("doorstep.portal.urls")),
    path("t/<str:code>/status.json", live_views.visit_status, name="visit_link_status"),
    path("t/<str:code>/", include("doorstep.portal.visit_link_views")),  # visit links, no sign-in
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("doorstep.api.urls")),
    path("tech/", include("doorstep.technician.urls")),
    path("healthz", healthz, name="healthz"),
    path("language/", switch_language, name="set_language"),
    # The JavaScript's strings in the page's language (django.gettext and friends).
    path("jsi18n/<str:language>/", javascript_catalog, name="javascript-catalog"),
    path("hooks/twilio/status/", twilio_status_callback, name="twilio_status_callback"),
    # Email providers' delivery reports, at anymail's addresses; off until their secret is set.
    path("hooks/anymail/", include((email_report_urls(), "anymail"))),
    # Technician photos and the header image. One process serves them itself so that
    # the embedded install needs nothing else; a large install may serve this folder
    # from its reverse proxy instead.
    re_path(
        rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
        serve_file,
        {"document_root": settings.MEDIA_ROOT},
    ),
]
