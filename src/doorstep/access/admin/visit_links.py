"""The back office's "Booking notification codes": the visit links that went out in messages.

Staff see each code's booking, recipient, the message and channel that carried it,
state and end, and can extend, expire or block codes, in bulk from the list or one at
a time from its page; blocking, which cannot be undone, asks first. Every change goes
through the services in `access.visit_links`. Codes are issued by messages, not
here, and the code itself is shown nowhere: only its hash is stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from doorstep.access import visit_links
from doorstep.access.models import VisitLink, VisitLinkState
from doorstep.access.models.visit_links import VisitLinkQuerySet
from doorstep.scheduling.models import BookingStatus
from doorstep.users.models import User

EXTENSION = timedelta(days=7)

LinkChange = Callable[[VisitLink, User | None], object]


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(VisitLinkState.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        now, links = timezone.now(), cast(VisitLinkQuerySet, queryset)
        if self.value() == VisitLinkState.VALID:
            return links.valid(now)
        if self.value() == VisitLinkState.EXPIRED:
            return links.expired(now)
        if self.value() == VisitLinkState.BLOCKED:
            return links.blocked()
        return queryset


class BookingStatusFilter(admin.SimpleListFilter):
    title = "booking status"
    parameter_name = "booking_status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in BookingStatus.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.value() in BookingStatus.values:
            return queryset.filter(booking__status=self.value())
        return queryset


@admin.register(VisitLink)
class VisitLinkAdmin(admin.ModelAdmin[VisitLink]):
    list_display = ("booking_reference", "recipient", "message", "state", "expiry", "issued")
    list_filter = (
        StateFilter,
        BookingStatusFilter,
        "notification__message_type",
        "notification__channel",
    )
    search_fields = (
        "booking__reference",
        "contact__first_name",
        "contact__last_name",
        "contact__email",
    )
    actions = ("extend_by_7_days", "expire_now", "block")
    fields = (
        "booking_link",
        "recipient",
        "message",
        "state",
        "expiry",
        "issued",
        "blocked",
        "blocked_by",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[VisitLink]:
        links = cast(VisitLinkQuerySet, super().get_queryset(request))
        return links.with_expiry().select_related(
            "booking__work_order__account", "contact", "blocked_by", "notification"
        )

    def get_fields(self, request: HttpRequest, obj: VisitLink | None = None) -> tuple[str, ...]:
        if obj is not None and self.has_manage_permission(request):
            return (*self.fields, "manage")
        return self.fields

    def get_readonly_fields(
        self, request: HttpRequest, obj: VisitLink | None = None
    ) -> tuple[str, ...]:
        return self.get_fields(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: VisitLink | None = None) -> bool:
        # Read-only pages; the changes staff may make are the actions and buttons below.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: VisitLink | None = None) -> bool:
        # Blocking keeps the record of who stopped a code and when; deleting would not.
        return False

    def has_manage_permission(self, request: HttpRequest) -> bool:
        """Whether staff may extend, expire and block codes: the model's change permission."""
        return request.user.has_perm("access.change_visitlink")

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(require_POST(self._change_one(name, change))),
                name=f"access_visitlink_{name}",
            )
            for name, change in CHANGES.items()
        ]
        return own + super().get_urls()

    # --- The list ------------------------------------------------------------------------

    @admin.display(description="booking", ordering="booking__reference")
    def booking_reference(self, link: VisitLink) -> str:
        return link.booking.reference

    @admin.display(description="booking")
    def booking_link(self, link: VisitLink) -> SafeString:
        url = reverse("admin:scheduling_booking_change", args=[link.booking_id])
        return format_html('<a href="{}">{}</a>', url, link.booking.reference)

    @admin.display(description="recipient", ordering="contact__last_name")
    def recipient(self, link: VisitLink) -> str:
        contact = link.contact
        if contact is None:
            return "—"
        return f"{contact.full_name} <{contact.email}>" if contact.email else contact.full_name

    @admin.display(description="message", ordering="notification__created_at")
    def message(self, link: VisitLink) -> SafeString | str:
        """Which message, on which channel, carried the code, with a link to it in the log."""
        notification = link.notification
        if notification is None:
            return "—"  # issued before codes kept their message
        url = reverse("admin:notifications_notification_change", args=[notification.pk])
        return format_html('<a href="{}">{}</a>', url, message_label(link))

    @admin.display(description="state")
    def state(self, link: VisitLink) -> str:
        return link.state(timezone.now()).label

    @admin.display(description="valid until", ordering="expires_at")
    def expiry(self, link: VisitLink) -> str:
        if link.expires_at is None:
            return "7 days after the visit is completed or canceled"
        return _local(link.expires_at, link)

    @admin.display(description="issued", ordering="created_at")
    def issued(self, link: VisitLink) -> str:
        return _local(link.created_at, link)

    @admin.display(description="blocked")
    def blocked(self, link: VisitLink) -> str:
        return _local(link.blocked_at, link) if link.blocked_at is not None else "—"

    # --- Extend, expire, block -----------------------------------------------------------

    @admin.action(description="Extend by 7 days", permissions=["manage"])
    def extend_by_7_days(self, request: HttpRequest, queryset: QuerySet[VisitLink]) -> None:
        self._apply_to_each(request, queryset, *CHANGES["extend"])

    @admin.action(description="Expire now", permissions=["manage"])
    def expire_now(self, request: HttpRequest, queryset: QuerySet[VisitLink]) -> None:
        self._apply_to_each(request, queryset, *CHANGES["expire"])

    @admin.action(description="Block…", permissions=["manage"])
    def block(self, request: HttpRequest, queryset: QuerySet[VisitLink]) -> HttpResponse | None:
        # Blocking cannot be undone: first a page that lists the codes and asks.
        if request.POST.get("post") != "yes":
            return self._block_confirmation(request, queryset, bulk=True)
        self._apply_to_each(request, queryset, *CHANGES["block"])
        return None

    def _block_confirmation(
        self, request: HttpRequest, queryset: QuerySet[VisitLink], *, bulk: bool
    ) -> HttpResponse:
        links = list(queryset.order_by("pk"))
        if bulk:
            form_action = request.get_full_path()
            back_url = reverse("admin:access_visitlink_changelist")
        else:
            form_action = reverse("admin:access_visitlink_block", args=[links[0].pk])
            back_url = reverse("admin:access_visitlink_change", args=[links[0].pk])
        context = {
            **self.admin_site.each_context(request),
            "title": "Block a code" if len(links) == 1 else "Block codes",
            "opts": self.opts,
            "links": [
                {
                    "pk": link.pk,
                    "booking": link.booking,
                    "recipient_label": self.recipient(link),
                    "message_label": message_label(link),
                }
                for link in links
            ],
            "bulk": bulk,
            "form_action": form_action,
            "back_url": back_url,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/access/visitlink/block_confirmation.html", context)

    @admin.display(description="change this code")
    def manage(self, link: VisitLink) -> SafeString:
        """Buttons that post the change form to the one-code URLs of get_urls()."""
        state = link.state(timezone.now())
        if state == VisitLinkState.BLOCKED:
            return format_html("{}", "Blocked codes stay blocked.")
        offered = [("block", "Block…")]
        if state == VisitLinkState.VALID:
            offered.insert(0, ("expire", "Expire now"))
        if link.expires_at is not None:
            offered.insert(0, ("extend", "Extend by 7 days"))
        return format_html_join(
            " ",
            '<button type="submit" class="button" formaction="{}">{}</button>',
            (
                (reverse(f"admin:access_visitlink_{name}", args=[link.pk]), label)
                for name, label in offered
            ),
        )

    def _change_one(
        self, name: str, change: tuple[LinkChange, str]
    ) -> Callable[[HttpRequest, str], HttpResponse]:
        do, done = change

        def view(request: HttpRequest, object_id: str) -> HttpResponse:
            if not self.has_manage_permission(request):
                raise PermissionDenied
            link = self.get_object(request, object_id)
            if link is None:
                raise Http404("No such code.")
            if name == "block" and request.POST.get("post") != "yes":
                return self._block_confirmation(
                    request, self.get_queryset(request).filter(pk=link.pk), bulk=False
                )
            self._apply_to_each(request, self.get_queryset(request).filter(pk=link.pk), do, done)
            return HttpResponseRedirect(reverse("admin:access_visitlink_change", args=[link.pk]))

        return view

    def _apply_to_each(
        self,
        request: HttpRequest,
        queryset: QuerySet[VisitLink],
        change: LinkChange,
        done: str,
    ) -> None:
        by = request.user if isinstance(request.user, User) else None
        changed = 0
        refusals: Counter[str] = Counter()
        for link in queryset.order_by("pk"):
            try:
                change(link, by)
            except visit_links.VisitLinkRefused as refusal:
                refusals[refusal.message] += 1
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{_codes(changed)} {done}.", messages.SUCCESS)
        for reason, count in refusals.items():
            self.message_user(
                request, f"{_codes(count)} left as they were: {reason}", messages.WARNING
            )


def _extend(link: VisitLink, by: User | None) -> object:
    now = timezone.now()
    # From the code's current end, or from now for a code that has already expired.
    start = max(link.expires_at, now) if link.expires_at is not None else now
    return visit_links.extend(link=link, until=start + EXTENSION, by=by, now=now)


def _expire(link: VisitLink, by: User | None) -> object:
    return visit_links.expire_now(link=link, by=by)


def _block(link: VisitLink, by: User | None) -> object:
    return visit_links.block(link=link, by=by)


def _local(moment: datetime, link: VisitLink) -> str:
    # In the customer's time zone, as everywhere the back office shows a visit's times.
    return f"{timezone.localtime(moment, link.booking.time_zone):%Y-%m-%d %H:%M %Z}"


def message_label(link: VisitLink) -> str:
    """ "Reminder by email": the message and channel that carried the code."""
    notification = link.notification
    if notification is None:
        return "message not recorded"
    channel = notification.get_channel_display().lower()
    return f"{notification.get_message_type_display()} by {channel}"


def _codes(count: int) -> str:
    return "1 code" if count == 1 else f"{count} codes"


# Each change staff can make: what it does, and the words for "N codes …".
CHANGES: dict[str, tuple[LinkChange, str]] = {
    "extend": (_extend, "extended by 7 days"),
    "expire": (_expire, "expired"),
    "block": (_block, "blocked"),
}
