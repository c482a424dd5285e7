"""What customers said of their completed visits. Read only: customers give it."""

from __future__ import annotations

from rest_framework import serializers

from doorstep.api.rest.resources import WrittenOnceViewSet
from doorstep.scheduling.models import VisitFeedback


class FeedbackSerializer(serializers.ModelSerializer):
    class Meta:
        model = VisitFeedback
        fields = ("id", "booking", "rating", "comment", "given_by", "created_at")
        read_only_fields = fields


class FeedbackViewSet(WrittenOnceViewSet):
    """Ratings (1 to 5) and comments of completed visits."""

    queryset = VisitFeedback.objects.all()
    serializer_class = FeedbackSerializer
