"""At most a few threads run Django at once; one waiting for a request's body gives its place up."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterable
from typing import Any

import pytest

from doorstep.project.running_places import RunningPlaces


class Counting:
    """A WSGI app that notes how many of its calls run at once."""

    def __init__(self, hold: float = 0.02) -> None:
        self.hold = hold
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.hold)
        body = environ["wsgi.input"].read()
        with self.lock:
            self.running -= 1
        start_response("200 OK", [])
        return [body]


def _call(app: Any, body: Any = b"") -> list[bytes]:
    stream = body if not isinstance(body, bytes) else io.BytesIO(body)
    return list(app({"wsgi.input": stream}, lambda status, headers: None))


@pytest.mark.parametrize("places", [1, 2, 3])
def test_no_more_threads_than_places_run_the_app(places: int) -> None:
    app = Counting()
    gate = RunningPlaces(app, places)
    answers: list[list[bytes]] = []
    threads = [
        threading.Thread(target=lambda n=n: answers.append(_call(gate, f"{n}".encode())))
        for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert app.most == places
    assert sorted(answers) == sorted([[f"{n}".encode()] for n in range(8)])


class SlowBody(io.RawIOBase):
    """A request body that arrives only when the test says so, as from a slow phone."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.waiting = threading.Event()

    def read(self, size: int = -1) -> bytes:
        self.waiting.set()
        assert self.arrived.wait(10)
        return b"photo"

    def readline(self, size: int = -1) -> bytes:
        return self.read()


def test_a_thread_waiting_for_a_body_lets_others_run() -> None:
    app = Counting(hold=0)
    gate = RunningPlaces(app, 1)
    slow = SlowBody()
    uploads: list[list[bytes]] = []
    upload = threading.Thread(target=lambda: uploads.append(_call(gate, slow)))
    upload.start()
    assert slow.waiting.wait(10)

    assert _call(gate, b"page") == [b"page"]  # the one place was free meanwhile

    slow.arrived.set()
    upload.join(10)
    assert uploads == [[b"photo"]]


def test_a_failing_app_gives_its_place_back() -> None:
    def failing_once_told(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body: bytes = environ["wsgi.input"].read()
        if body == b"fail":
            raise RuntimeError("broken")
        return [body]

    gate = RunningPlaces(failing_once_told, 1)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            _call(gate, b"fail")
    done: list[list[bytes]] = []
    thread = threading.Thread(target=lambda: done.append(_call(gate, b"fine")))
    thread.start()
    thread.join(5)
    assert done == [[b"fine"]]  # the one place is free again


def test_the_body_reads_line_by_line_and_whole() -> None:
    seen: list[object] = []

    def reader(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        stream = environ["wsgi.input"]
        seen.extend([stream.readline(), stream.readlines(), stream.read()])
        return []

    _call(RunningPlaces(reader, 1), b"one\ntwo\nthree\n")
    assert seen == [b"one\n", [b"two\n", b"three\n"], b""]
    lines: list[bytes] = []
    RunningPlaces(lambda environ, start: lines.extend(environ["wsgi.input"]) or [], 1)(
        {"wsgi.input": io.BytesIO(b"a\nb\n")}, None
    )
    assert lines == [b"a\n", b"b\n"]


def test_places_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least one"):
        RunningPlaces(Counting(), 0)
