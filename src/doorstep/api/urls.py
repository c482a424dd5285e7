from django.urls import path

from doorstep.api import locations

app_name = "api"

urlpatterns = [
    path("locations", locations.post_locations, name="locations"),
    path("osmand", locations.osmand, name="osmand"),
]
