"""ETA providers: embedded Valhalla on a generated street grid, HTTP routers against a local
server that answers in their real formats, the offline fallback, and the setting."""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from doorstep.scheduling.travel import Point, great_circle_km
from doorstep.tracking import eta
from doorstep.tracking.eta import (
    CommercialProvider,
    FallbackProvider,
    OfflineProvider,
    OsrmProvider,
    RoutingError,
    ValhallaEmbeddedProvider,
    ValhallaHttpProvider,
    fallback,
    get_provider,
)
from doorstep.tracking.eta.osrm import osrm_shape

valhalla = pytest.importorskip("valhalla", reason="pyvalhalla is not installed")

DEPARTURE = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, outside rush hours
OVERHEAD = eta.DEFAULT_STOP_OVERHEAD

# A 5 × 5 grid of residential streets, 200 m between crossings, in Denver.
GRID_SIZE = 5
BLOCK_M = 200.0
ORIGIN_LAT, ORIGIN_LON = 39.74, -104.99
LAT_STEP = BLOCK_M / 111_195.0
LON_STEP = BLOCK_M / (111_195.0 * math.cos(math.radians(ORIGIN_LAT)))


def crossing(row: int, column: int) -> Point:
    return Point(ORIGIN_LAT + row * LAT_STEP, ORIGIN_LON + column * LON_STEP)


def write_grid_osm(path: Path) -> Path:
    """OpenStreetMap XML for the grid: a way per street, each crossing a shared node."""

    def node_id(row: int, column: int) -> int:
        return 1 + row * GRID_SIZE + column

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="tests">']
    for row in range(GRID_SIZE):
        for column in range(GRID_SIZE):
            point = crossing(row, column)
            lines.append(
                f'<node id="{node_id(row, column)}" version="1" '
                f'lat="{point.latitude:.7f}" lon="{point.longitude:.7f}"/>'
            )
    streets = [
        (f"Row {row} Street", [node_id(row, column) for column in range(GRID_SIZE)])
        for row in range(GRID_SIZE)
    ] + [
        (f"Column {column} Avenue", [node_id(row, column) for row in range(GRID_SIZE)])
        for column in range(GRID_SIZE)
    ]
    for way_id, (name, nodes) in enumerate(streets, start=1000):
        refs = "".join(f'<nd ref="{ref}"/>' for ref in nodes)
        lines.append(
            f'<way id="{way_id}" version="1">{refs}'
            f'<tag k="highway" v="residential"/><tag k="name" v="{name}"/></way>'
        )
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@dataclass
class BuiltTiles:
    tiles_dir: Path
    seconds: float
    output: str


@pytest.fixture(scope="module")
def grid_tiles(tmp_path_factory: pytest.TempPathFactory) -> BuiltTiles:
    """Tiles built once for the module by `routing build` (well under a second here)."""
    folder = tmp_path_factory.mktemp("valhalla")
    extract = write_grid_osm(folder / "grid.osm")
    tiles_dir = folder / "tiles"
    out = _Output()
    started = time.monotonic()
    call_command("routing", "build", str(extract), "--tiles-dir", str(tiles_dir), stdout=out)
    return BuiltTiles(tiles_dir, time.monotonic() - started, out.text)


class _Output:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


# --- The `routing build` command ------------------------------------------------------------


def test_build_makes_tiles_from_a_street_grid_and_reports_progress(grid_tiles: BuiltTiles) -> None:
    assert list(grid_tiles.tiles_dir.rglob("*.gph"))
    assert (grid_tiles.tiles_dir / "valhalla.json").exists()
    assert "Parsing ways" in grid_tiles.output
    assert "Built 1 tile(s)" in grid_tiles.output
    assert grid_tiles.seconds < 30


def test_build_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There is no file at"):
        call_command("routing", "build", str(tmp_path / "nowhere.osm.pbf"))


def test_build_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a file"):
        call_command("routing", "build", str(tmp_path))


def test_build_refuses_a_file_that_is_not_an_extract(tmp_path: Path) -> None:
    notes = tmp_path / "notes.osm"
    notes.write_text("these are not roads")
    with pytest.raises(CommandError, match="neither OpenStreetMap XML"):
        call_command("routing", "build", str(notes))


