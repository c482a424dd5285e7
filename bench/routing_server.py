"""A stand-in OSRM server for the benchmarks: OSRM's answers, a fixed delay, on 127.0.0.1.

`RoutingServer(delay=0.15)` answers `GET /route/v1/driving/<lon>,<lat>;<lon>,<lat>` as
`osrm-routed` does (the car profile, a simplified overview as a polyline), after `delay`
seconds, from a thread of this process; each request has a thread of its own, so slow
answers overlap as they would on a real server. Durations are the straight line × 1.3
driven at 40 km/h; the road drawn goes along the meridian, then along the parallel (a
street grid's way), so a live map shows a line that is cut as the technician drives it.
"""

from __future__ import annotations

import json
import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CIRCUITY = 1.3
SPEED_MPS = 40 / 3.6
EARTH_RADIUS_M = 6_371_008.8


class RoutingServer:
    """Use as a context manager; `url` is what `DOORSTEP_ROUTING_URL` takes."""

    def __init__(self, *, delay: float) -> None:
        self.delay = delay
        self.requests = 0
        self.refused = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="osrm-stand-in", daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> RoutingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def count(self, *, refused: bool = False) -> None:
        with self._lock:
            self.requests += 1
            self.refused += refused

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as osrm-routed
            wbufsize = 1 << 16  # the head and the body in one packet: no delayed ACK

            def do_GET(self) -> None:
                time.sleep(server.delay)
                answer = _route(self.path)
                server.count(refused=answer is None)
                status, body = (200, answer) if answer else (400, _NO_ROUTE)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


_NO_ROUTE = {"code": "InvalidUrl", "message": "URL string malformed close to position 1"}


def _route(path: str) -> dict[str, Any] | None:
    prefix = "/route/v1/driving/"
    if not path.startswith(prefix):
        return None
    coordinates = path[len(prefix) :].partition("?")[0]
    try:
        (lon1, lat1), (lon2, lat2) = (
            map(float, pair.split(",")) for pair in coordinates.split(";")
        )
    except ValueError:
        return None
    metres = _great_circle_m(lat1, lon1, lat2, lon2) * CIRCUITY
    seconds = metres / SPEED_MPS
    leg = {"steps": [], "summary": "", "weight": seconds, "duration": seconds, "distance": metres}
    return {
        "code": "Ok",
        "routes": [
            {
                "geometry": _polyline([(lat1, lon1), (lat2, lon1), (lat2, lon2)]),
                "legs": [leg],
                "weight_name": "routability",
                "weight": seconds,
                "duration": seconds,
                "distance": metres,
            }
        ],
        "waypoints": [
            {"hint": "", "distance": 0.0, "name": "", "location": [lon1, lat1]},
            {"hint": "", "distance": 0.0, "name": "", "location": [lon2, lat2]},
        ],
    }


def _great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _polyline(points: list[tuple[float, float]]) -> str:
    """Google's encoded polyline (precision 5), as OSRM answers by default."""
    out: list[str] = []
    last = (0, 0)
    for lat, lon in points:
        here = (round(lat * 1e5), round(lon * 1e5))
        for delta in (here[0] - last[0], here[1] - last[1]):
            value = ~(delta << 1) if delta < 0 else delta << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        last = here
    return "".join(out)
