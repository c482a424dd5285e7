"""Visit links: the codes in messages that open one visit's page without signing in.
The codes themselves are never shown (only their hashes are kept); a link can be kept
working longer, ended now, or blocked for good, through the same services as the back
office."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from doorstep.access import visit_links
from doorstep.access.models import VisitLink, VisitLinkState
from doorstep.api.rest.resources import WrittenOnceViewSet


class VisitLinkSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null: a week after the visit ends."
    )
    message = serializers.PrimaryKeyRelatedField(source="notification", read_only=True)

    class Meta:
        model = VisitLink
        fields = ("id", "booking", "contact", "message", "state", "created_at", "valid_until",
                  "expires_at", "blocked_at")  # fmt: skip
        read_only_fields = fields

    def get_state(self, link: VisitLink) -> VisitLinkState:
        return link.state(timezone.now())


class ExtendSerializer(serializers.Serializer):
    until = serializers.DateTimeField(help_text="The link's new end, later than its current one.")


class VisitLinkViewSet(WrittenOnceViewSet):
    """Visit links sent to contacts, with whether each still opens its visit."""

    queryset = VisitLink.objects.with_expiry()
    serializer_class = VisitLinkSerializer

    def changed(self, link: VisitLink) -> Response:
        return self.answer(self.queryset.get(pk=link.pk))

    @extend_schema(request=ExtendSerializer, responses={200: VisitLinkSerializer})
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk: str) -> Response:
        """Keep the link working until a later time."""
        link = self.get_object()
        data = ExtendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.changed(visit_links.extend(link=link, until=data.validated_data["until"]))

    @extend_schema(request=None, responses={200: VisitLinkSerializer})
    @action(detail=True, methods=["post"])
    def expire(self, request: Request, pk: str) -> Response:
        """End the link now (it can be extended again later)."""
        return self.changed(visit_links.expire_now(link=self.get_object()))

    @extend_schema(request=None, responses={200: VisitLinkSerializer})
    @action(detail=True, methods=["post"])
    def block(self, request: Request, pk: str) -> Response:
        """Stop the link for good: for a code that reached the wrong person."""
        return self.changed(visit_links.block(link=self.get_object()))
