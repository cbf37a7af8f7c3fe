"""Template helpers for social pages: `{% load social_tags %}`."""

from django import template

from social.text import linkify as linkify_text

register = template.Library()


@register.filter(is_safe=True)
def linkify(text: str):
    """User text as escaped HTML with clickable http(s) links (see social.text.linkify)."""
    return linkify_text(text)
