"""`{% branding_stylesheet_url %}`: the address of the company's colours and font."""

from __future__ import annotations

from django import template

from doorstep.configuration.models import PortalSettings
from doorstep.portal.branding import stylesheet_url

register = template.Library()


@register.simple_tag(takes_context=True)
def branding_stylesheet_url(context: template.Context) -> str:
    portal: PortalSettings = context["portal"]
    return stylesheet_url(portal)
