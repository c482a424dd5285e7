"""`{% url %}` as Django's, with each address worked out once and then kept.

The portal's layout names seven or eight addresses on every page, and Django's `url`
tag works each out anew (`reverse()`): on the visit link's page, a twelfth of its time.
An address depends only on the view's name, the arguments, the application, the
language, the script prefix and the URL configuration, all of which make the key; so
the same address is never worked out twice. Arguments other than strings and integers
(and a failed look-up) go to Django's tag as they are. At most KEPT addresses are kept,
the oldest forgotten first.

`{% load kept_urls %}` after Django's libraries makes a template use it.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django import template
from django.template import defaulttags
from django.template.base import Parser, Token
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()
KEPT = 1024
_addresses: dict[tuple[Any, ...], str] = {}


class KeptURLNode(defaulttags.URLNode):
    def render(self, context: template.Context) -> str:
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(
            sorted((name, value.resolve(context)) for name, value in self.kwargs.items())
        )
        values = args + tuple(value for _name, value in kwargs)
        if not all(type(value) in (str, int) for value in values):
            return str(super().render(context))
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        key = (
            view_name,
            args,
            kwargs,
            current_app,
            get_language(),
            get_script_prefix(),
            get_urlconf(),
        )
        url = _addresses.get(key)
        if url is None:
            try:
                url = reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)
            except NoReverseMatch:
                if self.asvar is None:
                    raise
                url = ""  # as Django's tag: `{% url … as name %}` gives "" (and is not kept)
            else:
                if len(_addresses) >= KEPT:
                    with contextlib.suppress(KeyError, RuntimeError, StopIteration):
                        del _addresses[next(iter(_addresses))]  # another thread may be first
                _addresses[key] = url
        if self.asvar:
            context[self.asvar] = url
            return ""
        return str(conditional_escape(url)) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> KeptURLNode:
    node = defaulttags.url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
