"""The town's base layer for the map templates (the town map and the case page's small map)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def map_tiles() -> str:
    """GRIDCASE_MAP_TILES, the tile URL template; empty: no base layer."""
    return settings.GRIDCASE_MAP_TILES
