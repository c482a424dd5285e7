"""Whatever arrives at the location endpoints, through either way in and on either
database, the answer is never a server error, and a refusal says why in JSON.

The requests are drawn by hypothesis: JSON of any shape (deep nesting, numbers of
hundreds or thousands of digits, NaN, odd Unicode, NUL, lone surrogates, long strings,
the wrong type in every field), query strings and forms in the OsmAnd shapes, bytes
that are no text, and odd headers; with the real technician, device and key among them,
so recording is reached too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doorstep.tracking import ingest as recording
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

LOCATIONS = "/api/v1/locations"
OSMAND = "/api/v1/osmand"
DEVICE = "van-7"


@dataclass(frozen=True)
class Raw:
    """JSON text put as it is into a generated body: what json.dumps cannot write."""

    text: str


def to_json(value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_json(item) for item in value) + "]"
    return json.dumps(value)


# Every character, lone surrogates and NUL included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
# What broke a reader once, or might: drawn often, in every place.
nasty = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "van-7\x00",
        "\ud800",
        "²",
        "١٢٣",
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
        "2025-05-01T09:30:00",
        "1e400",
        "nan",
        "-1",
        "x" * 65,
        "x" * 5_000,
        DEVICE,
        2**63,
        -(2**63),
        10**400,
        Raw("1" * 5_000),
        Raw("1e400"),
        Raw("-1e400"),
        Raw("1e-400"),
        Raw("NaN"),
        Raw("-Infinity"),
        Raw("-0"),
        Raw("[" * 100_000 + "]" * 100_000),
        Raw("[" * 2_000 + "]" * 2_000),
        Raw('{"a": ' * 500 + "1" + "}" * 500),
        [[[[[]]]]],
        {"": {"": None}},
    ]
)
odd_text = st.one_of(nasty.filter(lambda value: isinstance(value, str)), any_text)
scalars = st.one_of(nasty, st.none(), st.booleans(), st.integers(), st.floats(), any_text)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(odd_text, children, max_size=3)
    ),
    max_leaves=12,
)


def mostly(right: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually a right value, so that recording is reached; otherwise anything at all."""
    # one_of() draws its branches alike, and the same branch twice counts once.
    return st.integers(0, 9).flatmap(lambda n: right if n < 7 else nasty if n < 9 else json_values)


