from django.urls import path

from doorstep.api import locations
from doorstep.api.rest import urls as rest

app_name = "api"

urlpatterns = [
    path("locations", locations.post_locations, name="locations"),
    path("osmand", locations.osmand, name="osmand"),
    # Traccar Client sends to the address as typed, a final slash included.
    path("osmand/", locations.osmand, name="osmand-slash"),
    *rest.urlpatterns,
]
