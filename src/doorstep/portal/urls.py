from django.urls import path

from doorstep.portal import (
    accessibility,
    booking,
    branding,
    downloads,
    equipment_views,
    feedback,
    history_views,
    plans_views,
    views,
    visit_link_survey,
    visit_link_views,
    visit_views,
)

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    # For browsers and tools that ask for it without reading the pages' icon link.
    path("favicon.ico", views.favicon, name="favicon"),
    # The company's colours and font, under an address that changes with them.
    path("branding/<str:version>.css", branding.stylesheet, name="branding"),
    path("accessibility/", accessibility.statement, name="accessibility"),
    path("invite/", views.invite, name="invite"),
    path("invite/<str:code>/", views.invite, name="invite_code"),
    path("profile/", views.profile, name="profile"),
    path("book/", booking.book, name="book"),
    path("book/times/", booking.times, name="times"),
    path("visits/<int:booking_id>/", visit_views.confirmation, name="confirmation"),
    path("visits/<int:booking_id>/calendar.ics", visit_views.calendar, name="calendar"),
    path("visits/<int:booking_id>/modify/", booking.modify, name="modify"),
    path("visits/<int:booking_id>/cancel/", visit_views.cancel, name="cancel"),
    path("visits/<int:booking_id>/live/", visit_link_views.live_visit, name="live"),
    path("visits/<int:booking_id>/feedback/", feedback.visit_feedback, name="feedback"),
    # A visit link's survey (the rest of `/t/<code>/` lives in visit_link_views).
    path("t/<str:code>/feedback/", visit_link_survey.open_survey, name="visit_link_feedback"),
    path("rate/", visit_link_survey.survey, name="visit_survey"),
    path("history/", history_views.service_history, name="history"),
    path("plans/", plans_views.service_plans, name="plans"),
    path("plans/<int:plan_id>/change/", plans_views.change_plan, name="plan_change"),
    path("equipment/<int:asset_id>/", equipment_views.equipment, name="equipment"),
    # The service history's private files (downloads.py says who may have them).
    path("files/<str:kind>/<int:pk>/", downloads.signed_in_download, name="file"),
    path(
        "t/<str:code>/files/<str:kind>/<int:pk>/",
        downloads.visit_link_download,
        name="visit_link_file",
    ),
]
