"""The messages sent to customers (reminders, on the way, moved, …): what went to whom,
when, and whether it arrived. Read only; bodies are left out, as they carry visit codes."""

from __future__ import annotations

from rest_framework import serializers

from doorstep.api.rest.resources import WrittenOnceViewSet
from doorstep.notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    to = serializers.CharField(source="address", read_only=True)

    class Meta:
        model = Notification
        fields = ("id", "booking", "document", "contact", "message_type", "channel", "to",
                  "language", "subject", "state", "skip_reason", "attempts", "visit_start",
                  "created_at", "sent_at", "delivered_at")  # fmt: skip
        read_only_fields = fields


class NotificationViewSet(WrittenOnceViewSet):
    """Messages to contacts, each with its state (pending, sent, delivered, failed, skipped)."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
