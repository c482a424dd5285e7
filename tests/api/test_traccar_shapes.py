"""Every request shape of Traccar's own OsmAnd decoder test, replayed with today's times.

Traccar's server tests its OsmAnd decoder (OsmAndProtocolDecoderTest) with requests its
users' devices sent. Each is written out here as data: its path and query or its JSON
body, with the time moved to now in the same format, and what Doorstep stores of it.
Each shape comes from a device of its own, as in that test, so their positions around
the world are not compared with each other.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from doorstep.tracking.models import LatestPosition, LocationPing
from tests.api.conftest import make_client
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

KNOT = 1852 / 3600


@dataclass(frozen=True)
class Shape:
    """One request, its time as `{time}` in the format the sender used, and what is stored."""

    device: str
    query: str = ""
    body: dict[str, Any] | None = None
    time_format: str = "seconds"
    stored: dict[str, Any] = field(default_factory=dict)  # LocationPing fields; {} for none
    path: str = "/api/v1/osmand"


def _json(device: str, time: str = "{time}", **location: Any) -> dict[str, Any]:
    return {"device_id": device, "location": {"timestamp": time, **location}}


SHAPES = {
    "json, Traccar Client 9 on Android, stationary": Shape(
        device="48241179",
        body=_json(
            "48241179",
            coords={
                "latitude": 37.4219983,
                "longitude": -122.084,
                "accuracy": 5,
                "speed": 0,
                "heading": -1,
                "altitude": 5,
            },
            is_moving=False,
            odometer=0,
            event="motionchange",
            battery={"level": 1, "is_charging": False},
            activity={"type": "still"},
            extras={},
            _="&id=48241179&lat=37.4219983&lon=-122.084&timestamp={time}&",
        ),
        time_format="iso",
        stored={
            "latitude": 37.421998,
            "longitude": -122.084,
            "accuracy_m": 5,
            "speed_mps": 0,
            "heading_deg": None,
            "altitude_m": 5,
            "battery_percent": 100,
        },
    ),
    "json with typed extras": Shape(
        device="48241180",
        body=_json(
            "48241180",
            coords={
                "latitude": 37.4219983,
                "longitude": -122.084,
                "accuracy": 5,
                "speed": 0,
                "heading": -1,
                "altitude": 5,
            },
            battery={"level": 1, "is_charging": False},
            extras={
                "device_string_test": "long_device_id",
                "device_bool_test": True,
                "device_integer_twelve_test": 12,
                "device_double_test": 1.345,
            },
        ),
        time_format="iso",
        stored={"latitude": 37.421998, "longitude": -122.084, "battery_percent": 100},
    ),
    "json, iOS simulator: unknown values as -1, mock location": Shape(
        device="658765",
        body=_json(
            "658765",
            extras={},
            mock=True,
            is_moving=False,
            age=188,
            odometer=0,
            uuid="2FB04C65-99CF-42AB-8DD3-EBCB4B108BF8",
            event="motionchange",
            coords={
                "speed_accuracy": -1,
                "speed": -1,
                "longitude": -122.406417,
                "ellipsoidal_altitude": 0,
                "floor": None,
                "heading_accuracy": -1,
                "latitude": 37.785834000000001,
                "accuracy": 5,
                "altitude_accuracy": -1,
                "altitude": 0,
                "heading": -1,
            },
            battery={"level": -1, "is_charging": False},
            activity={"type": "unknown", "confidence": 100},
        ),
        time_format="iso",
        stored={
            "latitude": 37.785834,
            "longitude": -122.406417,
            "accuracy_m": 5,
            "speed_mps": None,
            "heading_deg": None,
            "altitude_m": 0,
            "battery_percent": None,
        },
    ),
    "json, moving, battery 0.79": Shape(
        device="8737767034",
        body=_json(
            "8737767034",
            event="motionchange",
            is_moving=False,
            odometer=0,
            coords={
                "latitude": -6.1148096,
                "longitude": 106.6837015,
                "accuracy": 3.8,
                "speed": 18.67,
                "speed_accuracy": 0.26,
                "heading": 63,
                "heading_accuracy": 0.28,
                "altitude": 35.7,
                "altitude_accuracy": 3.8,
            },
            battery={"is_charging": False, "level": 0.79},
        ),
        time_format="iso",
        stored={
            "latitude": -6.11481,
            "longitude": 106.683702,
            "accuracy_m": 3.8,
            "speed_mps": 18.67,
            "heading_deg": 63,
            "altitude_m": 35.7,
            "battery_percent": 79,
        },
    ),
    "cell towers and Wi-Fi networks only, no coordinates": Shape(
        device="123456",
        query="id=123456&timestamp={time}&cell=257,02,16,2224&cell=257,02,16,2223,-90"
        "&wifi=00-14-22-01-23-45,-80&wifi=00-1C-B3-09-85-15,-70",
    ),
    "ISO time with hdop": Shape(
        device="902064",
        query="id=902064&lat=42.06288&lon=-88.23412&timestamp={time}&hdop=6.0"
        "&altitude=224.0&speed=0.0",
        time_format="iso-escaped",
        stored={
            "latitude": 42.06288,
            "longitude": -88.23412,
            "accuracy_m": 30,
            "altitude_m": 224,
            "speed_mps": 0,
        },
    ),
    "time in milliseconds": Shape(
        device="902065",
        query="id=902065&lat=42.06288&lon=-88.23412&timestamp={time}&hdop=6.0"
        "&altitude=224.0&speed=0.0",
        time_format="milliseconds",
        stored={"latitude": 42.06288, "longitude": -88.23412, "accuracy_m": 30},
    ),
    "yyyy-MM-dd+HH:mm:ss time, id last": Shape(
        device="353861053849681",
        query="lat=49.60688&lon=6.15788&timestamp={time}&altitude=384.7&speed=0.0"
        "&id=353861053849681",
        time_format="plain",
        stored={"latitude": 49.60688, "longitude": 6.15788, "altitude_m": 384.7},
    ),
    "every field at zero": Shape(
        device="123457",
        query="id=123457&timestamp={time}&lat=60.0&lon=30.0&speed=0.0&bearing=0.0"
        "&altitude=0&hdop=0.0",
        stored={
            "latitude": 60,
            "longitude": 30,
            "speed_mps": 0,
            "heading_deg": 0,
            "altitude_m": 0,
            "accuracy_m": 0,
        },
    ),
    "only id, time and position": Shape(
        device="123458",
        query="id=123458&timestamp={time}&lat=60.0&lon=30.0",
        stored={"latitude": 60, "longitude": 30, "speed_mps": None, "battery_percent": None},
    ),
    "deviceid, heading, no time": Shape(
        device="123459",
        query="lat=60.0&lon=30.0&speed=0.0&heading=0.0&vacc=0&hacc=0&altitude=0&deviceid=123459",
        time_format="none",
        stored={"latitude": 60, "longitude": 30, "heading_deg": 0},
    ),
    "battery in percent, no time": Shape(
        device="861001000719969",
        query="id=861001000719969&lat=41.666667&lon=-0.883333&altitude=350.059479"
        "&speed=0.000000&batt=87",
        time_format="none",
        stored={"latitude": 41.666667, "longitude": -0.883333, "battery_percent": 87},
    ),
    "location as one field": Shape(
        device="123460",
        query="id=123460&timestamp={time}&location=60.0,30.0",
        stored={"latitude": 60, "longitude": 30},
    ),
    "speed in knots, vehicle fields": Shape(
        device="123456789012345",
        query="id=123456789012345&timestamp={time}&lat=40.7232948571&lon=-74.0061408571"
        "&bearing=7.19889788244&speed=40&ignition=true&rpm=933&fuel=24",
        stored={
            "latitude": 40.723295,
            "longitude": -74.006141,
            "heading_deg": 7.19889788244,
            "speed_mps": 40 * KNOT,
        },
    ),
}


def _time(when: datetime, time_format: str) -> str:
    return {
        "seconds": str(int(when.timestamp())),
        "milliseconds": str(int(when.timestamp() * 1000)),
        "iso": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "iso-escaped": when.isoformat().replace("+00:00", "Z").replace(":", "%3A"),
        "plain": f"{when:%Y-%m-%d+%H%%3A%M%%3A%S}",
        "none": "",
    }[time_format]


def send(app: Client, shape: Shape, when: datetime) -> Any:
    time = _time(when, shape.time_format)
    if shape.body is not None:
        body = json.dumps(shape.body).replace("{time}", time)
        return app.post(shape.path, body, content_type="application/json")
    return app.post(f"{shape.path}?{shape.query.replace('{time}', time)}")


@pytest.fixture
def app(lane: str) -> Client:
    return make_client(lane, enforce_csrf_checks=True)


@pytest.mark.parametrize("name", SHAPES)
def test_each_shape_answers_200_and_is_stored_as_sent(app: Client, name: str) -> None:
    shape = SHAPES[name]
    technician = ResourceFactory(tracking_device_id=shape.device)
    when = (timezone.now() - timedelta(seconds=5)).replace(microsecond=0)
    response = send(app, shape, when)
    assert response.status_code == 200, response.content
    assert response.json() == {"received": 1}
    if not shape.stored:
        assert not LocationPing.objects.exists()
        return
    ping = LocationPing.objects.get(resource=technician)
    if shape.time_format != "none":
        assert ping.recorded_at == when
    for name_, expected in shape.stored.items():
        value = getattr(ping, name_)
        if expected is None:
            assert value is None, name_
        else:
            assert float(value) == pytest.approx(expected, abs=1e-6), name_


def test_the_shape_without_an_id_is_refused_with_the_reason(app: Client) -> None:
    response = app.get("/api/v1/osmand?timestamp=1377177267&lat=60.0&lon=30.0")
    assert response.status_code == 400
    assert response.json()["error"] == "Send the device identifier as id."


def test_a_position_without_coordinates_is_logged_as_refused(
    app: Client, caplog: pytest.LogCaptureFixture
) -> None:
    # A 400 would make Traccar Client resend the position forever, holding back the rest.
    ResourceFactory(tracking_device_id="123456")
    caplog.set_level(logging.INFO, logger="doorstep.api.ingest")
    send(app, SHAPES["cell towers and Wi-Fi networks only, no coordinates"], timezone.now())
    assert "OsmAnd position of '123456' refused: " in caplog.text
    assert "no latitude and longitude" in caplog.text


def test_the_address_with_a_final_slash_is_the_same_endpoint(app: Client) -> None:
    technician = ResourceFactory(tracking_device_id="123458")
    shape = SHAPES["only id, time and position"]
    response = send(app, Shape(**{**shape.__dict__, "path": "/api/v1/osmand/"}), timezone.now())
    assert response.status_code == 200
    assert response.json() == {"received": 1}
    assert LocationPing.objects.filter(resource=technician).exists()


@pytest.mark.parametrize("battery", ["150", "-5", "100.5"])
def test_an_impossible_battery_level_is_dropped_and_the_position_kept(
    app: Client, battery: str
) -> None:
    technician = ResourceFactory(tracking_device_id="123458")
    response = app.get(f"/api/v1/osmand?id=123458&lat=60.0&lon=30.0&batt={battery}")
    assert response.status_code == 200
    ping = LocationPing.objects.get(resource=technician)
    assert (float(ping.latitude), ping.battery_percent) == (60.0, None)


def test_an_impossible_battery_level_in_json_is_dropped_and_the_position_kept(
    app: Client,
) -> None:
    technician = ResourceFactory(tracking_device_id="48241179")
    body = _json(
        "48241179",
        timezone.now().isoformat(),
        coords={"latitude": 37.42, "longitude": -122.08},
        battery={"level": 1.5},
    )
    app.post("/api/v1/osmand", json.dumps(body), content_type="application/json")
    assert LocationPing.objects.get(resource=technician).battery_percent is None


def _jakarta_then(app: Client, *, seconds: float, latitude: float, longitude: float) -> None:
    first = timezone.now() - timedelta(seconds=seconds + 10)
    for when, (lat, lon) in (
        (first, (-6.1148096, 106.6837015)),
        (first + timedelta(seconds=seconds), (latitude, longitude)),
    ):
        timestamp = int(when.timestamp() * 1000)
        response = app.get(
            f"/api/v1/osmand?id=8737767034&lat={lat}&lon={lon}&timestamp={timestamp}"
        )
        assert response.status_code == 200


def test_a_jump_faster_than_any_van_is_refused_with_the_reason(
    app: Client, caplog: pytest.LogCaptureFixture
) -> None:
    technician = ResourceFactory(tracking_device_id="8737767034")
    caplog.set_level(logging.INFO, logger="doorstep.api.ingest")
    _jakarta_then(app, seconds=1.3, latitude=37.4219983, longitude=-122.084)  # 14,000 km
    assert LocationPing.objects.filter(resource=technician).count() == 1
    latest = LatestPosition.objects.get(resource=technician)
    assert float(latest.latitude) == pytest.approx(-6.11481)
    assert "km from the previous one, 1.3 seconds earlier: faster than 360 km/h" in caplog.text


@pytest.mark.parametrize(
    ("seconds", "latitude", "longitude"),
    [
        (1.3, -6.1149, 106.6838),  # a few metres: a van, or the receiver's noise
        (60, -6.1148096, 106.7337015),  # 5.5 km in a minute: 330 km/h is still possible
        (11 * 60, 37.4219983, -122.084),  # too long after to tell which one was wrong
    ],
    ids=["metres", "fast van", "long after"],
)
def test_a_plausible_move_is_stored(
    app: Client, seconds: float, latitude: float, longitude: float
) -> None:
    technician = ResourceFactory(tracking_device_id="8737767034")
    _jakarta_then(app, seconds=seconds, latitude=latitude, longitude=longitude)
    assert LocationPing.objects.filter(resource=technician).count() == 2
