"""The town's base layer for the map templates (the town map and the case page's small map)."""

from django import template
from django.conf import settings

from gridcase.web.map_base import BaseLayer, base_layer

register = template.Library()


@register.simple_tag
def map_tiles() -> str:
    """GRIDCASE_MAP_TILES, the tile URL template; empty: no template (none, or a PMTiles file)."""
    return settings.GRIDCASE_MAP_TILES


@register.simple_tag
def map_base() -> BaseLayer:
    """The base layer the page's script draws (web/map_base.py)."""
    return base_layer()
