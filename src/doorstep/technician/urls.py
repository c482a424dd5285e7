from django.urls import path

from doorstep.technician import history_views, views

app_name = "technician"

urlpatterns = [
    path("", views.visits, name="visits"),
    path("visits/<int:booking_id>/status/", views.change_status, name="change_status"),
    # The record of a visit in progress (history_views.py).
    path("visits/<int:booking_id>/photos/", history_views.add_photos, name="add_photos"),
    path("visits/<int:booking_id>/record/", history_views.record, name="record"),
]
