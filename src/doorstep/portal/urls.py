from django.urls import path

from doorstep.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("invite/", views.invite, name="invite"),
    path("invite/<str:code>/", views.invite, name="invite_code"),
    path("profile/", views.profile, name="profile"),
]
