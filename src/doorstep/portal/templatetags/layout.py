"""`{% layout %}…{% endlayout %}`: the layout around every page, written once for each kind.

The layout (portal/base.html: head, header, menu, footer, language switch) took a third of
the visit link's page and a fifth of the booking page, yet what it shows depends on a
handful of values: the language, the company's words and colours, whether someone is
signed in, and which page is open. Inside `{% layout %}` the template sees those values
only, as `layout` (a `LayoutInputs`); what differs from one request to the next sits in
`{% hole %}…{% endhole %}`: the page's blocks, the CSRF tokens, the messages, the
language switch's return address. The first page of a kind writes the layout with a
marker for each hole and keeps the text between the markers; the pages after it write
only their holes, from their whole context, between the kept pieces.

The layout cannot show a value it was not given (anything else reads as empty, for
every reader alike), so no kept piece holds one person's data. Two rules keep the holes
right, and are checked when the template is read: every `{% block %}` sits in a hole,
and a hole sits only inside `{% if %}`s of the layout (whose conditions read the inputs
only), never in a loop or a `{% with %}` whose names the hole would not see.
"""

from __future__ import annotations

import secrets
import weakref
from dataclasses import dataclass
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.http import HttpRequest
from django.template.base import Node, NodeList, Parser, Token
from django.template.context import Context
from django.template.defaulttags import IfNode
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from doorstep.configuration.models import PortalSettings
from doorstep.portal.branding import stylesheet_url

register = template.Library()

# Kinds of layout kept per process: languages × pages × signed in or not, and the
# settings as they were (the oldest kinds are forgotten first).
KEPT = 512
_MARKER = f"\x00layout-hole-{secrets.token_hex(8)}\x00"
_BUILDING = "doorstep.layout.holes"
_layouts: weakref.WeakSet[LayoutNode] = weakref.WeakSet()


@dataclass(frozen=True)
class LayoutInputs:
    """All the layout may show: the company's words and colours as this reader sees
    them, who is reading, and which page is open."""

    company_name: str = ""
    page_title: str = ""
    page_footer: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    header_image_url: str = ""
    text_color: str = ""
    background_color: str = ""
    foreground_color: str = ""
    font_family: str = ""
    authenticated: bool = False
    signed_in: bool = False  # a customer's contact, who gets the menu
    current_page: str = ""  # the URL name of the page open ("home", "history", …)

    @property
    def stylesheet_url(self) -> str:
        return stylesheet_url(self)


def layout_inputs(context: Context) -> LayoutInputs:
    portal: PortalSettings | None = context.get("portal")
    request: HttpRequest | None = context.get("request")
    user = getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    if portal is None:
        return LayoutInputs(authenticated=authenticated)
    return LayoutInputs(
        company_name=portal.company_name,
        page_title=portal.page_title,
        page_footer=portal.page_footer,
        contact_phone=str(portal.contact_phone or ""),
        contact_email=portal.contact_email,
        header_image_url=portal.header_image.url if portal.header_image else "",
        text_color=portal.text_color,
        background_color=portal.background_color,
        foreground_color=portal.foreground_color,
        font_family=portal.font_family,
        authenticated=authenticated,
        signed_in=authenticated and getattr(user, "contact", None) is not None,
        current_page=(match.url_name or "") if match is not None else "",
    )


class HoleNode(Node):
    """What the page writes itself: while the layout is being kept, a marker."""

    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> str:
        holes: list[HoleNode] | None = context.render_context.get(_BUILDING)
        if holes is not None:
            holes.append(self)
            return _MARKER
        return self.nodelist.render(context)


class LayoutNode(Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist
        self._kept: dict[tuple[Any, ...], tuple[list[str], list[HoleNode]]] = {}
        self._found: dict[type, list[Node]] = {}
        _check(nodelist, inside_hole=False)
        _layouts.add(self)

    def get_nodes_by_type(self, nodetype: type) -> list[Node]:
        # `{% extends %}` looks for the layout's blocks on every page: once is enough.
        found = self._found.get(nodetype)
        if found is None:
            found = self._found[nodetype] = super().get_nodes_by_type(nodetype)
        return found

    def render(self, context: Context) -> SafeString:
        inputs = layout_inputs(context)
        request = context.get("request")
        match = getattr(request, "resolver_match", None)
        key = (inputs, get_language(), getattr(match, "namespace", None), get_script_prefix())
        kept = self._kept.get(key)
        if kept is None:
            kept = self._keep(context, inputs)
            if kept is None:  # a marker in the company's words, say: written in full
                with context.push(layout=inputs):
                    return self.nodelist.render(context)
            if len(self._kept) >= KEPT:
                self._kept.pop(next(iter(self._kept), None), None)  # type: ignore[arg-type]
            self._kept[key] = kept
        pieces, holes = kept
        written = [pieces[0]]
        with context.push(layout=inputs):
            for hole, piece in zip(holes, pieces[1:], strict=True):
                written.append(hole.nodelist.render(context))
                written.append(piece)
        return mark_safe("".join(written))  # noqa: S308 (written by the template engine)

    def _keep(
        self, context: Context, inputs: LayoutInputs
    ) -> tuple[list[str], list[HoleNode]] | None:
        """The layout for `inputs`, as the pieces between its holes, and the holes."""
        alone = Context(
            {"layout": inputs},
            autoescape=context.autoescape,
            use_l10n=context.use_l10n,
            use_tz=context.use_tz,
        )
        holes: list[HoleNode] = []
        if context.template is None:  # a node list rendered on its own, not a template
            return None
        with alone.bind_template(context.template):
            alone.render_context[_BUILDING] = holes
            written = self.nodelist.render(alone)
        pieces = str(written).split(_MARKER)
        return (pieces, holes) if len(pieces) == len(holes) + 1 else None


def _forget_kept_layouts(**kwargs: object) -> None:
    """A changed setting (the static files' storage, the languages offered) can change
    what every layout says: the kept ones are written again."""
    for node in list(_layouts):
        node._kept.clear()


setting_changed.connect(_forget_kept_layouts)


def _check(nodelist: NodeList, *, inside_hole: bool) -> None:
    for node in nodelist:
        if isinstance(node, HoleNode):
            _check(node.nodelist, inside_hole=True)
            continue
        if inside_hole:
            continue
        if isinstance(node, BlockNode):
            raise template.TemplateSyntaxError(
                f"The layout's block {node.name!r} must sit in a {{% hole %}}."
            )
        children = [getattr(node, name, None) for name in node.child_nodelists]
        if not any(children):
            continue
        if isinstance(node, IfNode):
            for _condition, branch in node.conditions_nodelists:
                _check(branch, inside_hole=False)
        elif node.get_nodes_by_type(HoleNode) or node.get_nodes_by_type(BlockNode):
            raise template.TemplateSyntaxError(
                f"A {{% hole %}} or {{% block %}} of the layout sits in a "
                f"{type(node).__name__}: only {{% if %}} may hold one."
            )


@register.tag
def layout(parser: Parser, token: Token) -> LayoutNode:
    nodelist = parser.parse(("endlayout",))
    parser.delete_first_token()
    return LayoutNode(nodelist)


@register.tag
def hole(parser: Parser, token: Token) -> HoleNode:
    nodelist = parser.parse(("endhole",))
    parser.delete_first_token()
    return HoleNode(nodelist)