def fields(
    required: dict[str, st.SearchStrategy[Any]],
    optional: dict[str, st.SearchStrategy[Any]] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the fields of a shape, each usually right (a wrong one is enough to
    refuse the whole object, so most objects must be right for the rest to be tried)."""
    return st.fixed_dictionaries(
        {name: mostly(strategy) for name, strategy in required.items()},
        optional={name: mostly(strategy) for name, strategy in (optional or {}).items()},
    )


def body_strategies(technician_id: int) -> dict[str, st.SearchStrategy[Any]]:
    now = timezone.now()
    ago = st.integers(-3_600, 3 * 24 * 3_600).map(lambda seconds: now - timedelta(seconds=seconds))
    times = ago.map(lambda moment: moment.isoformat())
    epoch = ago.map(lambda moment: int(moment.timestamp())) | ago.map(
        lambda moment: int(moment.timestamp() * 1000)
    )
    latitude, longitude = st.floats(-90, 90), st.floats(-180, 180)
    ping = fields(
        {"latitude": latitude, "longitude": longitude, "recorded_at": times},
        {
            "accuracy": st.floats(0, 50),
            "speed": st.floats(0, 40),
            "heading": st.floats(0, 360),
            "altitude": st.floats(0, 3_000),
            "battery": st.integers(0, 100),
        },
    )
    locations = fields(
        {
            "technician_id": st.sampled_from([technician_id, str(technician_id), 999_999]),
            "pings": st.lists(ping, min_size=1, max_size=3),
        },
        {"device_id": st.just(DEVICE)},
    ) | fields({"device_id": st.just(DEVICE), "latitude": latitude, "longitude": longitude})
    location = fields(
        {
            "timestamp": times | epoch,
            "coords": fields({"latitude": latitude, "longitude": longitude}, {"speed": latitude}),
        },
        {"battery": fields({"level": st.floats(-1, 1)})},
    )
    osmand = fields(
        {
            "device_id": st.sampled_from([DEVICE, "k7m2x-9qp4h-vtc8r-wn3dg"]),
            "location": location | st.lists(location, max_size=3),
        }
    )
    return {"locations": locations, "osmand": osmand}


def mostly_text(right: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.integers(0, 9).flatmap(lambda n: right if n < 7 else odd_text)


def osmand_params(now: datetime) -> st.SearchStrategy[dict[str, str]]:
    """The query-string and form shape: usually right, with odd fields beside."""
    numbers = st.floats(-90, 90).map(str)
    seconds = st.integers(-3_600, 3 * 24 * 3_600).map(lambda ago: str(int(now.timestamp()) - ago))
    shaped = st.fixed_dictionaries(
        {
            "id": mostly_text(st.sampled_from([DEVICE, "k7m2x-9qp4h-vtc8r-wn3dg"])),
            "lat": mostly_text(numbers),
            "lon": mostly_text(numbers),
        },
        optional={
            name: mostly_text(numbers | seconds)
            for name in ("timestamp", "speed", "bearing", "heading", "altitude", "accuracy")
        }
        | {"hdop": mostly_text(numbers), "batt": mostly_text(numbers), "location": odd_text},
    )
    extra = st.dictionaries(odd_text, odd_text, max_size=3)
    return st.builds(lambda fields, more: {**more, **fields}, shaped, extra)


# Header values as HTTP carries them: bytes read as Latin-1.
header_text = st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=40)
content_types = (
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-16",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/plain",
            "",
        ]
    )
    | header_text
)
odd_headers = st.fixed_dictionaries(
    {},
    optional={
        "Accept-Language": header_text | st.sampled_from(["fr", "de-CH,de;q=0.9", "*"]),
        "X-Forwarded-For": header_text | st.sampled_from(["203.0.113.9", "::1, 10.0.0.1"]),
        "X-Forwarded-Proto": header_text | st.just("https"),
        "User-Agent": header_text,
    },
)


@pytest.fixture
def technician_id(db: None) -> int:
    return int(ResourceFactory(tracking_device_id=DEVICE).pk)


def assert_answered(response: Any) -> None:
    """Not a server error; a refusal is JSON with its reason."""
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        error = json.loads(response.content)["error"]
        assert isinstance(error, str)
        assert error


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_request_to_the_location_endpoints_is_a_server_error(
    client: Client,
    api_key: str,
    technician_id: int,
    monkeypatch: pytest.MonkeyPatch,
    data: st.DataObject,
) -> None:
    # A low limit on unknown device ids, so that its answer is met too.
    monkeypatch.setattr(recording, "DEVICE_MISSES_PER_WINDOW", 5)
    bodies = body_strategies(technician_id)
    content_type = data.draw(content_types, label="content type")
    headers = data.draw(odd_headers, label="headers")
    # Two senders, each of which names enough unknown device ids to reach the limit.
    address = data.draw(st.sampled_from(["203.0.113.9", "203.0.113.10"]), label="from")
    as_text = data.draw(st.integers(0, 3).map(bool), label="JSON (or bytes)")

    def body(kind: str) -> bytes:
        if as_text:
            return to_json(data.draw(mostly(bodies[kind]), label=f"{kind} body")).encode(
                "utf-8", "surrogatepass"
            )
        return data.draw(st.binary(max_size=200), label=f"{kind} bytes")

    key = data.draw(
        st.one_of(
            st.just(f"Bearer {api_key}"),
            st.just(f"Token {api_key}"),
            st.sampled_from(["Bearer ds_nope", "Token", ""]),
            header_text,
        ),
        label="Authorization",
    )
    # generic(), not post(): post() re-encodes a body to the charset its content type names.
    response = client.generic(
        "POST",
        LOCATIONS,
        body("locations"),
        content_type=content_type,
        headers={**headers, "Authorization": key} if key else headers,
        REMOTE_ADDR=address,
    )
    assert_answered(response)

    response = client.generic(
        "POST",
        OSMAND,
        body("osmand"),
        content_type=content_type,
        headers=headers,
        REMOTE_ADDR=address,
    )
    assert_answered(response)

    params = osmand_params(timezone.now())
    query = urlencode(data.draw(params, label="query"), errors="surrogatepass")
    method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
    form = urlencode(data.draw(params | st.just({}), label="form"), errors="surrogatepass")
    response = client.generic(
        method,
        f"{OSMAND}?{query}",
        form if method == "POST" else "",
        content_type="application/x-www-form-urlencoded",
        headers=headers,
        REMOTE_ADDR=address,
    )
    assert_answered(response)
