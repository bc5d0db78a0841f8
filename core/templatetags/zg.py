from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def icon(name: str, css: str = ""):
    """A Tabler icon from the pinned SVG sprite."""
    return format_html('<svg class="icon {}" aria-hidden="true"><use href="{}#tabler-{}"></use></svg>',
                       css, static("vendor/icons/tabler-sprite.svg"), name)


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