def test_build_refuses_an_unreadable_file(tmp_path: Path) -> None:
    extract = write_grid_osm(tmp_path / "grid.osm")
    extract.chmod(0)
    if os.access(extract, os.R_OK):
        pytest.skip("running as root: every file is readable")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("routing", "build", str(extract))


def test_failed_build_says_why_and_keeps_the_previous_tiles(
    tmp_path: Path, grid_tiles: BuiltTiles
) -> None:
    broken = tmp_path / "broken.osm"
    broken.write_text(write_grid_osm(tmp_path / "grid.osm").read_text()[:300])
    tiles_dir = tmp_path / "tiles"
    call_command("routing", "build", str(tmp_path / "grid.osm"), "--tiles-dir", str(tiles_dir))

    with pytest.raises(CommandError, match="XML parsing error"):
        call_command("routing", "-v", "0", "build", str(broken), "--tiles-dir", str(tiles_dir))
    assert list(tiles_dir.rglob("*.gph"))
    assert not (tmp_path / "tiles.building").exists()


# --- Embedded Valhalla ------------------------------------------------------------------------


def test_embedded_valhalla_routes_corner_to_corner_along_the_streets(
    grid_tiles: BuiltTiles,
) -> None:
    provider = ValhallaEmbeddedProvider(grid_tiles.tiles_dir)

    route = provider.route(crossing(0, 0), crossing(4, 4), DEPARTURE)

    grid_path_m = 8 * BLOCK_M  # four blocks north, four east: no diagonal on a grid
    assert route.distance_m == pytest.approx(grid_path_m, rel=0.02)
    driving = (route.duration - OVERHEAD).total_seconds()
    assert 1.6 / 50 * 3600 <= driving <= 1.6 / 10 * 3600  # between 10 and 50 km/h
    assert route.provider == "valhalla-embedded"
    assert provider.estimate_travel(crossing(0, 0), crossing(4, 4), DEPARTURE) == route.duration


def test_embedded_valhalla_draws_the_road_round_the_corner(grid_tiles: BuiltTiles) -> None:
    route = ValhallaEmbeddedProvider(grid_tiles.tiles_dir).route(
        crossing(0, 0), crossing(4, 4), DEPARTURE
    )
    assert route.shape is not None
    # Thinned to what the eye needs: the start, one corner, the end (the crossings
    # between are on straight streets).
    assert len(route.shape) == 3
    start, corner, end = (Point(*point) for point in route.shape)
    assert great_circle_km(start, crossing(0, 0)) * 1000 < 5
    assert great_circle_km(end, crossing(4, 4)) * 1000 < 5
    assert (
        min(great_circle_km(corner, crossing(4, 0)), great_circle_km(corner, crossing(0, 4))) * 1000
        < 5
    )


def test_embedded_valhalla_follows_one_street(grid_tiles: BuiltTiles) -> None:
    route = ValhallaEmbeddedProvider(grid_tiles.tiles_dir).route(
        crossing(2, 0), crossing(2, 3), DEPARTURE
    )
    assert route.distance_m == pytest.approx(3 * BLOCK_M, rel=0.02)


def test_embedded_valhalla_gives_zero_for_the_same_place(grid_tiles: BuiltTiles) -> None:
    route = ValhallaEmbeddedProvider(grid_tiles.tiles_dir).route(
        crossing(1, 1), crossing(1, 1), DEPARTURE
    )
    assert (route.duration, route.distance_m) == (timedelta(0), 0.0)


def test_embedded_valhalla_refuses_a_place_far_from_any_road(grid_tiles: BuiltTiles) -> None:
    provider = ValhallaEmbeddedProvider(grid_tiles.tiles_dir)
    with pytest.raises(RoutingError, match="Valhalla found no route"):
        provider.route(crossing(0, 0), Point(10.0, 10.0), DEPARTURE)


def test_embedded_valhalla_without_tiles_says_how_to_build_them(tmp_path: Path) -> None:
    with pytest.raises(RoutingError, match="doorstep routing build"):
        ValhallaEmbeddedProvider(tmp_path / "none").route(crossing(0, 0), crossing(1, 1), DEPARTURE)


# --- A local routing server -------------------------------------------------------------------


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # dict/list → JSON; bytes as they are
    delay: float = 0.0


