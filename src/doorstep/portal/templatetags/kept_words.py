"""`{% translate %}` as Django's, with each fixed text's translation looked up once per language.

Django's tag makes a lazy translation of its text on every render and then casts it:
eleven microseconds a text, and the booking page has a score of them. A text written in
the template (no variable, no filter, an optional fixed context) reads the same for every
reader of a language, so its output is kept per language; anything else goes to Django's
tag as it is. A changed setting (the languages, the catalogs' folders) forgets what was
kept.

`{% load i18n kept_words %}` makes a template use it.
"""

from __future__ import annotations

import weakref
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.template.base import FilterExpression, Parser, Token, Variable
from django.templatetags import i18n
from django.utils.translation import get_language

register = template.Library()
_nodes: weakref.WeakSet[KeptTranslateNode] = weakref.WeakSet()


class KeptTranslateNode(i18n.TranslateNode):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed = (
            self.asvar is None
            and _is_literal(self.filter_expression)
            and (self.message_context is None or _is_literal(self.message_context))
        )
        self.kept: dict[tuple[str | None, bool], str] = {}
        _nodes.add(self)

    def render(self, context: template.Context) -> str:
        if not self.fixed:
            return str(super().render(context))
        key = (get_language(), context.autoescape)
        found = self.kept.get(key)
        if found is None:
            found = self.kept[key] = super().render(context)
        return found


def _is_literal(expression: FilterExpression) -> bool:
    """A text written in the template: a constant, without filters."""
    var = expression.var
    return not expression.filters and (
        isinstance(var, str) or (isinstance(var, Variable) and var.literal is not None)
    )


def _forget(**kwargs: object) -> None:
    for node in list(_nodes):
        node.kept.clear()


setting_changed.connect(_forget)


@register.tag("translate")
@register.tag("trans")
def translate(parser: Parser, token: Token) -> i18n.TranslateNode:
    node = i18n.do_translate(parser, token)
    return KeptTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)
