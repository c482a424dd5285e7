"""From the phone to the customer's history: the technician takes two photos, writes what
was done, the customer signs, Complete; the worker makes the report; the customer, on a
phone, finds the visit in the service history with the photos, the note and the report,
and the report's text holds the note."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from doorstep.history import tasks
from doorstep.history.models import ServiceReport
from tests.e2e.conftest import PHONE, open_context
from tests.e2e.test_visit_record import PASSWORD, in_progress_visit
from tests.factories import ContactFactory, UserFactory
from tests.history import images

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOTE = "Replaced the valve seal and tested the pressure."


def sign_in(context: BrowserContext, start: str, email: str) -> Page:
    """A page of the context, signed in and at `start`. (It once closed its page while the
    sign-in was still under way, and the browser waited on that page for ever.)"""
    page = context.new_page()
    page.goto(start)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(start)
    return page


def test_a_visit_recorded_on_the_phone_reaches_the_customer_with_its_report(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    booking = in_progress_visit()
    ContactFactory(
        account=booking.work_order.account,
        user=UserFactory(email="dana@example.test"),
        profile_reviewed_at=timezone.now(),
    )
    shots = []
    for number, data in enumerate((images.camera_jpeg(800, 600), images.camera_jpeg(600, 800))):
        shot = tmp_path / f"IMG_000{number}.JPG"
        shot.write_bytes(data)
        shots.append(str(shot))

    technician = open_context(browser, live_server, **PHONE)
    page = sign_in(technician, "/tech/", "alex@example.test")
    card = page.get_by_role("article").filter(has_text=booking.reference)
    card.get_by_role("radio", name="Before").check()
    card.get_by_label("Take or choose photos").set_input_files(shots)
    expect(card.get_by_role("status").filter(has_text="All photos sent")).to_be_visible()
    card.get_by_label("Note for the customer (optional)").fill(NOTE)
    canvas = card.locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 160, box["y"] + 50, steps=8)
    page.mouse.up()
    card.get_by_label("Signer's name").fill("Dana Whitfield")
    card.get_by_role("button", name="Complete").click()
    expect(page.get_by_text(f"Visit {booking.reference}: completed.")).to_be_visible()
    technician.close()

    # What the worker does once the completion has committed.
    assert tasks.make_service_report.call(booking.pk) is not None
    assert ServiceReport.objects.filter(booking=booking).count() == 1

    customer = open_context(browser, live_server, **PHONE)
    page = sign_in(customer, "/history/", "dana@example.test")
    visit = page.get_by_role("article").filter(has_text=booking.reference)
    expect(visit.get_by_text(NOTE)).to_be_visible()
    expect(visit.get_by_role("img")).to_have_count(2)
    report = visit.get_by_role("link", name="Service report")
    href = report.get_attribute("href")
    assert href
    answer = page.request.get(href)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.body())).pages)
    assert NOTE in text
    assert "Dana Whitfield" in text
    assert booking.reference in text
    customer.close()
