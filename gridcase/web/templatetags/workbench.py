"""Template tags of the workbench: the navigation, lights and small formatting helpers."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from gridcase.web.nav import links_for

register = template.Library()

LIGHT_LABELS = {"red": _("已超期"), "yellow": _("即将到期"), "green": _("正常")}


@register.inclusion_tag("web/_nav.html", takes_context=True)
def main_nav(context):
    request = context["request"]
    return {
        "links": links_for(request.user, request.path, context.get("nav_section")),
        "request": request,
    }


@register.inclusion_tag("web/_light.html")
def light(value):
    """A coloured dot with its word, so the light reads without colour too."""
    return {"light": value, "label": LIGHT_LABELS.get(value, "")}


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
