"""Where technicians are: every accepted location ping, and the latest one per technician."""

from __future__ import annotations

from django.db import models

from doorstep.workforce.models import Resource


class PingSource(models.TextChoices):
    APP = "app", "Technician app"
    API = "api", "API integration"
    OSMAND = "osmand", "Traccar Client (OsmAnd protocol)"


class LocationPing(models.Model):
    """One position a technician's phone or an integration reported."""

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="location_pings", verbose_name="technician"
    )
    # The sender's own identifier; empty for the technician app, whose pings are
    # identified by the signed-in technician alone.
    device_id = models.CharField("device id", max_length=64, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    accuracy_m = models.FloatField("accuracy (m)", null=True, blank=True)
    speed_mps = models.FloatField("speed (m/s)", null=True, blank=True)
    heading_deg = models.FloatField("heading (degrees)", null=True, blank=True)
    altitude_m = models.FloatField("altitude (m)", null=True, blank=True)
    battery_percent = models.FloatField("battery (%)", null=True, blank=True)
    recorded_at = models.DateTimeField(help_text="When the device took the position.")
    received_at = models.DateTimeField(help_text="When Doorstep accepted it.")
    source = models.CharField(max_length=10, choices=PingSource.choices)

    class Meta:
        ordering = ["resource", "-recorded_at"]
        verbose_name = "location ping"
        constraints = [
            # A device that resends a ping it already delivered (its buffer after a
            # lost answer) must not store it twice.
            models.UniqueConstraint(
                "resource",
                "device_id",
                "recorded_at",
                name="location_ping_once_per_device_and_time",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90),
                name="location_ping_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180),
                name="location_ping_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "-recorded_at"], name="ping_latest_per_technician"),
            models.Index(fields=["received_at"], name="ping_purge_by_received_at"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} at {self.latitude}, {self.longitude} ({self.recorded_at:%H:%M:%S})"


class LatestPosition(models.Model):
    """The newest accepted ping of a technician, so that reading it is one row."""

    resource = models.OneToOneField(
        Resource,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="latest_position",
        verbose_name="technician",
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    accuracy_m = models.FloatField("accuracy (m)", null=True, blank=True)
    speed_mps = models.FloatField("speed (m/s)", null=True, blank=True)
    heading_deg = models.FloatField("heading (degrees)", null=True, blank=True)
    recorded_at = models.DateTimeField()
    received_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=PingSource.choices)

    class Meta:
        verbose_name = "latest position"

    def __str__(self) -> str:
        return f"{self.resource} at {self.latitude}, {self.longitude}"

    @property
    def coordinates(self) -> tuple[float, float]:
        return (float(self.latitude), float(self.longitude))


class BookingEta(models.Model):
    """The live ETA of a Traveling visit, and the last routed trip it is adjusted from.

    Routing is paid for (a server's time, or an API's fee), so a technician's trip is
    routed at most every 30 seconds; the pings in between scale the last routed trip by
    the straight-line distance still to go (`routed_*`).
    """

    booking = models.OneToOneField(
        "scheduling.Booking", on_delete=models.CASCADE, primary_key=True, related_name="live_eta"
    )
    eta = models.DateTimeField("ETA")
    distance_m = models.FloatField("distance to go (m)")
    provider = models.CharField(max_length=40, help_text="Who answered the last estimate.")
    computed_at = models.DateTimeField()
    position_recorded_at = models.DateTimeField(
        null=True, blank=True, help_text="The position it starts from; empty: the home base."
    )
    last_routed_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: only estimated offline so far."
    )
    routed_duration = models.DurationField(null=True, blank=True)
    routed_distance_m = models.FloatField(null=True, blank=True)
    routed_straight_m = models.FloatField(
        null=True, blank=True, help_text="Straight-line distance to go when last routed."
    )
    # The road still to go, as the last routing answer drew it: [[lat, lon], ...], thinned
    # to a few hundred points. Empty when the provider gives no shape (offline estimates).
    route = models.JSONField(null=True, blank=True, help_text="The road still to go.")

    class Meta:
        verbose_name = "booking ETA"

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.eta:%H:%M}"


class RefusedPosition(models.Model):
    """A position that was not taken, and why: for the office to see what a phone sends.

    Only recent ones are kept (they are purged with the pings); the ingest still answers
    the sender as before.
    """

    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="refused_positions",
        verbose_name="technician",
    )
    device_id = models.CharField("device id", max_length=64, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=PingSource.choices)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["resource", "-received_at"]
        verbose_name = "refused position"
        indexes = [
            models.Index(fields=["resource", "-received_at"], name="refused_latest_per_technician"),
            models.Index(fields=["received_at"], name="refused_purge_by_received_at"),
        ]

    def __str__(self) -> str:
        return f"{self.resource}: {self.reason}"


class LiveSequence(models.Model):
    """How many live updates a visit's viewers have been sent.

    Each update takes the next number in the transaction that made its change, so the
    numbers follow the order in which the changes were committed, whatever order the
    updates then arrive in; the page and the sockets drop an update older than the
    state they hold (a position sent after the visit stopped traveling, say).
    """

    booking = models.OneToOneField(
        "scheduling.Booking", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "live update sequence"

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.value}"
