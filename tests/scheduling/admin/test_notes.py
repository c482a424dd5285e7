"""The timeline note pages: a note is added and signed, then only read."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from doorstep.scheduling.models import TimelineNote
from doorstep.users.models import User
from tests import factories


def test_timeline_note_added_on_its_own_page_is_signed_by_the_staff_user(
    staff_client: Client, staff_user: User
) -> None:
    work_order = factories.WorkOrderFactory()

    response = staff_client.post(
        reverse("admin:scheduling_timelinenote_add"),
        {"work_order": work_order.pk, "text": "Parts ordered."},
    )

    assert response.status_code == 302
    note = TimelineNote.objects.get()
    assert (note.text, note.author, note.customer_visible) == ("Parts ordered.", staff_user, False)


def test_timeline_notes_are_read_only_once_written(staff_client: Client) -> None:
    note = factories.TimelineNoteFactory()

    response = staff_client.get(reverse("admin:scheduling_timelinenote_change", args=[note.pk]))

    assert response.status_code == 200
    assert not response.context["adminform"].form.fields
    assert note.text in response.content.decode()
