"""Reading the OsmAnd protocol as the Traccar Client apps speak it, in all its shapes.

The apps changed their requests over the years; all of these are still in use:

- Traccar Client for Android up to 8.x and the old iOS app: a POST (or GET) with every
  field in the query string and no body:
  ``?id=…&timestamp=<seconds>&lat=…&lon=…&speed=<knots>&bearing=…&altitude=…&accuracy=…&batt=<0–100>``,
  with ``charge=true`` while charging, ``mock``/``alarm`` sometimes; some releases sent
  the timestamp in milliseconds.
- Other senders of the protocol put the same fields in a form-encoded POST body, and
  may send ``deviceid``, ``heading``, ``hdop``, ``location=<lat>,<lon>`` or an ISO 8601
  or ``yyyy-MM-dd HH:mm:ss`` timestamp, as Traccar's own server accepts.
- Traccar Client 9.x (the Flutter app, 2025 on): a JSON body
  ``{"device_id": …, "location": {"timestamp": <ISO 8601>, "coords": {"latitude",
  "longitude", "accuracy", "speed" (m/s), "heading", "altitude"}, "battery": {"level":
  0–1, "is_charging"}, "is_moving", "odometer", "event", "activity", "extras", "_"}}``.
  Unknown values arrive as -1 (speed, heading, accuracy, battery level). The ``_`` field
  repeats the old query string and its ``id`` can differ from ``device_id``; it is ignored.

Speed in the query-string shapes is in knots (the Android app multiplied the phone's
m/s by 1.943844); in the JSON shape it is in metres per second.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from doorstep.tracking.services import PingIn

METRES_PER_SECOND_PER_KNOT = 1852 / 3600
# Horizontal dilution of precision is a ratio, not a distance; multiplied by a typical
# receiver error it gives the usual rough estimate of accuracy in metres.
METRES_PER_HDOP = 5.0
# Traccar's rule: a number below 2**31 is seconds since 1970, anything larger milliseconds.
LARGEST_SECONDS_TIMESTAMP = 2**31 - 1
# A technician's tracking device id is stored in 64 characters (`Resource`, `LocationPing`).
MAX_DEVICE_ID_LENGTH = 64
# The app's buffer is sent one position a request; a list longer than this is no phone's.
MAX_POSITIONS = 1_000
# A value quoted back in a refusal is cut to this length: the sender knows the rest.
QUOTED_LENGTH = 40
NO_COORDINATES = (
    "The position has only cell towers or Wi-Fi networks, no latitude and longitude: "
    "Doorstep cannot place it."
)
# What a number or a time may be given as (a tuple: isinstance() is slower with a union).
_SCALARS = (str, int, float)


class OsmAndFormatError(ValueError):
    """The request cannot be read; the message says what is wrong, for the sender."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class OsmAndRequest:
    device_id: str
    pings: list[PingIn]
    # Why positions that were read but can never be stored were dropped (a request with
    # only cell towers and Wi-Fi networks, no coordinates): refused, not unreadable.
    dropped: tuple[str, ...] = ()


def quoted(raw: str) -> str:
    """`raw` as a refusal quotes it: cut short, so an answer never echoes a whole body."""
    return raw if len(raw) <= QUOTED_LENGTH else f"{raw[:QUOTED_LENGTH]}…"


def read_device_id(raw: object, *, name: str) -> str:
    """The device identifier sent as `name`, as it can be stored; "" when none was sent."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) < 10**MAX_DEVICE_ID_LENGTH:
        raw = str(raw)  # some senders put a numeric id in JSON as a number
    if not isinstance(raw, str):
        raise OsmAndFormatError(f"{name} must be text.")
    device_id = raw.strip()
    if len(device_id) > MAX_DEVICE_ID_LENGTH:
        raise OsmAndFormatError(f"{name} must be at most {MAX_DEVICE_ID_LENGTH} characters.")
    # Control characters (NUL among them, which PostgreSQL refuses to store) and lone
    # surrogates (which no database can store) are in no identifier an app shows.
    if not device_id.isprintable():
        raise OsmAndFormatError(f"{name} must be printable characters only.")
    return device_id


def _number(raw: object, name: str) -> float | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, _SCALARS):
        raise OsmAndFormatError(f"{name} must be a number.")
    try:
        value = float(raw)
    except OverflowError:  # an integer too large for a float
        raise OsmAndFormatError(f"{name} must be a finite number.") from None
    except ValueError:
        raise OsmAndFormatError(f"{name} must be a number, not “{quoted(str(raw))}”.") from None
    if not math.isfinite(value):
        raise OsmAndFormatError(f"{name} must be a finite number.")
    return value


def _known(value: float | None) -> float | None:
    """Location APIs say "unknown" with -1; keep that apart from a real value."""
    return None if value is None or value < 0 else value


def _battery(percent: float | None) -> float | None:
    """A battery level in percent, or None when unknown or impossible (some phones report
    150 %): a wrong battery reading says nothing against the position sent with it."""
    return percent if percent is not None and 0 <= percent <= 100 else None


def parse_timestamp(raw: object, *, now: datetime) -> datetime:
    """Seconds or milliseconds since 1970, ISO 8601, or ``yyyy-MM-dd HH:mm:ss`` (UTC);
    in UTC."""
    if raw is None or raw == "":
        return now  # as Traccar does: a position without a time is taken as current
    if isinstance(raw, bool) or not isinstance(raw, _SCALARS):
        raise OsmAndFormatError("timestamp must be a number or a date and time.")
    text = str(raw).strip()
    try:
        number: float | None = float(text)
    except ValueError:  # not a number: a date and time, then
        number = None
    if number is not None:
        seconds = number if number <= LARGEST_SECONDS_TIMESTAMP else number / 1000
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):  # NaN and infinities among them
            raise OsmAndFormatError(f"timestamp “{quoted(text)}” is out of range.") from None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise OsmAndFormatError(
            f"timestamp “{quoted(text)}” is neither seconds since 1970 "
            "nor an ISO 8601 date and time."
        ) from None
    return in_utc(moment if moment.tzinfo else moment.replace(tzinfo=UTC), name="timestamp")


def in_utc(moment: datetime, *, name: str) -> datetime:
    """`moment` in UTC, refused when that falls outside the years 1 to 9999."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-23:59 is in the year 10000 in UTC
        raise OsmAndFormatError(f"{name} is out of range.") from None


