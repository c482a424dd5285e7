"""The back office pages for technicians, skills and time off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from doorstep.workforce.admin import app_setup_url
from doorstep.workforce.models import Resource, TimeOff, WorkingHours
from tests import factories
from tests.admin_pages import assert_list_queries_do_not_grow

TECHNICIAN_ADD = reverse("admin:workforce_resource_add")


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def new_technician(hours: list[tuple[int, str, str]]) -> dict[str, str]:
    """The add form of a technician with these (weekday, from, until) working hours."""
    data = {
        "display_name": "Alex R.",
        "active": "on",
        "email": "alex@example.test",
        "home_latitude": "39.7",
        "home_longitude": "-104.9",
        "time_zone": "America/Denver",
        **management("skill_levels", 0),
        **management("working_hours", len(hours)),
        **management("time_off", 0),
    }
    for index, (weekday, start, end) in enumerate(hours):
        data |= {
            f"working_hours-{index}-weekday": str(weekday),
            f"working_hours-{index}-start_time": start,
            f"working_hours-{index}-end_time": end,
        }
    return data


def error_text(response: Any) -> str:
    return response.content.decode().replace("&#x27;", "'")


# --- Working hours ----------------------------------------------------------------------------


def test_technician_with_working_hours_is_added(staff_client: Client) -> None:
    response = staff_client.post(
        TECHNICIAN_ADD,
        new_technician([(0, "08:00", "12:00"), (0, "13:00", "17:00"), (1, "08:00", "17:00")]),
    )

    assert response.status_code == 302
    technician = Resource.objects.get()
    assert [str(hours) for hours in technician.working_hours.all()] == [
        "Monday 08:00–12:00",
        "Monday 13:00–17:00",
        "Tuesday 08:00–17:00",
    ]


def test_overlapping_working_hours_of_a_day_are_refused(staff_client: Client) -> None:
    response = staff_client.post(
        TECHNICIAN_ADD,
        new_technician([(0, "08:00", "12:00"), (2, "09:00", "10:00"), (0, "11:00", "17:00")]),
    )

    assert response.status_code == 200
    text = error_text(response)
    assert "Monday: 08:00–12:00 overlaps 11:00–17:00." in text
    assert "Working hours of the same day must not overlap" in text
    assert not Resource.objects.exists()
    assert not WorkingHours.objects.exists()


def test_hours_that_only_touch_do_not_overlap(staff_client: Client) -> None:
    response = staff_client.post(
        TECHNICIAN_ADD, new_technician([(4, "08:00", "12:00"), (4, "12:00", "16:00")])
    )

    assert response.status_code == 302
    assert WorkingHours.objects.count() == 2


def test_hours_added_over_existing_hours_are_refused(staff_client: Client) -> None:
    existing = factories.WorkingHoursFactory(weekday=3)
    technician = existing.resource
    url = reverse("admin:workforce_resource_change", args=[technician.pk])
    data = new_technician([]) | {
        "display_name": technician.display_name,
        **management("working_hours", 2, initial=1),
        "working_hours-0-id": str(existing.pk),
        "working_hours-0-resource": str(technician.pk),
        "working_hours-0-weekday": "3",
        "working_hours-0-start_time": "08:00",
        "working_hours-0-end_time": "17:00",
        "working_hours-1-weekday": "3",
        "working_hours-1-start_time": "16:00",
        "working_hours-1-end_time": "18:00",
    }

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert "Thursday: 08:00–17:00 overlaps 16:00–18:00." in error_text(response)
    assert technician.working_hours.count() == 1


def test_an_interval_being_deleted_does_not_count_as_overlapping(staff_client: Client) -> None:
    existing = factories.WorkingHoursFactory(weekday=3)
    technician = existing.resource
    url = reverse("admin:workforce_resource_change", args=[technician.pk])
    data = new_technician([]) | {
        "display_name": technician.display_name,
        **management("working_hours", 1, initial=1),
        "working_hours-0-id": str(existing.pk),
        "working_hours-0-resource": str(technician.pk),
        "working_hours-0-weekday": "3",
        "working_hours-0-start_time": "08:00",
        "working_hours-0-end_time": "17:00",
        "working_hours-0-DELETE": "on",
    }

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert not technician.working_hours.exists()


def test_moving_two_intervals_of_a_day_at_once_is_accepted(staff_client: Client) -> None:
    technician = factories.ResourceFactory()
    morning = factories.WorkingHoursFactory(
        resource=technician, weekday=0, start_time="08:00", end_time="12:00"
    )
    afternoon = factories.WorkingHoursFactory(
        resource=technician, weekday=0, start_time="13:00", end_time="17:00"
    )
    data = new_technician([]) | {
        "display_name": technician.display_name,
        **management("working_hours", 2, initial=2),
    }
    for index, (row, start, end) in enumerate(
        [(morning, "08:00", "13:30"), (afternoon, "14:00", "17:00")]
    ):
        data |= {
            f"working_hours-{index}-id": str(row.pk),
            f"working_hours-{index}-resource": str(technician.pk),
            f"working_hours-{index}-weekday": "0",
            f"working_hours-{index}-start_time": start,
            f"working_hours-{index}-end_time": end,
        }

    response = staff_client.post(
        reverse("admin:workforce_resource_change", args=[technician.pk]), data
    )

    assert response.status_code == 302, error_text(response)
    assert [str(hours) for hours in technician.working_hours.all()] == [
        "Monday 08:00–13:30",
        "Monday 14:00–17:00",
    ]


# --- Technicians ------------------------------------------------------------------------------


def test_technician_list_summarises_skills(staff_client: Client) -> None:
    technician = factories.ResourceFactory(display_name="Sam K.", phone="+13035550199")
    factories.ResourceSkillFactory(resource=technician, skill__name="Boilers", proficiency=4)
    factories.ResourceSkillFactory(resource=technician, skill__name="Air conditioning")

    response = staff_client.get(reverse("admin:workforce_resource_changelist"))

    content = response.content.decode()
    assert "Air conditioning (3/5), Boilers (4/5)" in content
    assert "+1 303-555-0199" in content


def test_technicians_filter_by_skill_and_search_by_skill(staff_client: Client) -> None:
    level = factories.ResourceSkillFactory(skill__name="Heat pumps")
    factories.ResourceSkillFactory()
    url = reverse("admin:workforce_resource_changelist")

    by_filter = staff_client.get(url, {"skills__id__exact": level.skill.pk})
    by_search = staff_client.get(url, {"q": "heat pump"})

    assert list(by_filter.context["cl"].result_list) == [level.resource]
    assert list(by_search.context["cl"].result_list) == [level.resource]


def test_time_off_on_the_technician_page_is_in_their_time_zone(staff_client: Client) -> None:
    start = datetime(2031, 2, 3, 8, tzinfo=ZoneInfo("America/Denver"))
    time_off = factories.TimeOffFactory(start=start, end=start.replace(hour=17))

    response = staff_client.get(
        reverse("admin:workforce_resource_change", args=[time_off.resource.pk])
    )

    assert 'name="time_off-0-start_1" value="08:00:00"' in response.content.decode()


def test_time_off_added_on_its_own_page_is_read_in_the_technician_time_zone(
    staff_client: Client,
) -> None:
    technician = factories.ResourceFactory(time_zone="Europe/Paris")

    response = staff_client.post(
        reverse("admin:workforce_timeoff_add"),
        {
            "resource": technician.pk,
            "start_0": "2031-07-01",
            "start_1": "09:00",
            "end_0": "2031-07-01",
            "end_1": "13:00",
            "reason": "Dentist",
        },
    )

    assert response.status_code == 302
    time_off = TimeOff.objects.get()
    assert time_off.start == datetime(2031, 7, 1, 7, tzinfo=UTC)
    assert time_off.end == datetime(2031, 7, 1, 11, tzinfo=UTC)


def test_skill_list_counts_technicians_and_service_types(staff_client: Client) -> None:
    skill = factories.SkillFactory(name="Gas safety")
    factories.ResourceSkillFactory(skill=skill)
    factories.ResourceSkillFactory(skill=skill)
    factories.IncidentTypeSkillFactory(skill=skill)
    unused = factories.SkillFactory(name="Welding")
    url = reverse("admin:workforce_skill_changelist")

    response = staff_client.get(url)
    in_use = staff_client.get(url, {"in_use": "technicians"})
    not_used = staff_client.get(url, {"in_use": "unused"})

    (row,) = [row for row in response.context["cl"].result_list if row == skill]
    assert (row.technician_count, row.service_type_count) == (2, 1)
    assert list(in_use.context["cl"].result_list) == [skill]
    assert list(not_used.context["cl"].result_list) == [unused]


# --- List pages -------------------------------------------------------------------------------


def _technician_row() -> Model:
    technician = factories.ResourceSkillFactory().resource
    factories.ResourceSkillFactory(resource=technician)
    return technician


def _skill_row() -> Model:
    skill = factories.ResourceSkillFactory().skill
    factories.IncidentTypeSkillFactory(skill=skill)
    return skill


LIST_ROWS: dict[str, Callable[[], Model]] = {
    "admin:workforce_resource_changelist": _technician_row,
    "admin:workforce_skill_changelist": _skill_row,
    "admin:workforce_timeoff_changelist": factories.TimeOffFactory,
}


@pytest.mark.parametrize("url_name", LIST_ROWS)
def test_list_page_queries_do_not_grow_with_rows(
    staff_client: Client, url_name: str, django_assert_max_num_queries: Any
) -> None:
    assert_list_queries_do_not_grow(
        staff_client, reverse(url_name), LIST_ROWS[url_name], django_assert_max_num_queries
    )


def test_time_off_typed_for_a_new_technician_is_read_in_their_time_zone(
    staff_client: Client,
) -> None:
    data = new_technician([]) | {
        **management("time_off", 1),
        "time_off-0-start_0": "2030-03-04",
        "time_off-0-start_1": "09:00",
        "time_off-0-end_0": "2030-03-04",
        "time_off-0-end_1": "17:00",
        "time_off-0-reason": "Dentist",
    }

    response = staff_client.post(TECHNICIAN_ADD, data)

    assert response.status_code == 302, error_text(response)
    time_off = TimeOff.objects.get()
    # 09:00 in Denver (MST, UTC−7) is 16:00 UTC.
    assert time_off.start == datetime(2030, 3, 4, 16, 0, tzinfo=UTC)


# --- Tracking device ids ----------------------------------------------------------------------


def technician_page(technician: Resource) -> str:
    return reverse("admin:workforce_resource_change", args=[technician.pk])


def test_a_new_technician_is_offered_a_long_random_tracking_device_id(
    staff_client: Client,
) -> None:
    first = staff_client.get(TECHNICIAN_ADD).context["adminform"].form.initial
    second = staff_client.get(TECHNICIAN_ADD).context["adminform"].form.initial
    assert len(first["tracking_device_id"]) >= 20
    assert first["tracking_device_id"] != second["tracking_device_id"]


def test_the_technician_page_warns_of_a_short_tracking_device_id(staff_client: Client) -> None:
    technician = factories.ResourceFactory(tracking_device_id="82879256")
    page = staff_client.get(technician_page(technician))
    warnings = [str(message) for message in page.context["messages"]]
    assert any("could find it by trying" in warning for warning in warnings)
    assert "could find it by trying" in error_text(page)


def test_the_technician_page_does_not_warn_of_a_long_random_id(staff_client: Client) -> None:
    technician = factories.ResourceFactory(tracking_device_id="k7m2x-9qp4h-vtc8r-wn3df")
    page = staff_client.get(technician_page(technician))
    assert "could find it by trying" not in error_text(page)


def test_the_technician_list_shows_whose_tracking_device_id_is_short(
    staff_client: Client,
) -> None:
    factories.ResourceFactory(display_name="Short Id", tracking_device_id="82879256")
    factories.ResourceFactory(display_name="Long Id", tracking_device_id="k7m2x-9qp4h-vtc8r-wn3df")
    factories.ResourceFactory(display_name="No Id", tracking_device_id="")
    url = reverse("admin:workforce_resource_changelist")
    listed = error_text(staff_client.get(url))
    assert "⚠ short: could be guessed" in listed
    assert listed.count("⚠ short: could be guessed") == 1
    short_only = staff_client.get(url, {"tracking_device": "guessable"})
    assert [t.display_name for t in short_only.context["cl"].result_list] == ["Short Id"]


def test_the_technician_page_shows_the_code_the_app_scans(
    staff_client: Client, settings: Any
) -> None:
    settings.DOORSTEP_BASE_URL = "https://service.example.test"
    technician = factories.ResourceFactory(tracking_device_id="k7m2x-9qp4h-vtc8r-wn3df")
    page = error_text(staff_client.get(technician_page(technician)))
    assert "<svg" in page
    assert "<code>https://service.example.test/api/v1/osmand</code>" in page
    assert "<code>k7m2x-9qp4h-vtc8r-wn3df</code>" in page
    assert app_setup_url("k7m2x-9qp4h-vtc8r-wn3df") == (
        "https://service.example.test/api/v1/osmand?id=k7m2x-9qp4h-vtc8r-wn3df"
        "&accuracy=high&interval=30&distance=50&angle=30&buffer=true"
    )


def test_staff_give_a_technician_a_new_tracking_device_id(staff_client: Client) -> None:
    technician = factories.ResourceFactory(tracking_device_id="82879256")
    form = staff_client.get(technician_page(technician)).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("skills", "photo")
    }
    data |= {
        "new_tracking_device_id": "on",
        "active": "on",
        **management("skill_levels", 0),
        **management("working_hours", 0),
        **management("time_off", 0),
    }
    data.pop("user", None)
    response = staff_client.post(technician_page(technician), data)
    assert response.status_code == 302, error_text(response)
    technician.refresh_from_db()
    assert technician.tracking_device_id != "82879256"
    assert not technician.tracking_device_id_is_guessable()


def test_staff_give_many_technicians_new_tracking_device_ids_at_once(
    staff_client: Client,
) -> None:
    short = factories.ResourceFactory(tracking_device_id="82879256")
    none = factories.ResourceFactory(tracking_device_id="")
    response = staff_client.post(
        reverse("admin:workforce_resource_changelist"),
        {"action": "give_new_tracking_device_ids", "_selected_action": [short.pk, none.pk]},
        follow=True,
    )
    assert "1 technician got a new tracking device id" in error_text(response)
    short.refresh_from_db()
    none.refresh_from_db()
    assert not short.tracking_device_id_is_guessable()
    assert len(short.tracking_device_id) == 23
    assert none.tracking_device_id == ""


def test_the_technician_page_shows_when_their_app_was_last_heard(staff_client: Client) -> None:
    # Traccar Client is told the same whatever became of its positions: staff see here
    # that a newly set up phone is heard.
    technician = factories.ResourceFactory(tracking_device_id="k7m2x-9qp4h-vtc8r-wn3df")
    assert "None received yet." in error_text(staff_client.get(technician_page(technician)))
    when = int(datetime.now(tz=UTC).timestamp()) - 5
    Client().post(f"/api/v1/osmand?id=k7m2x-9qp4h-vtc8r-wn3df&lat=39.7&lon=-104.9&timestamp={when}")
    page = error_text(staff_client.get(technician_page(technician)))
    assert "from the Traccar Client (OsmAnd protocol)." in page
