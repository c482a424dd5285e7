"""The OsmAnd endpoint, fed requests shaped exactly as the Traccar Client apps send them."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from doorstep.tracking.models import LatestPosition, LocationPing, PingSource
from tests.api.conftest import make_client
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/osmand"
DEVICE = "82879256"


@pytest.fixture
def technician():  # type: ignore[no-untyped-def]
    return ResourceFactory(tracking_device_id=DEVICE)


@pytest.fixture
def app(lane: str) -> Client:
    """The phone: no session, no CSRF token, checked for CSRF like any other client."""
    return make_client(lane, enforce_csrf_checks=True)


def moment(seconds_ago: int = 5) -> datetime:
    return (timezone.now() - timedelta(seconds=seconds_ago)).replace(microsecond=0)


def classic_query(when: datetime, **extra: str) -> str:
    """Traccar Client for Android 7.x/8.x: ProtocolFormatter's query string, speed in knots."""
    fields = {
        "id": DEVICE,
        "timestamp": str(int(when.timestamp())),
        "lat": "39.7392358",
        "lon": "-104.990251",
        "speed": "19.4384",  # knots: the app multiplies the phone's m/s by 1.943844
        "bearing": "271.5",
        "altitude": "1609.3",
        "accuracy": "4.5",
        "batt": "87.0",
    }
    fields.update(extra)
    return urlencode(fields)


def stored() -> LocationPing:
    return LocationPing.objects.get()