def parse_params(params: Mapping[str, str], *, now: datetime) -> OsmAndRequest:
    """The query-string and form shape: one position, speed in knots, battery in percent."""
    device_id = read_device_id(params.get("id") or params.get("deviceid"), name="id")
    if not device_id:
        raise OsmAndFormatError("Send the device identifier as id.")
    latitude = _number(params.get("lat"), "lat")
    longitude = _number(params.get("lon"), "lon")
    if (latitude is None or longitude is None) and params.get("location"):
        parts = params["location"].split(",")
        if len(parts) != 2:
            raise OsmAndFormatError("location must be latitude and longitude: “<lat>,<lon>”.")
        latitude, longitude = _number(parts[0], "location"), _number(parts[1], "location")
    if latitude is None or longitude is None:
        if any(params.get(name) for name in ("cell", "wifi")):
            # Traccar's server can look such a request up in a cell database; without
            # one there is no position, and a 400 would make the app resend it forever.
            parse_timestamp(params.get("timestamp"), now=now)
            return OsmAndRequest(device_id=device_id, pings=[], dropped=(NO_COORDINATES,))
        raise OsmAndFormatError("Send the position as lat and lon.")
    speed_knots = _known(_number(params.get("speed"), "speed"))
    heading = params.get("bearing") or params.get("heading")
    accuracy = _known(_number(params.get("accuracy"), "accuracy"))
    hdop = _known(_number(params.get("hdop"), "hdop"))
    if accuracy is None and hdop is not None:
        accuracy = hdop * METRES_PER_HDOP
    ping = PingIn(
        latitude=latitude,
        longitude=longitude,
        recorded_at=parse_timestamp(params.get("timestamp"), now=now),
        accuracy_m=accuracy,
        speed_mps=None if speed_knots is None else speed_knots * METRES_PER_SECOND_PER_KNOT,
        heading_deg=_known(_number(heading, "bearing")),
        altitude_m=_number(params.get("altitude"), "altitude"),
        battery_percent=_battery(_number(params.get("batt"), "batt")),
        device_id=device_id,
    )
    return OsmAndRequest(device_id=device_id, pings=[ping])


def _json_ping(location: Any, *, device_id: str, now: datetime) -> PingIn:
    if not isinstance(location, dict):
        raise OsmAndFormatError("location must be a JSON object.")
    coords = location.get("coords")
    if not isinstance(coords, dict):
        raise OsmAndFormatError("location.coords must be a JSON object.")
    latitude = _number(coords.get("latitude"), "coords.latitude")
    longitude = _number(coords.get("longitude"), "coords.longitude")
    if latitude is None or longitude is None:
        raise OsmAndFormatError("Send the position as coords.latitude and coords.longitude.")
    battery = location.get("battery")
    level = (
        _known(_number(battery.get("level"), "battery.level"))
        if isinstance(battery, dict)
        else None
    )
    return PingIn(
        latitude=latitude,
        longitude=longitude,
        recorded_at=parse_timestamp(location.get("timestamp"), now=now),
        accuracy_m=_known(_number(coords.get("accuracy"), "coords.accuracy")),
        speed_mps=_known(_number(coords.get("speed"), "coords.speed")),
        heading_deg=_known(_number(coords.get("heading"), "coords.heading")),
        altitude_m=_number(coords.get("altitude"), "coords.altitude"),
        battery_percent=None if level is None else _battery(level * 100),
        device_id=device_id,
    )


def parse_json(body: Any, *, fallback_device_id: str, now: datetime) -> OsmAndRequest:
    """The JSON shape of Traccar Client 9 and later: speed in m/s, battery level 0–1.

    ``location`` may also be a list, as the app's location library sends when it
    uploads several buffered positions in one request.
    """
    if not isinstance(body, dict):
        raise OsmAndFormatError("The JSON body must be an object with device_id and location.")
    device_id = read_device_id(body.get("device_id"), name="device_id") or read_device_id(
        fallback_device_id, name="id"
    )
    if not device_id:
        raise OsmAndFormatError("Send the device identifier as device_id.")
    locations = body.get("location")
    if locations is None:
        raise OsmAndFormatError("Send the position as location.")
    if not isinstance(locations, list):
        locations = [locations]
    if not locations:
        raise OsmAndFormatError("location is an empty list.")
    if len(locations) > MAX_POSITIONS:
        raise OsmAndFormatError(f"location holds at most {MAX_POSITIONS:,} positions.")
    pings = [_json_ping(location, device_id=device_id, now=now) for location in locations]
    return OsmAndRequest(device_id=device_id, pings=pings)
