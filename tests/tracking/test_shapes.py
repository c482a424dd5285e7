"""The road on the live map: routing answers' shapes decoded, thinned, and cut where the
technician is, so the line starts at the van and stays a few kilobytes."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doorstep.tracking.eta.shapes import (
    MAX_POINTS,
    ShapeError,
    decode_polyline,
    from_lonlat,
    still_to_go,
    thin,
)

# Google's documented example ("Encoded Polyline Algorithm Format").
GOOGLE_EXAMPLE = "_p~iF~ps|U_ulLnnqC_mqNvxq`@"
GOOGLE_POINTS = [(38.5, -120.2), (40.7, -120.95), (43.252, -126.453)]

# A street grid in Denver: about 200 m a block.
LAT_STEP, LON_STEP = 0.0018, 0.00234


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    scale = math.cos(math.radians(a[0]))
    return math.hypot((a[0] - b[0]) * 111_195, (a[1] - b[1]) * 111_195 * scale)


def test_decodes_a_polyline_of_precision_5() -> None:
    points = decode_polyline(GOOGLE_EXAMPLE, precision=5)
    assert [pytest.approx(point) for point in GOOGLE_POINTS] == points


def test_decodes_valhallas_polyline_of_precision_6() -> None:
    # As Valhalla answered for four blocks north then four east on the test grid.
    points = decode_polyline("_epxjA~qaggEmoB?koB?moB?moB??eqC?eqC?eqC?eqC", precision=6)
    assert points[0] == pytest.approx((39.74, -104.99))
    assert points[4] == pytest.approx((39.747195, -104.99))  # the corner
    assert points[-1] == pytest.approx((39.747195, -104.980644))
    assert len(points) == 9


@pytest.mark.parametrize("garbage", ["~~~~", "abc", 12, None, ["_p~iF"]])
def test_a_polyline_that_cannot_be_read_is_a_shape_error(garbage: object) -> None:
    with pytest.raises(ShapeError):
        decode_polyline(garbage, precision=5)


def test_a_polyline_off_the_map_is_a_shape_error() -> None:
    # Precision 6 read as 5: latitudes ten times too large.
    with pytest.raises(ShapeError, match="off the map"):
        decode_polyline("_epxjA~qaggEmoB?", precision=5)


def test_geojson_coordinates_are_longitude_first() -> None:
    assert from_lonlat([[-104.99, 39.74], [-104.98, 39.75, 1600.0]]) == [
        (39.74, -104.99),
        (39.75, -104.98),
    ]


@pytest.mark.parametrize(
    "garbage", [None, "[]", [[1]], [["a", "b"]], [[True, 2.0]], [[-104.99, 95.0]]]
)
def test_coordinates_that_are_not_places_are_a_shape_error(garbage: object) -> None:
    with pytest.raises(ShapeError):
        from_lonlat(garbage)


def test_thinning_a_straight_street_keeps_its_ends() -> None:
    street = [(39.74 + step * 0.0001, -104.99) for step in range(50)]
    assert thin(street) == [(39.74, -104.99), (39.7449, -104.99)]


def test_thinning_keeps_the_corners() -> None:
    north = [(round(39.74 + step * 0.0002, 5), -104.99) for step in range(10)]
    east = [(north[-1][0], round(-104.99 + step * 0.0002, 5)) for step in range(1, 10)]
    assert thin(north + east) == [north[0], north[-1], east[-1]]


def test_a_winding_road_is_capped_and_the_payload_stays_small() -> None:
    # 5,000 points zigzagging 50 m either side: nothing below the tolerance to drop.
    winding = [
        (39.70 + step * 0.00005, -104.99 + (0.0006 if step % 2 else 0.0)) for step in range(5000)
    ]
    thinned = thin(winding)
    assert len(thinned) <= MAX_POINTS
    assert thinned[0] == winding[0]
    assert thinned[-1] == pytest.approx(winding[-1])
    assert len(json.dumps(thinned)) < 8_000  # bytes per update, per viewer


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.floats(39.6, 39.8), st.floats(-105.1, -104.9)), min_size=2, max_size=400),
    st.integers(2, 50),
)
def test_thinning_keeps_a_subsequence_with_both_ends(
    points: list[tuple[float, float]], cap: int
) -> None:
    rounded = [(round(lat, 5), round(lon, 5)) for lat, lon in points]
    thinned = thin(points, max_points=cap)
    assert len(thinned) <= max(cap, 2)
    assert thinned[0] == rounded[0]
    assert thinned[-1] == rounded[-1] or len(set(rounded)) == 1
    remaining = iter(rounded)
    assert all(point in remaining for point in thinned)  # in order, none invented


ROAD = [
    (39.740, -104.990),
    (39.745, -104.990),  # north 556 m
    (39.745, -104.980),  # then east 856 m
]


def test_the_road_to_go_starts_where_the_technician_is() -> None:
    on_the_way_north = (39.742, -104.9901)  # 9 m off the road, 222 m along it
    ahead = still_to_go(ROAD, on_the_way_north)
    assert ahead is not None
    assert ahead[0] == pytest.approx((39.742, -104.990))
    assert ahead[1:] == [(39.745, -104.990), (39.745, -104.980)]


def test_past_the_corner_only_the_last_street_is_left() -> None:
    ahead = still_to_go(ROAD, (39.745, -104.985))
    assert ahead == [(39.745, -104.985), (39.745, -104.980)]


def test_at_the_door_the_road_is_a_point_or_nothing_to_draw() -> None:
    ahead = still_to_go(ROAD, ROAD[-1])
    assert ahead == [(39.745, -104.980)]


def test_a_technician_on_another_road_gets_no_line() -> None:
    assert still_to_go(ROAD, (39.735, -104.970)) is None  # a kilometre away


def test_a_road_of_one_point_is_no_road() -> None:
    assert still_to_go([[39.74, -104.99]], (39.74, -104.99)) is None
    assert still_to_go([], (39.74, -104.99)) is None


def test_the_stored_form_is_cut_as_well() -> None:
    stored = [list(point) for point in ROAD]  # as it comes back from the JSON field
    ahead = still_to_go(stored, (39.745, -104.985))
    assert ahead is not None
    assert metres(ahead[0], (39.745, -104.985)) < 1
