"""The routes of the integration API and its OpenAPI document and docs."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from doorstep.api.rest import (
    access,
    catalog,
    customers,
    deletions,
    feedback,
    history,
    notifications,
    plans,
    scheduling,
    slots,
    visit_files,
    webhooks,
    workforce,
)

router = SimpleRouter(trailing_slash=False)
router.register("accounts", customers.AccountViewSet, basename="account")
router.register("contacts", customers.ContactViewSet, basename="contact")
router.register("sites", customers.SiteViewSet, basename="site")
router.register("assets", customers.AssetViewSet, basename="asset")
router.register("service-types", catalog.ServiceTypeViewSet, basename="service-type")
router.register("technicians", workforce.TechnicianViewSet, basename="technician")
router.register("work-orders", scheduling.WorkOrderViewSet, basename="work-order")
router.register("bookings", scheduling.BookingViewSet, basename="booking")
router.register("visit-links", access.VisitLinkViewSet, basename="visit-link")
router.register("notifications", notifications.NotificationViewSet, basename="notification")
router.register("feedback", feedback.FeedbackViewSet, basename="feedback")
router.register("documents", history.DocumentViewSet, basename="document")
router.register("photos", visit_files.PhotoViewSet, basename="photo")
router.register("service-reports", visit_files.ServiceReportViewSet, basename="service-report")
router.register("service-plans", plans.ServicePlanViewSet, basename="service-plan")
router.register(
    "service-plan-change-requests", plans.ChangeRequestViewSet, basename="service-plan-change"
)
router.register("webhook-endpoints", webhooks.WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", webhooks.WebhookDeliveryViewSet, basename="webhook-delivery")


class Docs(SpectacularSwaggerSplitView):
    # The same page with its script and styles in files: nothing inline, for the CSP.
    template_name = "api/docs.html"
    authentication_classes: list[type] = []
    permission_classes: list[type] = []


class OpenApiDocument(SpectacularJSONAPIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []


urlpatterns = [
    path("openapi.json", OpenApiDocument.as_view(), name="openapi"),
    path("docs/", Docs.as_view(url_name="api:openapi"), name="docs"),
    path("slots", slots.SlotViewSet.as_view({"get": "list"}), name="slots"),
    path("deletions", deletions.DeletionViewSet.as_view({"get": "list"}), name="deletions"),
    *router.urls,
]
