"""Denver as the demo sees it: its time zone, and its address grid.

Denver numbers its streets from two zero lines, Ellsworth Ave (north/south) and Broadway
(east/west), so a house number and a street give a point on the map; the demo's
addresses and their coordinates agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from doorstep.project.demo import data

DENVER = ZoneInfo(data.TIME_ZONE)

ELLSWORTH_LATITUDE = 39.7165  # the north/south zero of the address grid
BROADWAY_LONGITUDE = -104.9875  # the east/west zero
MILES_PER_DEGREE_LATITUDE = 69.0
MILES_PER_DEGREE_LONGITUDE = 53.0  # at Denver's latitude
# Hundreds of the address per mile, which differ by direction; measured on arterials:
# Colfax Ave (1500 N), Evans Ave (2100 S), Colorado Blvd (4000 E), Federal Blvd (3000 W).
HUNDREDS_PER_MILE_NORTH = 10.0
HUNDREDS_PER_MILE_SOUTH = 8.0
HUNDREDS_PER_MILE_EAST = 16.0
HUNDREDS_PER_MILE_WEST = 15.0

# ZIP codes by neighbourhood, roughly: for columns of the grid (east of the previous column
# and west of `east_below`), bands from north to south (north of `north_from`).
FAR = 10**6
ZIP_CODES: tuple[tuple[int, tuple[tuple[int, str], ...]], ...] = (
    (-2999, ((2600, "80212"), (0, "80204"), (-FAR, "80219"))),
    (0, ((2000, "80211"), (0, "80204"), (-FAR, "80223"))),
    (1200, ((2000, "80205"), (0, "80203"), (-1000, "80209"), (-FAR, "80210"))),
    (2300, ((1800, "80205"), (0, "80218"), (-1000, "80209"), (-FAR, "80210"))),
    (4000, ((1800, "80205"), (0, "80206"), (-1000, "80209"), (-FAR, "80210"))),
    (5500, ((2600, "80207"), (0, "80220"), (-FAR, "80222"))),
    (FAR, ((2600, "80207"), (0, "80220"), (-1000, "80222"), (-FAR, "80224"))),
)

STREETS_BY_NAME = {street.name: street for street in data.STREETS}


def local(day: date, at: time) -> datetime:
    """The moment a Denver clock shows `at` on `day`."""
    return datetime.combine(day, at, tzinfo=DENVER)


@dataclass(frozen=True)
class Address:
    line1: str
    postal_code: str
    latitude: Decimal
    longitude: Decimal


def grid_point(*, east: int, north: int) -> tuple[Decimal, Decimal]:
    """The latitude and longitude of a point given by its place on the address grid."""
    north_hundreds = north / 100
    east_hundreds = east / 100
    north_miles = north_hundreds / (
        HUNDREDS_PER_MILE_NORTH if north >= 0 else HUNDREDS_PER_MILE_SOUTH
    )
    east_miles = east_hundreds / (HUNDREDS_PER_MILE_EAST if east >= 0 else HUNDREDS_PER_MILE_WEST)
    latitude = ELLSWORTH_LATITUDE + north_miles / MILES_PER_DEGREE_LATITUDE
    longitude = BROADWAY_LONGITUDE + east_miles / MILES_PER_DEGREE_LONGITUDE
    return Decimal(f"{latitude:.6f}"), Decimal(f"{longitude:.6f}")


def postal_code(*, east: int, north: int) -> str:
    """Roughly the ZIP code of a point of the grid."""
    bands = next(bands for east_below, bands in ZIP_CODES if east < east_below)
    return next(code for north_from, code in bands if north >= north_from)


def grid_address(street: data.Street, number: int) -> Address:
    """The address text, ZIP code and coordinates of a house number on a street."""
    if street.runs == "avenue":
        east, north = number, street.at
        line1 = f"{abs(number)} {'E' if number > 0 else 'W'} {street.name}"
    else:
        east, north = street.at, number
        line1 = f"{abs(number)} {'S ' if number < 0 else ''}{street.name}"
    latitude, longitude = grid_point(east=east, north=north)
    return Address(line1, postal_code(east=east, north=north), latitude, longitude)