def test_classic_query_string_post_with_no_body(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    when = moment()
    response = app.post(f"{URL}?{classic_query(when, charge='true')}")
    assert response.status_code == 200
    ping = stored()
    assert ping.resource == technician
    assert ping.device_id == DEVICE
    assert ping.source == PingSource.OSMAND
    assert ping.recorded_at == when
    assert float(ping.latitude) == pytest.approx(39.739236)
    assert float(ping.longitude) == pytest.approx(-104.990251)
    assert ping.speed_mps == pytest.approx(10.0, abs=0.001)  # 19.4384 kn
    assert ping.heading_deg == 271.5
    assert ping.altitude_m == 1609.3
    assert ping.accuracy_m == 4.5
    assert ping.battery_percent == 87.0
    assert LatestPosition.objects.get(resource=technician).speed_mps == pytest.approx(
        10.0, abs=0.001
    )


def test_classic_query_string_get(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    response = app.get(f"{URL}?{classic_query(moment())}")
    assert response.status_code == 200
    assert stored().resource == technician


def test_timestamp_in_milliseconds(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    when = timezone.now() - timedelta(seconds=3)
    app.post(f"{URL}?{classic_query(when, timestamp=str(int(when.timestamp() * 1000)))}")
    assert stored().recorded_at == when.replace(microsecond=when.microsecond // 1000 * 1000)


@pytest.mark.parametrize(
    "timestamp",
    ["{iso}", "{iso_z}", "{plain}"],
    ids=["iso-offset", "iso-z", "yyyy-MM-dd HH:mm:ss"],
)
def test_timestamp_as_text(app: Client, technician, timestamp: str) -> None:  # type: ignore[no-untyped-def]
    when = moment()
    text = timestamp.format(
        iso=when.isoformat(),
        iso_z=when.isoformat().replace("+00:00", "Z"),
        plain=f"{when:%Y-%m-%d %H:%M:%S}",
    )
    response = app.get(f"{URL}?{classic_query(when, timestamp=text)}")
    assert response.status_code == 200
    assert stored().recorded_at == when


def test_form_encoded_post_body(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    when = moment()
    response = app.post(
        URL,
        classic_query(when),
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
        headers={"User-Agent": "ktor-client"},
    )
    assert response.status_code == 200
    assert stored().recorded_at == when
    assert stored().speed_mps == pytest.approx(10.0, abs=0.001)


def test_form_body_without_content_type_is_read_too(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    response = app.generic("POST", URL, classic_query(moment()).encode(), content_type="")
    assert response.status_code == 200
    assert stored().battery_percent == 87.0


def test_other_osmand_senders_field_names(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    query = urlencode(
        {
            "deviceid": DEVICE,
            "timestamp": str(int(moment().timestamp())),
            "location": "39.75,-104.98",
            "heading": "45",
            "hdop": "1.2",
        }
    )
    assert app.get(f"{URL}?{query}").status_code == 200
    ping = stored()
    assert (float(ping.latitude), float(ping.longitude)) == (39.75, -104.98)
    assert ping.heading_deg == 45
    assert ping.accuracy_m == pytest.approx(6.0)  # HDOP 1.2 × 5 m


def current_client_json(when: datetime, **coords: float) -> dict[str, object]:
    """Traccar Client 9.x: preferences.dart's location template inside {"location", "device_id"}."""
    return {
        "location": {
            "timestamp": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "coords": {
                "latitude": -37.6998277,
                "longitude": 145.0686733,
                "accuracy": 4.32,
                "speed": 0.11,
                "heading": 158.44,
                "altitude": 103,
                **coords,
            },
            "is_moving": True,
            "odometer": 0,
            "event": "",
            "battery": {"level": 0.88, "is_charging": False},
            "activity": {"type": "still"},
            "extras": {},
            # The app repeats an id here that may not be the configured one: ignored.
            "_": f"&id=71881261&lat=-37.6998277&lon=145.0686733&timestamp={when.isoformat()}&",
        },
        "device_id": DEVICE,
    }


def test_json_body_of_current_traccar_client(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    when = moment()
    response = app.post(URL, json.dumps(current_client_json(when)), content_type="application/json")
    assert response.status_code == 200
    ping = stored()
    assert ping.resource == technician
    assert ping.recorded_at == when
    assert float(ping.latitude) == pytest.approx(-37.699828)
    assert ping.speed_mps == 0.11  # already metres per second: no knots here
    assert ping.heading_deg == 158.44
    assert ping.accuracy_m == 4.32
    assert ping.altitude_m == 103
    assert ping.battery_percent == pytest.approx(88.0)


def test_json_body_unknown_values_are_stored_as_unknown(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    body = current_client_json(moment(), speed=-1, heading=-1)
    body["location"]["battery"] = {"level": -1, "is_charging": False}  # type: ignore[index]
    response = app.post(URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    ping = stored()
    assert (ping.speed_mps, ping.heading_deg, ping.battery_percent) == (None, None, None)


def test_json_body_with_several_buffered_locations(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    older, newer = current_client_json(moment(30)), current_client_json(moment(10))
    body = {"device_id": DEVICE, "location": [older["location"], newer["location"]]}
    response = app.post(URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"received": 2}
    assert LocationPing.objects.count() == 2


def test_a_position_of_an_unknown_device_is_logged_with_the_device_id(
    app: Client, technician, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="doorstep.tracking.ingest")
    response = app.get(f"{URL}?{classic_query(moment(), id='not-registered')}")
    assert response.status_code == 200  # as for a refused position: see test_device_ids
    assert "unknown device 'not-registered'" in caplog.text
    assert not LocationPing.objects.exists()


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"lat": "95.0"}, "Latitude must be between -90 and 90."),
        ({"timestamp": "1000000"}, "more than 24 hours old"),
        ({"accuracy": "9000"}, "Accuracy must be between 0 and 5,000 metres."),
        ({"speed": "300"}, "Speed must be between 0 and 100 metres per second."),
    ],
)
def test_a_refused_position_answers_200_so_the_app_does_not_resend_it_forever(
    app: Client, technician, extra: dict[str, str], reason: str, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    # Traccar Client resends its oldest position until it gets a 200: a 400 for one that
    # can never be taken would hold back every later position of the phone. Why it was
    # refused is written to the log, for staff.
    caplog.set_level(logging.INFO, logger="doorstep.api.ingest")
    response = app.post(f"{URL}?{classic_query(moment(), **extra)}")
    assert response.status_code == 200
    assert response.json() == {"received": 1}
    assert f"OsmAnd position of '{DEVICE}' refused: " in caplog.text
    assert reason in caplog.text
    assert not LocationPing.objects.exists()


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"lon": "east"}, "lon must be a number, not “east”."),
        ({"timestamp": "yesterday"}, "timestamp “yesterday” is neither seconds since 1970"),
    ],
)
def test_a_request_that_cannot_be_read_answers_400_with_the_reason(
    app: Client, technician, extra: dict[str, str], reason: str
) -> None:  # type: ignore[no-untyped-def]
    response = app.post(f"{URL}?{classic_query(moment(), **extra)}")
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not LocationPing.objects.exists()


def test_request_without_device_id_answers_400(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    response = app.get(f"{URL}?lat=39.7&lon=-104.9")
    assert response.status_code == 400
    assert response.json()["error"] == "Send the device identifier as id."


def test_malformed_json_answers_400(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    response = app.post(
        URL, '{"device_id": "82879256", "location": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("The body is not valid JSON")


def test_duplicate_answers_200_and_is_stored_once(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    query = classic_query(moment())
    app.post(f"{URL}?{query}")
    response = app.post(f"{URL}?{query}")
    assert response.status_code == 200
    assert response.json() == {"received": 1}
    assert LocationPing.objects.count() == 1


def test_out_of_order_ping_is_refused_with_a_200(
    app: Client, technician, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="doorstep.api.ingest")
    app.post(f"{URL}?{classic_query(moment(10))}")
    response = app.post(f"{URL}?{classic_query(moment(20))}")
    assert response.status_code == 200
    assert "order they were taken" in caplog.text
    assert LocationPing.objects.count() == 1


def test_missing_timestamp_is_taken_as_now(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    before = datetime.now(tz=UTC)
    response = app.get(f"{URL}?id={DEVICE}&lat=39.7&lon=-104.9")
    assert response.status_code == 200
    assert stored().recorded_at >= before - timedelta(seconds=1)


def test_other_methods_are_not_allowed(app: Client, technician) -> None:  # type: ignore[no-untyped-def]
    assert app.put(URL).status_code == 405