@dataclass
class FakeServer:
    url: str
    answer: Callable[[str, str, bytes], Answer] = lambda method, path, body: Answer(404, {})
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """An HTTP server on 127.0.0.1 in a thread; each test sets what it answers."""
    fake = FakeServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fake.requests.append((self.command, self.path, body))
            answer = fake.answer(self.command, self.path, body)
            time.sleep(answer.delay)
            payload = (
                answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
            )
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting, as it should

        do_GET = do_POST = handle_any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield fake
    httpd.shutdown()
    httpd.server_close()


A, B = crossing(0, 0), crossing(4, 4)

# As osrm-routed answers /route/v1/driving/… (OSRM 5.x HTTP API docs): the overview is
# simplified and the geometry a polyline unless asked otherwise.
OSRM_GEOMETRY = "kvwqFjczbSaAEQwA"
OSRM_ROUTE = {
    "code": "Ok",
    "routes": [
        {
            "geometry": OSRM_GEOMETRY,
            "legs": [
                {"steps": [], "summary": "", "weight": 201.4, "duration": 187.3, "distance": 1612.8}
            ],
            "weight_name": "routability",
            "weight": 201.4,
            "duration": 187.3,
            "distance": 1612.8,
        }
    ],
    "waypoints": [
        {"hint": "AbCd", "distance": 1.2, "name": "Row 0 Street", "location": [-104.99, 39.74]},
        {"hint": "EfGh", "distance": 0.9, "name": "Row 4 Street", "location": [-104.98, 39.747]},
    ],
}
OSRM_NO_ROUTE = {"code": "NoRoute", "message": "Impossible route between points"}

# As valhalla_service answers POST /route (Valhalla turn-by-turn API docs); lengths in km.
VALHALLA_ROUTE = {
    "trip": {
        "locations": [
            {"type": "break", "lat": 39.74, "lon": -104.99, "original_index": 0},
            {"type": "break", "lat": 39.747194, "lon": -104.980608, "original_index": 1},
        ],
        "legs": [
            {
                "summary": {"time": 164.677, "length": 1.6, "cost": 153.885},
                "shape": "__lhkA~buggEmoB?koB?",
            }
        ],
        "summary": {
            "has_time_restrictions": False,
            "has_toll": False,
            "has_highway": False,
            "has_ferry": False,
            "min_lat": 39.74,
            "min_lon": -104.99,
            "max_lat": 39.747194,
            "max_lon": -104.980608,
            "time": 164.677,
            "length": 1.6,
            "cost": 153.885,
        },
        "status_message": "Found route between points",
        "status": 0,
        "units": "kilometers",
        "language": "en-US",
    }
}
VALHALLA_NO_PATH = {
    "error_code": 442,
    "error": "No path could be found for input",
    "status_code": 400,
    "status": "Bad Request",
}


def test_osrm_provider_asks_the_route_service_and_reads_the_first_route(
    server: FakeServer,
) -> None:
    server.answer = lambda method, path, body: Answer(200, OSRM_ROUTE)

    route = OsrmProvider(server.url).route(A, B, DEPARTURE)

    assert route.duration == timedelta(seconds=188) + OVERHEAD
    assert route.distance_m == 1612.8
    assert route.provider == "osrm"
    # Its polyline (precision 5), as [lat, lon] pairs.
    assert route.shape == ((39.7759, -105.48806), (39.77623, -105.48803), (39.77632, -105.48759))
    [(method, path, _)] = server.requests
    assert method == "GET"
    prefix = "/route/v1/driving/"
    assert path.startswith(prefix)
    asked = [[float(n) for n in pair.split(",")] for pair in path[len(prefix) :].split(";")]
    assert asked == [
        pytest.approx([A.longitude, A.latitude], abs=1e-6),
        pytest.approx([B.longitude, B.latitude], abs=1e-6),
    ]


def test_osrm_geojson_geometry_is_read_longitude_first() -> None:
    # What osrm-routed answers when asked for `geometries=geojson`.
    geojson = {"type": "LineString", "coordinates": [[A.longitude, A.latitude], [-104.99, 39.75]]}
    assert osrm_shape(geojson) == [(A.latitude, A.longitude), (39.75, -104.99)]


def test_a_road_of_one_point_draws_no_line_and_keeps_the_eta(server: FakeServer) -> None:
    answer = {**OSRM_ROUTE, "routes": [{**OSRM_ROUTE["routes"][0], "geometry": "_p~iF~ps|U"}]}  # type: ignore[dict-item]
    server.answer = lambda method, path, body: Answer(200, answer)

    route = OsrmProvider(server.url).route(A, B, DEPARTURE)

    assert route.shape is None
    assert route.distance_m == 1612.8


