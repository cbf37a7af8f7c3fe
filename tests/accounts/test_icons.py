"""The {% icon %} tag and the sprite it draws from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError

from accounts.templatetags.icons import icon_names

ROOT = Path(settings.BASE_DIR)


def test_icon_renders_a_hidden_svg_from_the_sprite_with_an_optional_label():
    """`{% icon "send" "Send" %}` is an aria-hidden SVG using the sprite, plus the hidden label."""
    html = Template('{% load icons %}{% icon "send" "Send" %}').render(Context())
    svg = r'<svg class="icon icon-send" aria-hidden="true"[^>]*><use href="[^"]+icons\.svg#send">'
    assert re.search(svg, html)
    assert '<span class="visually-hidden">Send</span>' in html


def test_icon_refuses_a_name_the_sprite_lacks():
    """A misspelt icon name fails loudly instead of drawing an empty box."""
    with pytest.raises(TemplateSyntaxError):
        Template('{% load icons %}{% icon "sendd" %}').render(Context())


def test_every_icon_named_in_templates_and_scripts_is_in_the_sprite():
    """Each `{% icon "x" %}` in templates/ and `icon("x")` in static/js/ names a sprite symbol."""
    used = set()
    for path in (ROOT / "templates").rglob("*.html"):
        used |= set(re.findall(r'{%\s*icon\s+"([^"]+)"', path.read_text()))
    for path in (ROOT / "static" / "js").glob("*.js"):
        used |= set(re.findall(r'\bicon\("([^"]+)"\)', path.read_text()))
    assert used, "no icon found: the patterns above no longer match the code"
    assert used <= icon_names(), sorted(used - icon_names())
