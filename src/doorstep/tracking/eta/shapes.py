"""The road a routed trip takes, as the live map draws it: decoded, thinned, cut.

Routing answers carry the road as an encoded polyline (Valhalla: precision 6, OSRM and
Google: precision 5) or as GeoJSON-ordered coordinates ([lon, lat]). Here they become
`[(lat, lon), ...]`, thinned so that the live update stays small (a few kilobytes, sent
with every ping to every viewer), then cut where the technician is now.

Plain numbers in and out: no ORM, no clock, no settings.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence
from typing import Literal

from routingpy import utils as routingpy_utils  # type: ignore[import-untyped]

type LatLon = tuple[float, float]

# Enough to follow a town's streets on a phone's map; each point costs ~20 bytes of JSON.
MAX_POINTS = 300
# A bend whose triangle with its neighbours is smaller than this is left out: 20 m of road
# bent 2 m aside, under a pixel at street zoom.
MIN_AREA_M2 = 20.0
# Five decimals: about a metre, finer than any phone's fix.
DIGITS = 5
# A technician further than this from the routed road took another one: the line would
# lie, so none is drawn until the next routing (at most `ROUTING_INTERVAL` away).
OFF_ROUTE_M = 250.0

_METRES_PER_DEGREE = 111_195.0


class ShapeError(ValueError):
    """A routing answer's shape cannot be read; the route is drawn without it."""


def decode_polyline(encoded: object, *, precision: Literal[5, 6]) -> list[LatLon]:
    """The points of an encoded polyline (Google's algorithm) at `precision` decimals."""
    if not isinstance(encoded, str):
        raise ShapeError(f"a polyline is text, not {type(encoded).__name__}")
    decode = {5: routingpy_utils.decode_polyline5, 6: routingpy_utils.decode_polyline6}[precision]
    try:
        points = decode(encoded, order="latlng")
    except (IndexError, ValueError, TypeError) as error:
        raise ShapeError(f"the polyline cannot be decoded ({error})") from None
    return checked((float(lat), float(lon)) for lat, lon in points)


def from_lonlat(coordinates: object) -> list[LatLon]:
    """The points of `[[lon, lat], ...]` (GeoJSON's order, and routingpy's geometries)."""
    if not isinstance(coordinates, list | tuple):
        raise ShapeError("the shape is not a list of coordinates")
    points: list[LatLon] = []
    for pair in coordinates:
        if not isinstance(pair, list | tuple) or len(pair) < 2:
            raise ShapeError("the shape has a point that is not [lon, lat]")
        lon, lat = pair[0], pair[1]
        if isinstance(lat, bool) or isinstance(lon, bool):
            raise ShapeError("the shape has a point that is not [lon, lat]")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            raise ShapeError("the shape has a point that is not [lon, lat]")
        points.append((float(lat), float(lon)))
    return checked(points)


def checked(points: Iterable[LatLon]) -> list[LatLon]:
    """The points, refused unless every one is a place on Earth; repeats dropped."""
    kept: list[LatLon] = []
    for lat, lon in points:
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90):
            raise ShapeError(f"the shape has a point off the map ({lat}, {lon})")
        if not -180 <= lon <= 180:
            raise ShapeError(f"the shape has a point off the map ({lat}, {lon})")
        if not kept or kept[-1] != (lat, lon):
            kept.append((lat, lon))
    return kept


def thin(
    points: Sequence[LatLon], *, min_area_m2: float = MIN_AREA_M2, max_points: int = MAX_POINTS
) -> list[LatLon]:
    """The points that matter to the eye, at most `max_points`, rounded to `DIGITS`.

    Visvalingam-Whyatt: the point whose triangle with its neighbours is smallest goes
    first, again and again, until every triangle left is at least `min_area_m2` and at
    most `max_points` remain. The first and last points always stay. A heap keeps it
    O(n log n) even on a road that zigzags, where Douglas-Peucker takes O(n²).
    """
    rounded = checked((round(lat, DIGITS), round(lon, DIGITS)) for lat, lon in points)
    if len(rounded) <= 2:
        return rounded
    planar = _planar(rounded, origin=rounded[0])
    return [rounded[index] for index in _visvalingam(planar, min_area_m2, max(2, max_points))]


