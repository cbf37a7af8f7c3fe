"""SVG icons from the vendored Lucide sprite (static/vendor/lucide-1.62.0/icons.svg).

`{% load icons %}` then `{% icon "send" %}` for a decorative icon beside a visible label, or
`{% icon "send" _("Send") %}` for an icon that is the control's only content: the label goes
into a visually hidden span, so the control keeps an accessible name. Scripts build the same
markup with `icon(name)` from static/js/chat-render.js; the page's <body data-icons> holds the
sprite's URL for them. Any app may use this library.
"""

from __future__ import annotations

import re
from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()

SPRITE = "vendor/lucide-1.62.0/icons.svg"


@cache
def icon_names() -> frozenset[str]:
    """The ids of the sprite's symbols: the icons a template or script may name."""
    path = finders.find(SPRITE)
    with open(path, encoding="utf-8") as sprite:
        return frozenset(re.findall(r'<symbol id="([a-z0-9-]+)"', sprite.read()))


@register.simple_tag
def icon_sprite_url() -> str:
    return static(SPRITE)


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    # An unknown name would render an empty box, the bug the sprite replaced: fail loudly.
    if name not in icon_names():
        raise template.TemplateSyntaxError(f"No icon {name!r} in {SPRITE}")
    svg = format_html(
        '<svg class="icon icon-{}" aria-hidden="true" focusable="false" width="20" height="20">'
        '<use href="{}#{}"></use></svg>',
        name,
        static(SPRITE),
        name,
    )
    if label:
        return format_html('{}<span class="visually-hidden">{}</span>', svg, label)
    return svg