def test_osrm_refusal_is_a_routing_error_with_its_code(server: FakeServer) -> None:
    server.answer = lambda method, path, body: Answer(400, OSRM_NO_ROUTE)
    with pytest.raises(RoutingError, match=r"HTTP 400.*NoRoute"):
        OsrmProvider(server.url).route(A, B, DEPARTURE)


def test_a_server_that_is_unavailable_is_asked_once_and_not_waited_for(
    server: FakeServer,
) -> None:
    server.answer = lambda method, path, body: Answer(503, {"message": "overloaded"})
    started = time.monotonic()
    with pytest.raises(RoutingError, match="HTTP 503"):
        OsrmProvider(server.url).route(A, B, DEPARTURE)
    assert len(server.requests) == 1
    assert time.monotonic() - started < 0.5


def test_valhalla_http_provider_posts_auto_costing_and_converts_km(server: FakeServer) -> None:
    server.answer = lambda method, path, body: Answer(200, VALHALLA_ROUTE)

    route = ValhallaHttpProvider(server.url + "/").route(A, B, DEPARTURE)

    assert route.duration == timedelta(seconds=165) + OVERHEAD
    assert route.distance_m == pytest.approx(1600.0)
    assert route.provider == "valhalla"
    # Its legs' polyline (precision 6): north along one street, thinned to its ends.
    assert route.shape == ((40.0, -105.0), (40.0036, -105.0))
    [(method, path, body)] = server.requests
    assert (method, path) == ("POST", "/route")
    request = json.loads(body)
    assert request["costing"] == "auto"
    assert request["directions_options"] == {"units": "km", "directions_type": "none"}
    assert request["locations"] == [
        {"lat": A.latitude, "lon": A.longitude},
        {"lat": B.latitude, "lon": B.longitude},
    ]


def test_valhalla_http_refusal_is_a_routing_error_with_its_reason(server: FakeServer) -> None:
    server.answer = lambda method, path, body: Answer(400, VALHALLA_NO_PATH)
    with pytest.raises(RoutingError, match="No path could be found"):
        ValhallaHttpProvider(server.url).route(A, B, DEPARTURE)


# --- Falling back to the offline estimate -----------------------------------------------------


def offline_route() -> eta.Route:
    return OfflineProvider().route(A, B, DEPARTURE)


def test_fallback_uses_the_offline_estimate_when_the_server_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{closed.server_address[1]}"
    closed.server_close()  # nothing listens there any more

    with caplog.at_level(logging.WARNING, logger="doorstep.tracking.eta"):
        route = FallbackProvider(OsrmProvider(url)).route(A, B, DEPARTURE)

    assert route == offline_route()
    assert route.provider == "offline"
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "osrm failed" in record.getMessage()
    assert "cannot reach" in record.getMessage()


