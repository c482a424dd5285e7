"""A technician on a phone records a visit: two photos (one sent after the network returns),
what was done, the customer's signature, Complete."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from doorstep.configuration.models import PortalSettings
from doorstep.history.models import Photo, VisitRecord
from doorstep.scheduling.models import Booking, BookingStatus
from tests.e2e.conftest import PHONE, accessibility_violations, open_context
from tests.factories import BookingFactory, ResourceFactory, UserFactory
from tests.history import images

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
# Set DOORSTEP_SHOTS to a folder to keep screenshots of the record at 375 and 768 px.
SHOTS = os.environ.get("DOORSTEP_SHOTS")


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = open_context(browser, live_server, **PHONE)
    yield context
    context.close()


def in_progress_visit() -> Booking:
    PortalSettings.load()
    technician = ResourceFactory(
        display_name="Alex M.", user=UserFactory(email="alex@example.test"), time_zone="UTC"
    )
    now = timezone.now()
    start = max(now - timedelta(minutes=20), now.replace(hour=0, minute=0, second=0))
    return BookingFactory(
        resource=technician,
        status=BookingStatus.IN_PROGRESS,
        start=start,
        end=start + timedelta(hours=1),
        work_order__account__time_zone="UTC",
        work_order__incident_type__display_name="Boiler service",
    )


def shoot(page: Page, name: str) -> None:
    if not SHOTS:
        return
    for width in (375, 768):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(PHONE["viewport"])


def sign_in(page: Page) -> None:
    page.goto("/tech/")
    page.get_by_label("Email").fill("alex@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url("/tech/")


def test_a_photo_chosen_before_the_page_has_its_script_is_still_sent(
    phone: BrowserContext, tmp_path: Path
) -> None:
    # On a slow network the technician can choose a photo before the page's script has
    # arrived. The script is held back here until the photo is chosen.
    booking = in_progress_visit()
    photo = tmp_path / "IMG_0003.JPG"
    photo.write_bytes(images.camera_jpeg(800, 600))
    page = phone.new_page()
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/technician/photos*.js", hold)
    sign_in(page)
    card = page.get_by_role("article").filter(has_text=booking.reference)
    card.get_by_label("Caption (optional)").fill("Gas meter")
    card.get_by_label("Take or choose photos").set_input_files(str(photo))
    page.wait_for_function("document.querySelector('[data-photo-form]') !== null")
    # The route handler runs in this thread only while Playwright is called: wait for it.
    for _ in range(250):
        if held:
            break
        page.wait_for_timeout(20)
    assert len(held) == 1
    held[0].continue_()

    expect(card.get_by_role("img", name="Gas meter")).to_be_visible()
    expect(card.get_by_role("status").filter(has_text="All photos sent")).to_be_visible()
    assert Photo.objects.get(booking=booking).caption == "Gas meter"


def test_the_technician_records_and_completes_a_visit(
    phone: BrowserContext, tmp_path: Path
) -> None:
    booking = in_progress_visit()
    before = tmp_path / "IMG_0001.JPG"
    before.write_bytes(images.camera_jpeg(800, 600))
    after = tmp_path / "IMG_0002.HEIC"
    after.write_bytes(images.heic())
    page = phone.new_page()
    sign_in(page)
    card = page.get_by_role("article").filter(has_text=booking.reference)

    card.get_by_role("radio", name="Before").check()
    card.get_by_label("Caption (optional)").fill("Leaking valve")
    card.get_by_label("Take or choose photos").set_input_files(str(before))
    expect(card.get_by_role("img", name="Leaking valve")).to_be_visible()

    # No network: the photo waits on the phone and goes once the network is back.
    phone.set_offline(True)
    card.get_by_role("radio", name="After").check()
    card.get_by_label("Take or choose photos").set_input_files(str(after))
    expect(card.get_by_role("status").filter(has_text="No network")).to_be_visible()
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(card.get_by_role("img", name="After")).to_be_visible()
    expect(card.get_by_role("status").filter(has_text="All photos sent")).to_be_visible()

    card.get_by_label("Note for the customer (optional)").fill("Replaced the valve seal.")
    card.get_by_label("Note for the office").fill("Offer a service plan.")
    canvas = card.locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 60, steps=8)
    page.mouse.move(box["x"] + 200, box["y"] + 30, steps=8)
    page.mouse.up()
    card.get_by_label("Signer's name").fill("Dana Whitfield")
    shoot(page, "tech-record")
    assert accessibility_violations(page) == []

    card.get_by_role("button", name="Complete").click()

    expect(page.get_by_text(f"Visit {booking.reference}: completed.")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    record = VisitRecord.objects.get(booking=booking)
    assert record.work_done == "Replaced the valve seal."
    assert record.signer_name == "Dana Whitfield"
    assert record.signature.name
    tags = sorted(Photo.objects.filter(booking=booking).values_list("tag", flat=True))
    assert tags == ["after", "before"]


def test_the_customer_sees_the_visit_in_the_service_history(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    import io

    from doorstep.access import visit_links
    from doorstep.history import services
    from doorstep.history.models import DocumentType, Visibility
    from tests.factories import ContactFactory

    booking = in_progress_visit()
    ContactFactory(
        account=booking.work_order.account,
        user=UserFactory(email="dana@example.test"),
        profile_reviewed_at=timezone.now(),
    )
    for number, data in enumerate((images.camera_jpeg(800, 600), images.heic())):
        services.add_photo(
            booking=booking,
            upload=io.BytesIO(data),
            size=len(data),
            client_upload_id=str(number),
            tag="before" if number == 0 else "after",
            caption="Leaking valve" if number == 0 else "",
            uploaded_by=None,
        )
    services.add_document(
        upload=io.BytesIO(images.PDF),
        size=len(images.PDF),
        name="Invoice 1042.pdf",
        title="Invoice 1042",
        document_type=DocumentType.INVOICE,
        booking=booking,
        visibility=Visibility.CUSTOMER,
    )
    # Completed by hand: set_status would push to the live map from this thread, which
    # runs Playwright's event loop.
    VisitRecord.objects.create(
        booking=booking,
        work_done="Replaced the valve seal and tested the pressure.",
        signer_name="Dana Whitfield",
        signed_at=timezone.now(),
    )
    Booking.objects.filter(pk=booking.pk).update(
        status=BookingStatus.COMPLETED, completed_at=timezone.now()
    )
    code = visit_links.issue_visit_link(booking=booking)
    context = open_context(browser, live_server, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("dana@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("link", name="Service history").click()

    visit = page.get_by_role("article").filter(has_text=booking.reference)
    expect(visit.get_by_text("Replaced the valve seal and tested the pressure.")).to_be_visible()
    expect(visit.get_by_role("img", name="Before: Leaking valve")).to_be_visible()
    expect(visit.get_by_role("link", name="Invoice 1042")).to_be_visible()
    assert accessibility_violations(page) == []
    if SHOTS:
        for width in (375, 768, 1440):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"history-{width}.png"), full_page=True)
    with page.expect_download() as download:
        visit.get_by_role("link", name="Invoice 1042").click()
    assert download.value.suggested_filename == "Invoice 1042.pdf"

    # The visit's link shows the same for that one visit, without signing in.
    page.context.clear_cookies()
    page.goto(f"/t/{code}/")
    expect(page.get_by_text("Replaced the valve seal and tested the pressure.")).to_be_visible()
    expect(page.get_by_role("img", name="After, photo 2")).to_be_visible()
    assert accessibility_violations(page) == []
    if SHOTS:
        for width in (375, 768, 1440):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"visit-link-{width}.png"), full_page=True)
    context.close()
