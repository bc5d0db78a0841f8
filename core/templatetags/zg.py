from functools import lru_cache

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@lru_cache(maxsize=8)
def _sprite(static_url: str) -> str:
    return static("vendor/icons/tabler-sprite.svg")


@register.simple_tag
def icon(name: str, css: str = ""):
    """A Tabler icon from the pinned SVG sprite (its address looked up once per STATIC_URL)."""
    return format_html('<svg class="icon {}" aria-hidden="true"><use href="{}#tabler-{}"></use></svg>',
                       css, _sprite(settings.STATIC_URL), name)


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