def test_fallback_on_an_error_answer_logs_the_servers_reason(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.answer = lambda method, path, body: Answer(400, VALHALLA_NO_PATH)
    with caplog.at_level(logging.WARNING, logger="doorstep.tracking.eta"):
        route = FallbackProvider(ValhallaHttpProvider(server.url)).route(A, B, DEPARTURE)
    assert route == offline_route()
    assert "valhalla failed" in caplog.text
    assert "No path could be found" in caplog.text


def test_fallback_on_a_timeout_answers_without_waiting_for_the_server(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.answer = lambda method, path, body: Answer(200, OSRM_ROUTE, delay=2.0)
    provider = FallbackProvider(OsrmProvider(server.url, timeout=0.3))

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="doorstep.tracking.eta"):
        route = provider.route(A, B, DEPARTURE)

    assert time.monotonic() - started < 1.5
    assert route == offline_route()
    assert "osrm failed (no answer from" in caplog.text
    assert "within 0.3 s" in caplog.text


def test_a_failed_server_is_left_alone_for_a_while_then_asked_again(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def answer(method: str, path: str, body: bytes) -> Answer:
        asked.append(path)
        return Answer(500, {"code": "Error"})

    server.answer = answer
    provider = FallbackProvider(OsrmProvider(server.url))
    clock = [1000.0]
    monkeypatch.setattr(fallback, "_clock", lambda: clock[0])

    assert provider.route(A, B, DEPARTURE).provider == "offline"
    assert len(asked) == 1
    clock[0] += eta.RESTING_SECONDS - 1
    for _ in range(5):  # while it rests: the offline estimate at once, no request
        assert provider.route(A, B, DEPARTURE).provider == "offline"
    assert len(asked) == 1

    clock[0] += 2
    server.answer = lambda method, path, body: Answer(200, OSRM_ROUTE)
    assert provider.route(A, B, DEPARTURE).provider == "osrm"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "is not JSON"),
        ({"code": "Ok", "routes": []}, "is not a route"),
        (
            {"code": "Ok", "routes": [{"geometry": OSRM_GEOMETRY, "duration": "soon"}]},
            "is not a route",
        ),
        (
            {"code": "Ok", "routes": [{"geometry": OSRM_GEOMETRY, "duration": -5, "distance": 1}]},
            "impossible duration",
        ),
        (
            {"code": "Ok", "routes": [{"geometry": OSRM_GEOMETRY, "duration": math.inf}]},
            "is not a route",  # JSON has no infinity: Python reads it, routingpy cannot
        ),
        (["not", "a", "route"], "is not a route"),
    ],
)
def test_fallback_on_a_garbage_answer_says_what_was_wrong(
    server: FakeServer, caplog: pytest.LogCaptureFixture, body: Any, reason: str
) -> None:
    server.answer = lambda method, path, request: Answer(200, body)
    with caplog.at_level(logging.WARNING, logger="doorstep.tracking.eta"):
        route = FallbackProvider(OsrmProvider(server.url)).route(A, B, DEPARTURE)
    assert route == offline_route()
    assert reason in caplog.text