def still_to_go(
    route: Sequence[Sequence[float]], position: LatLon, *, off_route_m: float = OFF_ROUTE_M
) -> list[LatLon] | None:
    """The part of `route` ahead of `position`: from the nearest point of the road to it.

    None when the route has fewer than two points, or the position is more than
    `off_route_m` from it (the technician took another road).
    """
    points = [(float(point[0]), float(point[1])) for point in route]
    if len(points) < 2:
        return None
    planar = _planar(points, origin=position)
    best = (math.inf, 0, 0.0)  # (distance², segment, share along it)
    for index in range(len(planar) - 1):
        (ax, ay), (bx, by) = planar[index], planar[index + 1]
        share = _projection((0.0, 0.0), planar[index], planar[index + 1])
        px, py = ax + (bx - ax) * share, ay + (by - ay) * share
        distance = px * px + py * py
        # Ties go to the later segment: the road behind is what has been driven.
        if distance <= best[0]:
            best = (distance, index, share)
    distance, index, share = best
    if math.sqrt(distance) > off_route_m:
        return None
    (alat, alon), (blat, blon) = points[index], points[index + 1]
    start = (
        round(alat + (blat - alat) * share, DIGITS),
        round(alon + (blon - alon) * share, DIGITS),
    )
    rest = points[index + 1 :]
    return [start, *rest] if rest[0] != start else rest


# --- Geometry on a small patch of the Earth -----------------------------------------------


def _planar(points: Sequence[LatLon], *, origin: LatLon) -> list[tuple[float, float]]:
    """Metres east and north of `origin` (equirectangular: exact enough across a town)."""
    lat0, lon0 = origin
    scale = math.cos(math.radians(lat0))
    return [
        (
            _wrapped(lon - lon0) * scale * _METRES_PER_DEGREE,
            (lat - lat0) * _METRES_PER_DEGREE,
        )
        for lat, lon in points
    ]


def _wrapped(degrees: float) -> float:
    """A longitude difference the short way round (across the date line too)."""
    return (degrees + 180) % 360 - 180


def _projection(
    point: tuple[float, float], a: tuple[float, float], b: tuple[float, float]
) -> float:
    """How far along segment a-b the point nearest `point` is, from 0 to 1."""
    (x, y), (ax, ay), (bx, by) = point, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    if length == 0:
        return 0.0
    return min(1.0, max(0.0, ((x - ax) * dx + (y - ay) * dy) / length))


def _visvalingam(
    planar: Sequence[tuple[float, float]], min_area: float, max_points: int
) -> list[int]:
    """The indexes of the points kept, in order."""
    count = len(planar)
    before, after = list(range(-1, count - 1)), list(range(1, count + 1))

    def area(index: int) -> float:
        (ax, ay), (bx, by), (cx, cy) = planar[before[index]], planar[index], planar[after[index]]
        return abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay)) / 2

    weight = [math.inf] * count
    heap: list[tuple[float, int]] = []
    for index in range(1, count - 1):
        weight[index] = area(index)
        heap.append((weight[index], index))
    heapq.heapify(heap)
    removed, left = [False] * count, count
    while heap:
        smallest, index = heapq.heappop(heap)
        if removed[index] or smallest != weight[index]:
            continue  # an entry from before its neighbours changed
        if smallest >= min_area and left <= max_points:
            break
        removed[index], left = True, left - 1
        previous, following = before[index], after[index]
        after[previous], before[following] = following, previous
        for neighbour in (previous, following):
            if 0 < neighbour < count - 1:
                # Never below what was just removed: the order of removal stays the order
                # of importance, so the cap takes the least visible points first.
                weight[neighbour] = max(area(neighbour), smallest)
                heapq.heappush(heap, (weight[neighbour], neighbour))
    return [index for index in range(count) if not removed[index]]
