"""The demo company's fixed data: Mile High Home Services, a home-services firm in Denver.

Everything here is invented. Street names are Denver's, with their place on the city's
address grid, so that an address and its point on the map agree (see `grid_address()` in
geography.py); house numbers, people, businesses, phone numbers (the fictional 555-01xx
range) and serial numbers are made up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Literal

TIME_ZONE = "America/Denver"
CITY = "Denver"
COUNTRY = "US"

# Sign-ins printed at the end of `doorstep demo`; all share DEMO_PASSWORD (see records.py).
ADMIN_EMAIL = "admin@demo.doorstep.test"
CUSTOMER_EMAIL = "customer@demo.doorstep.test"
TECHNICIAN_EMAIL = "tech@demo.doorstep.test"

# PortalSettings fields the demo sets; the rest keep their defaults.
COMPANY_SETTINGS: dict[str, str] = {
    "company_name": "Mile High Home Services",
    "contact_email": "service@milehighhome.example",
    "contact_phone": "+1 303 555 0100",
    "page_title": "Your home service visits",
    "page_footer": (
        "Mile High Home Services · Heating, cooling, plumbing, electrical and appliance "
        "repair across Denver · Call +1 303 555 0100, Monday to Saturday, 7:00 to 18:00.\n"
        "This is a demo company: every name, address and phone number here is invented."
    ),
    "text_color": "#1d2733",
    "background_color": "#f5f7f4",
    "foreground_color": "#1c5d8f",
    "time_zone": TIME_ZONE,
}


# --- Skills and service types ----------------------------------------------------------


@dataclass(frozen=True)
class SkillData:
    name: str
    description: str


SKILLS: tuple[SkillData, ...] = (
    SkillData("HVAC", "Furnaces, air conditioners, heat pumps and boilers."),
    SkillData("Refrigerant handling", "Recovering and charging refrigerant in cooling circuits."),
    SkillData("Gas piping", "Gas connections and leak tests for furnaces, water heaters, dryers."),
    SkillData("Plumbing", "Supply and waste piping, fixtures and water heaters."),
    SkillData("Drain cleaning", "Clearing blocked drains and sewer lines with augers and jetters."),
    SkillData("Backflow testing", "Certified testing of backflow prevention assemblies."),
    SkillData("Electrical", "Residential and light commercial wiring, circuits and panels."),
    SkillData("Appliance repair", "Dishwashers, refrigerators, washers, dryers and ranges."),
)


@dataclass(frozen=True)
class ServiceTypeData:
    name: str
    display_name: str
    description: str
    duration_minutes: int
    portal_enabled: bool
    requirements: tuple[tuple[str, int], ...]  # (skill name, minimum proficiency)
    asset_kinds: tuple[str, ...]  # the equipment this work is done on, if any
    weight: int  # how often the company does it, relative to the others
    instructions: tuple[str, ...]
    completion_notes: tuple[str, ...]


SERVICE_TYPES: tuple[ServiceTypeData, ...] = (
    ServiceTypeData(
        name="HVAC – furnace tune-up",
        display_name="Furnace tune-up",
        description=(
            "A yearly check of your gas furnace or boiler before the cold: burners, flame "
            "sensor, filter and a carbon monoxide test."
        ),
        duration_minutes=60,
        portal_enabled=True,
        requirements=(("HVAC", 2), ("Gas piping", 1)),
        asset_kinds=("furnace", "boiler"),
        weight=6,
        instructions=(
            "Yearly tune-up before the heating season.",
            "Furnace is in the crawl space; the hatch is in the hall closet.",
            "Please replace the filter; the customer has 16x25x1 filters on hand.",
        ),
        completion_notes=(
            "Cleaned the burners and flame sensor, replaced the filter and tested for carbon "
            "monoxide. Everything is running safely.",
            "Tune-up done. The igniter shows some wear; we suggest replacing it next season.",
        ),
    ),
    ServiceTypeData(
        name="HVAC – cooling tune-up",
        display_name="Air conditioner tune-up",
        description=(
            "A yearly check of your air conditioner or heat pump before summer: coils, "
            "refrigerant charge, electrical parts and thermostat."
        ),
        duration_minutes=60,
        portal_enabled=True,
        requirements=(("HVAC", 2), ("Refrigerant handling", 2)),
        asset_kinds=("ac", "heat_pump", "rooftop"),
        weight=5,
        instructions=(
            "Yearly cooling check.",
            "Condenser sits beside the garage; go through the side gate.",
            "The unit ran all last summer without a service.",
        ),
        completion_notes=(
            "Cleaned the condenser coil, checked the refrigerant charge and tested the "
            "controls. Cooling normally.",
            "Tune-up done. The contactor is pitted; we suggest replacing it before summer.",
        ),
    ),
    ServiceTypeData(
        name="HVAC – repair",
        display_name="Heating or cooling repair",
        description=(
            "No heat, no cooling, strange noises or a system that keeps switching on and "
            "off. We find the cause and fix it, most often on the first visit."
        ),
        duration_minutes=120,
        portal_enabled=True,
        requirements=(("HVAC", 3),),
        asset_kinds=("furnace", "boiler", "ac", "heat_pump", "rooftop", "walk_in_cooler"),
        weight=7,
        instructions=(
            "No heat since last night; the furnace clicks but does not light.",
            "Air conditioner runs but blows warm air.",
            "Furnace switches off every few minutes.",
            "Loud rattling from the outdoor unit.",
        ),
        completion_notes=(
            "Replaced the flame sensor; the furnace now runs full cycles.",
            "Replaced the failed capacitor in the outdoor unit; cooling is back.",
            "Cleared a blocked condensate line that had tripped the safety switch.",
        ),
    ),
    ServiceTypeData(
        name="Plumbing – water heater service",
        display_name="Water heater service",
        description=(
            "Lukewarm water, a pilot that goes out or a tank that needs its yearly flush. "
            "Gas, electric and tankless heaters."
        ),
        duration_minutes=90,
        portal_enabled=True,
        requirements=(("Plumbing", 2), ("Gas piping", 2)),
        asset_kinds=("water_heater", "commercial_water_heater"),
        weight=5,
        instructions=(
            "Water is only lukewarm.",
            "Yearly flush and anode check.",
            "Pilot light keeps going out.",
        ),
        completion_notes=(
            "Flushed the tank and replaced the anode rod.",
            "Replaced the thermocouple; the pilot stays lit.",
        ),
    ),
    ServiceTypeData(
        name="Plumbing – water heater replacement",
        display_name="Water heater replacement",
        description="Replacing a water heater after our quote, including hauling away the old one.",
        duration_minutes=240,
        portal_enabled=False,  # booked by the office once the customer accepts a quote
        requirements=(("Plumbing", 4), ("Gas piping", 3)),
        asset_kinds=("water_heater",),
        weight=2,
        instructions=(
            "Replace the water heater as quoted; haul away the old tank.",
            "Tank leaking at the base; replacement quoted and approved.",
        ),
        completion_notes=(
            "Installed the new water heater, tested the gas connection for leaks and took "
            "the old tank away.",
        ),
    ),
    ServiceTypeData(
        name="Plumbing – drain cleaning",
        display_name="Drain cleaning",
        description="Slow or blocked sinks, tubs, floor drains and main sewer lines.",
        duration_minutes=60,
        portal_enabled=True,
        requirements=(("Drain cleaning", 2),),
        asset_kinds=(),
        weight=5,
        instructions=(
            "Kitchen sink drains slowly.",
            "Basement floor drain backs up after heavy rain.",
            "Tub and toilets gurgle; probably the main line.",
        ),
        completion_notes=(
            "Cleared the kitchen line with an auger; it drains freely now.",
            "Jetted the main line; roots at about 40 feet. We suggest a camera inspection "
            "next year.",
        ),
    ),
    ServiceTypeData(
        name="Plumbing – leak and fixture repair",
        display_name="Leak or fixture repair",
        description="Dripping taps, running toilets, leaking pipes and outdoor spigots.",
        duration_minutes=90,
        portal_enabled=True,
        requirements=(("Plumbing", 2),),
        asset_kinds=("softener", "sump_pump"),
        weight=5,
        instructions=(
            "Drip under the bathroom sink.",
            "Running toilet in the upstairs bathroom.",
            "Outdoor spigot leaks since the last freeze.",
        ),
        completion_notes=(
            "Replaced the trap washer under the sink; no more drips.",
            "Replaced the toilet fill valve and flapper.",
        ),
    ),
    ServiceTypeData(
        name="Plumbing – backflow test",
        display_name="Backflow prevention test",
        description=(
            "The yearly test of your backflow prevention assembly, with the report filed for you."
        ),
        duration_minutes=45,
        portal_enabled=True,
        requirements=(("Backflow testing", 3), ("Plumbing", 1)),
        asset_kinds=("backflow",),
        weight=2,
        instructions=(
            "Yearly backflow test due; the report must be filed with the water utility.",
            "Test the irrigation backflow assembly before the spring start-up.",
        ),
        completion_notes=("The assembly passed its yearly test; we filed the report for you.",),
    ),
    ServiceTypeData(
        name="Electrical – troubleshooting",
        display_name="Electrical troubleshooting",
        description=(
            "Breakers that trip, dead outlets or flickering lights. We trace the fault "
            "and repair it safely."
        ),
        duration_minutes=90,
        portal_enabled=True,
        requirements=(("Electrical", 3),),
        asset_kinds=("panel", "ev_charger"),
        weight=5,
        instructions=(
            "The kitchen breaker trips when the microwave runs.",
            "Outlets in the basement are dead.",
            "Lights flicker in the living room.",
        ),
        completion_notes=(
            "Replaced a worn breaker on the kitchen circuit.",
            "Found a loose connection behind a basement outlet and repaired it; all outlets work.",
        ),
    ),
    ServiceTypeData(
        name="Electrical – panel upgrade",
        display_name="Electrical panel upgrade",
        description="Replacing an old or full electrical panel after our quote.",
        duration_minutes=360,
        portal_enabled=False,  # needs a quote and a permit first
        requirements=(("Electrical", 5),),
        asset_kinds=("panel",),
        weight=1,
        instructions=(
            "Upgrade from 100 A to 200 A as quoted; power is off for most of the day.",
            "Replace the old fuse panel; permit pulled.",
        ),
        completion_notes=("New 200 A panel installed and labeled; the city inspection is booked.",),
    ),
    ServiceTypeData(
        name="Electrical – EV charger installation",
        display_name="EV charger installation",
        description=(
            "Installing a home charger for your electric car, with a new circuit from your panel."
        ),
        duration_minutes=180,
        portal_enabled=True,
        requirements=(("Electrical", 4),),
        asset_kinds=(),
        weight=2,
        instructions=(
            "Install a 48 A charger in the detached garage.",
            "Customer has the charger; mount it on the garage wall next to the panel.",
        ),
        completion_notes=(
            "Charger installed on a new 60 A circuit and tested with the customer's car.",
        ),
    ),
    ServiceTypeData(
        name="Appliances – repair",
        display_name="Appliance repair",
        description="Dishwashers, refrigerators, washers, dryers, ranges and ovens.",
        duration_minutes=90,
        portal_enabled=True,
        requirements=(("Appliance repair", 2),),
        asset_kinds=(
            "dishwasher",
            "refrigerator",
            "washer",
            "dryer",
            "range",
            "commercial_dishwasher",
            "ice_machine",
            "commercial_washer",
        ),
        weight=6,
        instructions=(
            "Dishwasher does not drain.",
            "Refrigerator is not cooling; the freezer is fine.",
            "Dryer runs but does not heat.",
            "Washer stops mid-cycle with an error code.",
        ),
        completion_notes=(
            "Cleared the drain pump and replaced the filter; it drains normally.",
            "Replaced the heating element.",
            "Replaced the defrost thermostat; it is cooling again.",
        ),
    ),
)


# --- Technicians ---------------------------------------------------------------------------

Weekdays = tuple[int, ...]  # 0 is Monday
MON_FRI: Weekdays = (0, 1, 2, 3, 4)

# Named weekly patterns: (weekdays, from, until); two rows on one day make a split day.
WORKING_HOURS: dict[str, tuple[tuple[Weekdays, time, time], ...]] = {
    # The on-call rota that the demo technician sign-in works: visits every day.
    # Long enough on weekends too for the story's four visits today, whatever the day.
    "every_day": ((MON_FRI, time(8), time(17)), ((5, 6), time(8), time(17))),
    "weekdays": ((MON_FRI, time(8), time(16, 30)),),
    "early": ((MON_FRI, time(7), time(15, 30)),),
    "late": ((MON_FRI, time(10), time(18, 30)),),
    "nine_to_half_five": ((MON_FRI, time(9), time(17, 30)),),
    "split": ((MON_FRI, time(8), time(12)), (MON_FRI, time(13), time(17))),
    "split_early": ((MON_FRI, time(7, 30), time(11, 30)), (MON_FRI, time(12, 30), time(16, 30))),
    "tuesday_to_saturday": (((1, 2, 3, 4, 5), time(8), time(16, 30)),),
    "sunday_to_thursday": (((6, 0, 1, 2, 3), time(8), time(16, 30)),),
    "four_tens": (((0, 1, 2, 3), time(7), time(17, 30)),),
    "four_tens_with_saturday": (((2, 3, 4, 5), time(7), time(17, 30)),),
    "part_time_mon_wed_fri": (((0, 2, 4), time(8), time(13)),),
    "part_time_tue_thu_sat": (((1, 3), time(9), time(17)), ((5,), time(9), time(13))),
}


@dataclass(frozen=True)
class TimeOffData:
    """Time off relative to the day the demo is loaded: (days from today, local time)."""

    start: tuple[int, time]
    end: tuple[int, time]
    reason: str


@dataclass(frozen=True)
class TechnicianData:
    first_name: str
    last_name: str
    email: str
    phone: str
    home: tuple[str, str]  # latitude, longitude of the home base
    skills: tuple[tuple[str, int], ...]  # (skill name, proficiency 1–5)
    hours: str  # a key of WORKING_HOURS
    active: bool = True
    time_off: tuple[TimeOffData, ...] = ()

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name[0]}."


TECHNICIANS: tuple[TechnicianData, ...] = (
    TechnicianData(
        "Alex",
        "Moreno",
        TECHNICIAN_EMAIL,
        "+17205550101",
        ("39.674500", "-105.037600"),
        (
            ("HVAC", 4),
            ("Refrigerant handling", 3),
            ("Gas piping", 3),
            ("Plumbing", 2),
            ("Appliance repair", 3),
        ),
        "every_day",
    ),
    TechnicianData(
        "Dana",
        "Whitfield",
        "dana.whitfield@milehighhome.example",
        "+17205550102",
        ("39.802800", "-105.087500"),
        (("Electrical", 5),),
        "early",
    ),
    TechnicianData(
        "Marcus",
        "Bell",
        "marcus.bell@milehighhome.example",
        "+17205550103",
        ("39.783300", "-104.846700"),
        (("Plumbing", 5), ("Gas piping", 4), ("Drain cleaning", 3), ("Backflow testing", 4)),
        "split",
        time_off=(TimeOffData((6, time(0)), (9, time(0)), "Family trip"),),
    ),
    TechnicianData(
        "Sofia",
        "Reyes",
        "sofia.reyes@milehighhome.example",
        "+17205550104",
        ("39.647800", "-104.987800"),
        (("HVAC", 5), ("Refrigerant handling", 5), ("Gas piping", 3)),
        "tuesday_to_saturday",
        time_off=(TimeOffData((-8, time(0)), (-7, time(0)), "Sick day"),),
    ),
    TechnicianData(
        "Jamal",
        "Carter",
        "jamal.carter@milehighhome.example",
        "+17205550105",
        ("39.729400", "-104.831900"),
        (("Drain cleaning", 4), ("Plumbing", 3)),
        "weekdays",
    ),
    TechnicianData(
        "Hannah",
        "Lindqvist",
        "hannah.lindqvist@milehighhome.example",
        "+17205550106",
        ("39.766100", "-105.077200"),
        (("Appliance repair", 5), ("Electrical", 2)),
        "part_time_mon_wed_fri",
    ),
    TechnicianData(
        "Tomás",
        "Ortega",
        "tomas.ortega@milehighhome.example",
        "+17205550107",
        ("39.784500", "-104.987000"),
        (("HVAC", 3), ("Refrigerant handling", 2), ("Gas piping", 2)),
        "four_tens",
        time_off=(TimeOffData((15, time(0)), (18, time(0)), "Vacation"),),
    ),
    TechnicianData(
        "Grace",
        "Kim",
        "grace.kim@milehighhome.example",
        "+17205550108",
        ("39.704700", "-105.081400"),
        (("Electrical", 4),),
        "late",
        time_off=(
            TimeOffData((11, time(10)), (11, time(14)), "Training: EV charger installation"),
        ),
    ),
    TechnicianData(
        "Ben",
        "Okafor",
        "ben.okafor@milehighhome.example",
        "+17205550109",
        ("39.760100", "-104.888000"),
        (("Plumbing", 4), ("Gas piping", 3), ("Drain cleaning", 2), ("Backflow testing", 3)),
        "sunday_to_thursday",
    ),
    TechnicianData(
        "Lena",
        "Hoffman",
        "lena.hoffman@milehighhome.example",
        "+17205550110",
        ("39.753100", "-105.064200"),
        (("Appliance repair", 3),),
        "part_time_tue_thu_sat",
    ),
    TechnicianData(
        "Ray",
        "Sandoval",
        "ray.sandoval@milehighhome.example",
        "+17205550111",
        ("39.836700", "-105.037200"),
        (("HVAC", 4), ("Refrigerant handling", 4), ("Electrical", 2)),
        "split_early",
    ),
    TechnicianData(
        "Keisha",
        "Moore",
        "keisha.moore@milehighhome.example",
        "+17205550112",
        ("39.868000", "-104.971900"),
        (("Plumbing", 3), ("Backflow testing", 3), ("Drain cleaning", 2)),
        "weekdays",
        time_off=(TimeOffData((2, time(12)), (2, time(16, 30)), "Medical appointment"),),
    ),
    TechnicianData(
        "Owen",
        "Fitzgerald",
        "owen.fitzgerald@milehighhome.example",
        "+17205550113",
        ("39.613300", "-105.016600"),
        (("Electrical", 3), ("Appliance repair", 2)),
        "four_tens_with_saturday",
    ),
    TechnicianData(
        "Mei",
        "Chen",
        "mei.chen@milehighhome.example",
        "+17205550114",
        ("39.731200", "-104.978700"),
        (("HVAC", 2), ("Refrigerant handling", 2)),
        "weekdays",
    ),
    TechnicianData(
        "Diego",
        "Vargas",
        "diego.vargas@milehighhome.example",
        "+17205550115",
        ("39.808300", "-104.933900"),
        (("Gas piping", 4), ("HVAC", 3), ("Plumbing", 3)),
        "early",
    ),
    TechnicianData(
        "Nora",
        "Haddad",
        "nora.haddad@milehighhome.example",
        "+17205550116",
        ("39.685000", "-104.928000"),
        (("Electrical", 5), ("HVAC", 1)),
        "split",
    ),
    TechnicianData(
        "Sam",
        "Whitaker",
        "sam.whitaker@milehighhome.example",
        "+17205550117",
        ("39.774500", "-105.013000"),
        (("Appliance repair", 4), ("Plumbing", 2), ("Drain cleaning", 1)),
        "nine_to_half_five",
    ),
    # Left the company: kept for the history, offered no new visits.
    TechnicianData(
        "Pete",
        "Kowalski",
        "pete.kowalski@milehighhome.example",
        "+17205550118",
        ("39.756100", "-105.146700"),
        (("Plumbing", 4), ("Gas piping", 3)),
        "weekdays",
        active=False,
    ),
)


# --- Denver's street grid ----------------------------------------------------------------


@dataclass(frozen=True)
class Street:
    """A street and where it lies on Denver's address grid, in hundreds of the address.

    An avenue runs east–west at `at` hundreds north (positive) or south (negative) of
    Ellsworth Ave; its house numbers count east (positive) or west (negative) of Broadway.
    A street runs north–south at `at` east or west of Broadway; its house numbers count
    north or south of Ellsworth. `numbers` are the signed ranges of house numbers used,
    chosen to stay off parks and lakes and inside the city.
    """

    name: str
    runs: Literal["avenue", "street"]
    at: int
    numbers: tuple[tuple[int, int], ...]


STREETS: tuple[Street, ...] = (
    # Avenues north of Ellsworth.
    Street("6th Ave", "avenue", 600, ((700, 7200),)),
    Street("8th Ave", "avenue", 800, ((2300, 5600),)),
    Street("12th Ave", "avenue", 1200, ((200, 1500), (2100, 5600))),
    Street("Colfax Ave", "avenue", 1500, ((-5100, -3000), (200, 7200))),
    Street("17th Ave", "avenue", 1700, ((-5100, -3100), (200, 2200), (2400, 7000))),
    Street("23rd Ave", "avenue", 2300, ((4000, 7200),)),
    Street("26th Ave", "avenue", 2600, ((-5100, -1600), (4000, 7200))),
    Street("29th Ave", "avenue", 2900, ((-5100, -1600), (1200, 2200), (4000, 7200))),
    Street("32nd Ave", "avenue", 3200, ((-5100, -1600), (4000, 7200))),
    Street("35th Ave", "avenue", 3500, ((-5100, -1600),)),
    Street("38th Ave", "avenue", 3800, ((-5100, -1600),)),
    Street("41st Ave", "avenue", 4100, ((-5100, -1600),)),
    Street("44th Ave", "avenue", 4400, ((-5100, -2000),)),
    # Avenues south of Ellsworth.
    Street("Bayaud Ave", "avenue", -100, ((200, 3900),)),
    Street("Alameda Ave", "avenue", -300, ((-5100, -3000), (200, 3900))),
    Street("Virginia Ave", "avenue", -500, ((200, 1000), (1700, 3900))),
    Street("Mississippi Ave", "avenue", -1100, ((-5100, -3000), (200, 1000), (1700, 3900))),
    Street("Florida Ave", "avenue", -1500, ((-5100, -3000), (200, 3900), (5600, 7200))),
    Street("Evans Ave", "avenue", -2100, ((100, 4500), (5600, 7200))),
    Street("Yale Ave", "avenue", -2700, ((-5100, -3000), (300, 3900), (4200, 7200))),
    Street("Hampden Ave", "avenue", -3500, ((4000, 6000),)),
    # Streets east of Broadway.
    Street("Broadway", "street", 0, ((-2600, -100),)),
    Street("Pearl St", "street", 600, ((-2700, -100), (600, 1900))),
    Street("Clarkson St", "street", 800, ((-2700, -100), (600, 1900))),
    Street("Downing St", "street", 1200, ((-2700, -100), (600, 3800))),
    Street("York St", "street", 2300, ((-2700, -100), (100, 900), (1200, 1600), (2600, 3900))),
    Street("Josephine St", "street", 2400, ((-2700, -100), (100, 900), (1200, 1600), (2600, 3900))),
    Street("Colorado Blvd", "street", 4000, ((-3500, -1200), (100, 4000))),
    Street("Holly St", "street", 5500, ((-3400, -1200), (100, 3800))),
    Street("Monaco Pkwy", "street", 6400, ((-3400, -1200), (100, 3800))),
    Street("Quebec St", "street", 7300, ((-3400, -1200), (100, 3200))),
    # Streets west of Broadway.
    Street("Zuni St", "street", -2400, ((2000, 5000),)),
    Street("Federal Blvd", "street", -3000, ((-3400, -100), (100, 5000))),
    Street("Lowell Blvd", "street", -3600, ((-3400, -100), (100, 5000))),
    Street("Perry St", "street", -3900, ((-3400, -100), (100, 1600), (2600, 5000))),
    Street("Tennyson St", "street", -4400, ((-3400, -100), (100, 1600), (2600, 5000))),
    Street("Sheridan Blvd", "street", -5200, ((-3400, -100), (100, 1600), (2600, 5000))),
)

# Busy arterials: shops and offices, rarely a family home in the demo.
ARTERIALS = frozenset(
    {"Colfax Ave", "Colorado Blvd", "Federal Blvd", "Broadway", "Hampden Ave", "Evans Ave"}
)


# --- Equipment -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetKind:
    names: tuple[str, ...]
    serial_prefix: str


ASSET_KINDS: dict[str, AssetKind] = {
    "furnace": AssetKind(
        ("Gas furnace, 80,000 BTU", "Gas furnace, 60,000 BTU", "High-efficiency gas furnace"),
        "GF",
    ),
    "boiler": AssetKind(("Hot water boiler",), "BL"),
    "ac": AssetKind(("Central air conditioner, 3 ton", "Central air conditioner, 2.5 ton"), "AC"),
    "heat_pump": AssetKind(("Heat pump, 3 ton", "Ductless mini-split heat pump"), "HP"),
    "rooftop": AssetKind(("Rooftop heating and cooling unit, 10 ton",), "RTU"),
    "water_heater": AssetKind(
        (
            "Gas water heater, 50 gal",
            "Gas water heater, 40 gal",
            "Tankless gas water heater",
            "Electric water heater, 50 gal",
        ),
        "WH",
    ),
    "commercial_water_heater": AssetKind(("Commercial gas water heater, 100 gal",), "CWH"),
    "backflow": AssetKind(("Backflow preventer, 1 in.", "Backflow preventer, 2 in."), "BF"),
    "sump_pump": AssetKind(("Sump pump",), "SP"),
    "softener": AssetKind(("Water softener",), "WS"),
    "panel": AssetKind(("Electrical panel, 200 A", "Electrical panel, 100 A"), "EP"),
    "ev_charger": AssetKind(("EV charger, 48 A", "EV charger, 40 A"), "EV"),
    "dishwasher": AssetKind(("Dishwasher",), "DW"),
    "refrigerator": AssetKind(("Refrigerator", "French-door refrigerator"), "RF"),
    "washer": AssetKind(("Washing machine",), "WM"),
    "dryer": AssetKind(("Gas dryer", "Electric dryer"), "DR"),
    "range": AssetKind(("Gas range", "Electric range", "Wall oven"), "RG"),
    "commercial_dishwasher": AssetKind(("Commercial dishwasher",), "CD"),
    "walk_in_cooler": AssetKind(("Walk-in cooler",), "WC"),
    "ice_machine": AssetKind(("Ice machine",), "IM"),
    "commercial_washer": AssetKind(("Commercial washer, 40 lb",), "CW"),
}

# What a family home has, with the chance of each.
HOUSEHOLD_EQUIPMENT: tuple[tuple[str, float], ...] = (
    ("furnace", 0.85),
    ("ac", 0.6),
    ("heat_pump", 0.08),
    ("water_heater", 0.95),
    ("panel", 0.35),
    ("ev_charger", 0.15),
    ("sump_pump", 0.1),
    ("softener", 0.1),
    ("dishwasher", 0.45),
    ("refrigerator", 0.25),
    ("washer", 0.3),
    ("dryer", 0.25),
    ("range", 0.15),
)
# Older homes heat with a boiler instead of a furnace.
BOILER_INSTEAD_OF_FURNACE = 0.12


# --- Customers -------------------------------------------------------------------------------

# Lists of names, kept compact.
# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Maria", "James", "Aisha", "Daniel", "Mei", "Carlos", "Emily", "Kwame", "Sarah", "Luis",
    "Hannah", "David", "Fatima", "Michael", "Yuki", "Jose", "Rachel", "Andre", "Lauren", "Ahmed",
    "Jessica", "Miguel", "Olivia", "Trevor", "Ana", "Kevin", "Nadia", "Brian", "Chloe", "Raj",
    "Megan", "Victor", "Lucia", "Ethan", "Zoe", "Samuel", "Isabel", "Noah", "Leah", "Marcus",
    "Grace", "Diego", "Amara", "Tyler", "Elena", "Hiro", "Claire", "Omar", "Julia", "Patrick",
)
LAST_NAMES: tuple[str, ...] = (
    "Alvarez", "Bennett", "Chavez", "Dawson", "Eriksen", "Flores", "Garrison", "Hughes",
    "Iverson", "Jaramillo", "Kowal", "Lucero", "Maddox", "Nakamura", "Oyelaran", "Pacheco",
    "Quinlan", "Romero", "Sutherland", "Trujillo", "Underwood", "Valdez", "Winslow", "Yazzie",
    "Zamora", "Archuleta", "Becker", "Castillo", "Delgado", "Esposito", "Fontaine", "Gallegos",
    "Holloway", "Ibarra", "Jensen", "Kaufman", "Lindstrom", "Montoya", "Novak", "Ortiz",
    "Prescott", "Ramsey", "Salazar", "Thornton", "Vigil", "Whitmore", "Abeyta", "Brennan",
)
# fmt: on
CUSTOMER_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


@dataclass(frozen=True)
class PersonData:
    first_name: str
    last_name: str
    email: str = ""  # empty: made from the name and the business's domain
    phone_only: bool = False


@dataclass(frozen=True)
class LocationData:
    name: str
    street: str
    number: int  # signed house number, see Street


@dataclass(frozen=True)
class BusinessData:
    name: str
    domain: str
    street: str
    number: int
    contacts: tuple[PersonData, ...]
    locations: tuple[LocationData, ...]
    equipment: tuple[tuple[str, str], ...]  # (asset kind, location name or "")


BUSINESSES: tuple[BusinessData, ...] = (
    BusinessData(
        "Larkspur Court Apartments",
        "larkspurcourt.example",
        "Holly St",
        -1410,
        (PersonData("Erin", "Walsh"), PersonData("Luis", "Ibarra")),
        (
            LocationData("Building A", "Holly St", -1400),
            LocationData("Building B", "Holly St", -1430),
            LocationData("Building C", "Holly St", -1460),
            LocationData("Clubhouse", "Holly St", -1410),
        ),
        (
            ("boiler", "Building A"),
            ("boiler", "Building B"),
            ("boiler", "Building C"),
            ("commercial_water_heater", "Building A"),
            ("commercial_water_heater", "Building B"),
            ("commercial_water_heater", "Building C"),
            ("rooftop", "Clubhouse"),
            ("backflow", "Clubhouse"),
            ("commercial_washer", "Building A"),
        ),
    ),
    BusinessData(
        "Front Range Rentals",
        "frontrangerentals.example",
        "Colfax Ave",
        1820,
        (PersonData("Priya", "Raman"), PersonData("Colin", "Marsh")),
        (
            LocationData("Pearl Street duplex", "Pearl St", -1540),
            LocationData("West 38th fourplex", "38th Ave", -4120),
            LocationData("Josephine Street bungalow", "Josephine St", 3310),
        ),
        (
            ("furnace", "Pearl Street duplex"),
            ("water_heater", "Pearl Street duplex"),
            ("ac", "Pearl Street duplex"),
            ("furnace", "West 38th fourplex"),
            ("water_heater", "West 38th fourplex"),
            ("washer", "West 38th fourplex"),
            ("dryer", "West 38th fourplex"),
            ("furnace", "Josephine Street bungalow"),
            ("water_heater", "Josephine Street bungalow"),
            ("dishwasher", "Josephine Street bungalow"),
        ),
    ),
    BusinessData(
        "Park Hill Montessori School",
        "parkhillmontessori.example",
        "23rd Ave",
        5120,
        (PersonData("Ruth", "Ellison"), PersonData("Marco", "Bianchi")),
        (
            LocationData("Main building", "23rd Ave", 5120),
            LocationData("Early learning annex", "23rd Ave", 5140),
        ),
        (
            ("boiler", "Main building"),
            ("water_heater", "Main building"),
            ("backflow", "Main building"),
            ("commercial_dishwasher", "Main building"),
            ("rooftop", "Early learning annex"),
            ("panel", "Early learning annex"),
        ),
    ),
    BusinessData(
        "Berkeley Commons Senior Living",
        "berkeleycommons.example",
        "Tennyson St",
        4620,
        (
            PersonData("Danielle", "Brooks"),
            PersonData("Omar", "Saleh"),
            PersonData("Front", "Desk", email="frontdesk@berkeleycommons.example"),
        ),
        (
            LocationData("South wing", "Tennyson St", 4620),
            LocationData("Kitchen", "Tennyson St", 4650),
            LocationData("North wing", "Tennyson St", 4680),
        ),
        (
            ("rooftop", "North wing"),
            ("rooftop", "South wing"),
            ("commercial_water_heater", "South wing"),
            ("backflow", "South wing"),
            ("walk_in_cooler", "Kitchen"),
            ("commercial_dishwasher", "Kitchen"),
            ("ice_machine", "Kitchen"),
        ),
    ),
    BusinessData(
        "Cherry Creek Family Dental",
        "cherrycreekdental.example",
        "6th Ave",
        3440,
        (PersonData("Anita", "Desai"),),
        (),
        (("rooftop", ""), ("water_heater", ""), ("panel", "")),
    ),
    BusinessData(
        "Highland Corner Café",
        "highlandcorner.example",
        "32nd Ave",
        -2210,
        (PersonData("Theo", "Marchetti"), PersonData("Jess", "Oduya", phone_only=True)),
        (),
        (
            ("walk_in_cooler", ""),
            ("commercial_dishwasher", ""),
            ("ice_machine", ""),
            ("commercial_water_heater", ""),
            ("backflow", ""),
        ),
    ),
    BusinessData(
        "Colfax Wash & Fold",
        "colfaxwashfold.example",
        "Colfax Ave",
        5630,
        (PersonData("Linh", "Tran"),),
        (),
        (
            ("commercial_washer", ""),
            ("commercial_washer", ""),
            ("dryer", ""),
            ("commercial_water_heater", ""),
            ("panel", ""),
        ),
    ),
    BusinessData(
        "Platt Park Animal Hospital",
        "plattparkvet.example",
        "Pearl St",
        -1780,
        (PersonData("Helen", "Osei"), PersonData("Grant", "Lowry")),
        (
            LocationData("Clinic", "Pearl St", -1780),
            LocationData("Kennel building", "Pearl St", -1796),
        ),
        (
            ("rooftop", "Clinic"),
            ("water_heater", "Clinic"),
            ("furnace", "Kennel building"),
            ("washer", "Kennel building"),
            ("dryer", "Kennel building"),
        ),
    ),
    BusinessData(
        "Ironwood Brewing Co.",
        "ironwoodbrewing.example",
        "Federal Blvd",
        4310,
        (PersonData("Kyle", "Brandt"), PersonData("Maya", "Lindgren")),
        (
            LocationData("Brewhouse", "Federal Blvd", 4310),
            LocationData("Taproom", "Federal Blvd", 4330),
        ),
        (
            ("walk_in_cooler", "Brewhouse"),
            ("panel", "Brewhouse"),
            ("commercial_water_heater", "Brewhouse"),
            ("backflow", "Brewhouse"),
            ("ice_machine", "Taproom"),
            ("rooftop", "Taproom"),
        ),
    ),
    BusinessData(
        "Hilltop Yoga Studio",
        "hilltopyoga.example",
        "Holly St",
        420,
        (PersonData("Simone", "Laurent"),),
        (),
        (("furnace", ""), ("ac", ""), ("water_heater", "")),
    ),
    BusinessData(
        "South Broadway Bicycle Works",
        "sobobikes.example",
        "Broadway",
        -1230,
        (PersonData("Eli", "Novak"),),
        (),
        (("furnace", ""), ("water_heater", ""), ("panel", "")),
    ),
    BusinessData(
        "Westwood Community Center",
        "westwoodcenter.example",
        "Federal Blvd",
        -1110,
        (PersonData("Rosa", "Quintana"), PersonData("Andre", "Lewis")),
        (
            LocationData("Main hall", "Federal Blvd", -1130),
            LocationData("Gym", "Federal Blvd", -1110),
        ),
        (
            ("boiler", "Main hall"),
            ("backflow", "Main hall"),
            ("panel", "Main hall"),
            ("rooftop", "Gym"),
            ("commercial_water_heater", "Gym"),
        ),
    ),
    BusinessData(
        "Sunnyside Family Clinic",
        "sunnysideclinic.example",
        "44th Ave",
        -2290,
        (PersonData("Naomi", "Fischer"),),
        (),
        (("rooftop", ""), ("water_heater", ""), ("panel", ""), ("refrigerator", "")),
    ),
    BusinessData(
        "Evans Avenue Hardware",
        "evanshardware.example",
        "Evans Ave",
        3140,
        (PersonData("Gus", "Petrakis"),),
        (),
        (("furnace", ""), ("rooftop", ""), ("water_heater", ""), ("panel", "")),
    ),
)

HOUSEHOLD_COUNT = 46

# The household behind the customer sign-in: visits in every status, with a story.
CUSTOMER_HOUSEHOLD_STREET = ("17th Ave", 2450)
CUSTOMER_HOUSEHOLD_CONTACTS: tuple[PersonData, ...] = (
    PersonData("Jordan", "Avery", email=CUSTOMER_EMAIL),
    PersonData("Sam", "Avery", email="sam.avery@example.com"),
)
CUSTOMER_HOUSEHOLD_EQUIPMENT = ("furnace", "ac", "water_heater", "dishwasher", "panel")


# --- Timeline --------------------------------------------------------------------------------

INTERNAL_NOTES: tuple[str, ...] = (
    "Gate code 4417; the side gate sticks.",
    "Dog in the backyard: the customer keeps him inside during visits.",
    "Park in the alley; the street is permit parking.",
    "Customer prefers a phone call to a text.",
    "Older house: knob-and-tube wiring in the attic. Quote separately if asked.",
    "Part ordered from the supply house; should arrive in two days.",
    "Customer asked about a maintenance plan; office to follow up.",
    "Bring shoe covers: new carpet throughout.",
)
CUSTOMER_NOTES: tuple[str, ...] = (
    "Please make sure an adult is home during the visit.",
    "Your technician will call about 30 minutes before arriving.",
    "Please clear a path to the equipment before the visit.",
    "The replacement part has arrived; your technician brings it along.",
)

# Why visits are canceled, by who cancels them.
CANCEL_REASONS: dict[str, tuple[str, ...]] = {
    "customer": (
        "The customer asked to move the visit to another week.",
        "The problem went away; no visit needed.",
        "Booked twice by mistake.",
        "The customer will be out of town.",
    ),
    "office": (
        "Technician out sick; we will call to book a new time.",
        "Part on back order; we will book a new time when it arrives.",
        "Roads closed after the snowstorm.",
    ),
    "technician": (
        "Nobody home at arrival; left a door tag.",
        "The customer was not home and did not answer the phone.",
    ),
}
