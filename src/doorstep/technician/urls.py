from django.urls import path

from doorstep.technician import views

app_name = "technician"

urlpatterns = [
    path("", views.visits, name="visits"),
    path("visits/<int:booking_id>/status/", views.change_status, name="change_status"),
]