def test_fallback_when_valhalla_answers_garbage(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    garbage = {
        "trip": {
            "legs": [{"summary": {"time": 1.0, "length": 0.1}, "shape": ""}],
            "summary": {"time": None, "length": 0.1},
        }
    }
    server.answer = lambda method, path, body: Answer(200, garbage)
    with caplog.at_level(logging.WARNING, logger="doorstep.tracking.eta"):
        route = FallbackProvider(ValhallaHttpProvider(server.url)).route(A, B, DEPARTURE)
    assert route.provider == "offline"
    assert "no numeric time" in caplog.text


def test_fallback_catches_any_exception_of_the_primary(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        name = "broken"

        def route(self, origin: Point, destination: Point, departure_time: datetime) -> eta.Route:
            raise ZeroDivisionError("a bug, not a routing problem")

        def estimate_travel(
            self, origin: Point, destination: Point, departure_time: datetime
        ) -> timedelta:
            raise ZeroDivisionError

    with caplog.at_level(logging.WARNING, logger="doorstep.tracking.eta"):
        duration = FallbackProvider(Broken()).estimate_travel(A, B, DEPARTURE)
    assert duration == offline_route().duration
    assert "broken failed (a bug, not a routing problem)" in caplog.text


def test_offline_provider_distance_is_great_circle_times_circuity() -> None:
    route = OfflineProvider().route(crossing(0, 0), crossing(0, 4), DEPARTURE)
    assert route.distance_m == pytest.approx(4 * BLOCK_M * 1.3, rel=0.01)
    assert route.provider == "offline"
    assert route.shape is None  # no road is known: no line is drawn


# --- A commercial API through routingpy -------------------------------------------------------

# As Google's Directions API answers with a departure time (developers.google.com, "Directions
# responses"): each leg has duration, duration_in_traffic and distance as {"text", "value"}.
GOOGLE_ROUTE = {
    "geocoded_waypoints": [],
    "routes": [
        {
            "legs": [
                {
                    "distance": {"text": "1.6 km", "value": 1610},
                    "duration": {"text": "4 mins", "value": 240},
                    "duration_in_traffic": {"text": "6 mins", "value": 355},
                    "steps": [{"polyline": {"points": "_p~iF~ps|U_ulLnnqC"}}],
                }
            ],
            "overview_polyline": {"points": "_p~iF~ps|U_ulLnnqC"},
            "summary": "Row 0 Street",
        }
    ],
    "status": "OK",
}


def test_commercial_provider_reads_googles_traffic_duration_through_routingpy(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from routingpy.routers import Google

    # routingpy's Google client has a fixed address: point it at the local server, so the
    # request goes through routingpy's real HTTP layer and nothing leaves the machine.
    monkeypatch.setattr(Google, "_base_url", server.url)
    server.answer = lambda method, path, body: Answer(200, GOOGLE_ROUTE)

    route = CommercialProvider("google", api_key="test-key").route(A, B, DEPARTURE)

    assert route.duration == timedelta(seconds=355) + OVERHEAD
    assert route.distance_m == 1610
    assert route.provider == "commercial:google"
    assert route.shape == ((38.5, -120.2), (40.7, -120.95))  # its steps' polylines
    [(method, path, _)] = server.requests
    assert method == "GET"
    assert path.startswith("/directions/json?")
    assert f"departure_time={int(DEPARTURE.timestamp())}" in path
    assert "key=test-key" in path
    assert "mode=driving" in path


def test_commercial_provider_error_falls_back(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from routingpy.routers import Google

    monkeypatch.setattr(Google, "_base_url", server.url)
    server.answer = lambda method, path, body: Answer(
        200, {"status": "REQUEST_DENIED", "error_message": "The provided API key is invalid."}
    )
    with caplog.at_level(logging.WARNING, logger="doorstep.tracking.eta"):
        route = FallbackProvider(CommercialProvider("google", api_key="bad")).route(A, B, DEPARTURE)
    assert route.provider == "offline"
    assert "commercial:google failed" in caplog.text


def test_commercial_provider_refuses_an_unknown_service() -> None:
    with pytest.raises(ValueError, match="Unknown commercial routing service 'teleport'"):
        CommercialProvider("teleport", api_key="x")


# --- The setting ------------------------------------------------------------------------------


@pytest.fixture
def fresh_provider() -> Iterator[None]:
    get_provider.cache_clear()
    yield
    get_provider.cache_clear()


@pytest.mark.usefixtures("fresh_provider")
@pytest.mark.parametrize(
    ("name", "extra", "primary_class"),
    [
        ("offline", {}, OfflineProvider),
        ("valhalla-embedded", {}, ValhallaEmbeddedProvider),
        ("osrm", {"DOORSTEP_ROUTING_URL": "http://osrm.local:5000"}, OsrmProvider),
        ("valhalla", {"DOORSTEP_ROUTING_URL": "http://valhalla.local:8002"}, ValhallaHttpProvider),
        (
            "commercial",
            {"DOORSTEP_ROUTING_COMMERCIAL": "graphhopper", "DOORSTEP_ROUTING_API_KEY": "k"},
            CommercialProvider,
        ),
    ],
)
def test_get_provider_builds_the_configured_provider_behind_the_fallback(
    settings: Any, name: str, extra: dict[str, str], primary_class: type
) -> None:
    settings.DOORSTEP_ROUTING_PROVIDER = name
    for setting, value in extra.items():
        setattr(settings, setting, value)

    provider = get_provider()

    assert isinstance(provider, FallbackProvider)
    assert isinstance(provider.primary, primary_class)
    assert isinstance(provider.fallback, OfflineProvider)
    assert get_provider() is provider  # once per process


@pytest.mark.usefixtures("fresh_provider")
def test_get_provider_passes_the_timeout(settings: Any) -> None:
    settings.DOORSTEP_ROUTING_PROVIDER = "osrm"
    settings.DOORSTEP_ROUTING_URL = "http://osrm.local:5000"
    settings.DOORSTEP_ROUTING_TIMEOUT = 7
    primary = get_provider().primary
    assert isinstance(primary, OsrmProvider)
    assert primary.timeout == 7


@pytest.mark.usefixtures("fresh_provider")
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("carrier-pigeon", "Unknown DOORSTEP_ROUTING_PROVIDER"),
        ("osrm", "needs DOORSTEP_ROUTING_URL"),
        ("commercial", "needs DOORSTEP_ROUTING_COMMERCIAL"),
    ],
)
def test_get_provider_explains_an_incomplete_configuration(
    settings: Any, name: str, message: str
) -> None:
    settings.DOORSTEP_ROUTING_PROVIDER = name
    settings.DOORSTEP_ROUTING_URL = ""
    settings.DOORSTEP_ROUTING_COMMERCIAL = ""
    with pytest.raises(ImproperlyConfigured, match=message):
        get_provider()


def test_default_provider_is_offline() -> None:
    from django.conf import settings

    assert settings.DOORSTEP_ROUTING_PROVIDER == "offline"
